"""Public pages are cached, and never stale.

Every change the public can see writes a PublishedChange (states.changelog).
The data's version follows those changes, and is part of every page's cache
key and ETag: a publish, import or revert changes it, and the next request
renders the page afresh. Pages that default to today are keyed by the day too.

- With a shared cache (REDIS_URL, several app servers), the version is a
  random token in Redis, replaced right after each such change commits; the
  pages themselves are kept in each process's memory, keyed by the token, so
  a cached page costs one small Redis read.
- Without one, the version is the newest PublishedChange's number, read from
  the database (one small query), as each worker process has its own memory.

Browsers and proxies may store a page (Cache-Control: public) but ask again
each time with If-None-Match, getting a 304 while nothing changed. Staff are
never served from the cache.
"""

import functools
import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from states.models import PublishedChange

# Browsers and proxies may store a page but must ask again each time (a 304
# while nothing changed): a page kept for even a minute would hide a correction.
PUBLIC_MAX_AGE = 0
CACHED_FOR = 60 * 60 * 24  # in memory; a new version makes older entries unreachable
VERSION_KEY = "data-version"


def data_version():
    """What the public data is now, as a short string."""
    if settings.SHARED_CACHE:
        token = cache.get(VERSION_KEY)
        if token is None:  # first use, or the cache was emptied: start a new version
            cache.add(VERSION_KEY, uuid.uuid4().hex[:16], None)
            token = cache.get(VERSION_KEY)
        return token
    return str(PublishedChange.objects.aggregate(newest=Max("pk"))["newest"] or 0)


def data_changed():
    """Call when a change the public can see is saved: once it commits, every page is rendered afresh."""
    if settings.SHARED_CACHE:
        transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex[:16], None))


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
        version = data_version()
        today = timezone.localdate().isoformat()
        compressed = "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "plain"
        page = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        etag = f'"{version}-{today}-{page}"'
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return mark_public(not_modified, etag)
        key = f"page:{version}:{today}:{compressed}:{page}"
        pages = caches["pages"]
        stored = pages.get(key)
        if stored is not None:
            # Kept as bytes and headers, which the cache copies far faster than a response object.
            content, headers = stored
            return mark_public(HttpResponse(content, headers=headers), etag)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            pages.set(key, (response.content, dict(response.headers)), CACHED_FOR)
        return mark_public(response, etag)

    return wrapper


def mark_public(response, etag):
    if response.status_code in (200, 304):
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE, must_revalidate=True)
        patch_vary_headers(response, ["Accept-Encoding"])
    return response
