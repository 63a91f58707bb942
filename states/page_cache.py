"""Public pages are cached, and never stale.

Every change the public can see writes a PublishedChange (states.changelog).
The data's version follows those changes, and is part of every page's cache
key and ETag: a publish, import or revert changes it, and the next request
renders the page afresh. Pages that default to today are keyed by the day too.

- With a shared cache (REDIS_URL, several app servers), the version is a
  random token in Redis, replaced right after each such change commits and
  announced on a Redis channel that every process listens to; the pages
  themselves are kept in each process's memory, keyed by the token, so a
  cached page costs no round trip at all (see ``SharedDataVersion``).
- Without one, the version is the newest PublishedChange's number, read from
  the database (one small query), as each worker process has its own memory.

Browsers and proxies may store a page (Cache-Control: public) but ask again
each time with If-None-Match, getting a 304 while nothing changed. Staff are
never served from the cache.

A view decorated with ``cached_public_page`` stores its pages; once it has,
``CachedPublicPageMiddleware`` serves them to visitors without a session
before sessions, authentication and the rest of the middleware run (the
security headers are still added on the way out).
"""

import functools
import hashlib
import logging
import os
import threading
import time
import uuid

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from states.models import PublishedChange

logger = logging.getLogger(__name__)

# Browsers and proxies may store a page but must ask again each time (a 304
# while nothing changed): a page kept for even a minute would hide a correction.
PUBLIC_MAX_AGE = 0
CACHED_FOR = 60 * 60 * 24  # in memory; a new version makes older entries unreachable


class SharedDataVersion:
    """The data version in Redis, shared by every app server.

    A change sets a new token and announces it on a channel, in one
    transaction. Each process listens on that channel over a connection of
    its own, so knowing the version costs it no round trip: it takes what has
    arrived (mostly nothing) from its socket. Redis writes the announcement to
    every listener before it answers the server that made the change, so a
    page asked for after a change was saved already sees it. The token is also
    read afresh every RECHECK_SECONDS, in case a connection died silently.
    """

    KEY = "cahtracker:data-version"
    RECHECK_SECONDS = 5

    def __init__(self, url):
        self.url = url
        self.lock = threading.Lock()  # one listening connection per process, whatever its threads
        self.reset()
        # Channels, unlike keys, are shared by all of a Redis server's databases: two sites
        # on one Redis (staging and production, say) must not hear each other's changes.
        self.channel = f"{self.KEY}:{self.client.connection_pool.connection_kwargs.get('db', 0)}"

    def reset(self):
        self.pid = os.getpid()
        self.client = redis.Redis.from_url(self.url, **settings.REDIS_TIMEOUTS)
        self.listener = None
        self.token = None
        self.read_at = 0.0

    def current(self):
        with self.lock:
            if self.pid != os.getpid():  # a forked process needs connections of its own
                self.reset()
            try:
                if self.listener is None:
                    self.listen()
                while (message := self.listener.get_message(timeout=0)) is not None:
                    if message["type"] == "message":
                        self.token = message["data"].decode()
                if time.monotonic() - self.read_at > self.RECHECK_SECONDS:
                    self.read()
            except redis.RedisError:
                self.listener = None  # listen again, from a fresh read, next time
                raise
            return self.token

    def listen(self):
        self.listener = self.client.pubsub()
        self.listener.subscribe(self.channel)
        # Wait until Redis has the subscription, so no announcement falls between it and the read.
        confirmed = self.listener.get_message(timeout=2)
        if confirmed is None or confirmed["type"] != "subscribe":
            raise redis.ConnectionError("Redis did not confirm the subscription to data version changes.")
        self.read()

    def read(self):
        token = self.client.get(self.KEY)
        if token is None:  # first use, or Redis was emptied: start a new version
            self.client.set(self.KEY, new_token(), nx=True)
            token = self.client.get(self.KEY)
        self.token, self.read_at = token.decode(), time.monotonic()

    def change(self):
        token = new_token()
        self.client.pipeline().set(self.KEY, token).publish(self.channel, token).execute()


def new_token():
    return uuid.uuid4().hex[:16]


shared_version = SharedDataVersion(settings.REDIS_URL) if settings.SHARED_CACHE else None


def data_version():
    """What the public data is now, as a short string."""
    if shared_version is not None:
        return shared_version.current()
    return str(PublishedChange.objects.aggregate(newest=Max("pk"))["newest"] or 0)


def data_changed():
    """Call when a change the public can see is saved: once it commits, every page is rendered afresh."""
    if shared_version is not None:
        transaction.on_commit(shared_version.change)


def page_identity(request, version):
    """The page's ETag and cache key: the data version, the day (pages default
    to today) and the address; the key and the ETag also tell a compressed
    copy from a plain one, as they are different bytes."""
    today = timezone.localdate().isoformat()
    compressed = "gzip" if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "") else "plain"
    page = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f'"{version}-{today}-{page}-{compressed}"', f"page:{version}:{today}:{compressed}:{page}"


def stored_page(request, version):
    """The stored page for this request at ``version`` (a 304 if the visitor
    has it already), or None."""
    etag, key = page_identity(request, version)
    if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return mark_public(not_modified, etag)
    stored = caches["pages"].get(key)
    if stored is None:
        return None
    # Kept as bytes and the headers it was sent with (marked public, with its
    # ETag), which the cache copies far faster than a response object.
    content, headers = stored
    return HttpResponse(content, headers=headers)


# The paths this process has stored a page for: only their requests are looked
# up before the rest of the middleware runs (bounded, as query strings are not part of it).
stored_paths = set()
MAX_STORED_PATHS = 10_000


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
        try:
            version = getattr(request, "data_version", None) or data_version()
        except redis.RedisError:
            logger.exception("The data version is unknown (Redis unavailable): %s is rendered afresh", request.path)
            response = view(request, *args, **kwargs)
            patch_cache_control(response, no_cache=True)
            return response
        stored = stored_page(request, version)
        if stored is not None:
            return stored
        response = view(request, *args, **kwargs)
        etag, key = page_identity(request, version)
        mark_public(response, etag)
        if response.status_code == 200 and not response.streaming:
            caches["pages"].set(key, (response.content, dict(response.headers)), CACHED_FOR)
            if len(stored_paths) < MAX_STORED_PATHS:
                stored_paths.add(request.path)
        return response

    return wrapper


class CachedPublicPageMiddleware:
    """Serve a stored public page before sessions, authentication and the rest
    of the middleware: for a visitor without a session cookie (never staff,
    who are signed in), on a path a cached view has stored a page for. Put it
    after the middleware that adds security headers, which still apply."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.PUBLIC_PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and request.path in stored_paths
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            try:
                request.data_version = data_version()
            except (redis.RedisError, DatabaseError):  # the page's own handling answers
                return self.get_response(request)
            stored = stored_page(request, request.data_version)
            if stored is not None:
                return stored
        return self.get_response(request)


def mark_public(response, etag):
    if response.status_code in (200, 304):
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE, must_revalidate=True)
        patch_vary_headers(response, ["Accept-Encoding"])
    return response
