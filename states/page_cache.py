"""Public pages are cached, and never stale.

Every change the public can see writes a PublishedChange (states.changelog),
so the newest one's number is the data's version. It is part of every cache
key and of each page's ETag: a publish, import or revert changes it, and the
next request renders the page afresh. Pages that default to today are keyed
by the day too. Browsers and proxies may keep a page for a minute
(Cache-Control: public) and then ask again with If-None-Match, getting a 304
while nothing changed. Staff are never served from the cache.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from states.models import PublishedChange

PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may reuse a page without asking
CACHED_FOR = 60 * 60 * 24  # in the server's cache; a new version makes older entries unreachable


def data_version():
    """(number of the newest published change, when it was made): one small query."""
    newest = PublishedChange.objects.aggregate(number=Max("pk"), made_at=Max("made_at"))
    return newest["number"] or 0, newest["made_at"]


def cached_public_page(view):
    """Serve ``view`` from the cache for anonymous visitors while the data is unchanged."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PUBLIC_PAGE_CACHE:
            return view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        version, changed_at = data_version()
        today = timezone.localdate().isoformat()
        compressed = "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "plain"
        page = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        etag = f'"{version}-{today}-{page}"'
        last_modified = http_date(changed_at.timestamp()) if changed_at else None
        not_modified = get_conditional_response(request, etag=etag, last_modified=changed_at and changed_at.timestamp())
        if not_modified is not None:
            return mark_public(not_modified, etag, last_modified)
        key = f"page:{version}:{today}:{compressed}:{page}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, response, CACHED_FOR)
        return mark_public(response, etag, last_modified)

    return wrapper


def mark_public(response, etag, last_modified):
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = last_modified
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Accept-Encoding"])
    return response
