"""Public pages are cached, and never stale.

Every change the public can see writes a PublishedChange (states.changelog).
The data's version comes from the database: which copy of the record it is
(``DataEpoch``, new after each restore) and how many PublishedChanges it
holds. It is part of every page's cache key and ETag: a publish, import,
revert or restore changes it, and the next request renders the page afresh.
Pages that default to today are keyed by the day too.

- Without a shared cache, each request reads the version (one small query).
- With one (REDIS_URL, several app servers), Redis only carries the news: a
  change announces itself on a Redis channel after it commits, and each
  process, hearing it, reads the version from the database again. So a cached
  page costs no query and no round trip, and since the version itself never
  lives in Redis, a Redis that is restarted with old data, emptied or
  unreachable can never make a page older than the database. A process that
  cannot reach Redis reads the version from the database for each request
  until it can; one that may have missed news (a reconnection) reads it
  again, and every process reads it again every RECHECK_SECONDS anyway.

The pages themselves are kept in each process's memory ("pages" cache).
Browsers and proxies may store a page (Cache-Control: public) but ask again
each time with If-None-Match, getting a 304 while nothing changed. Staff are
never served from the cache.

A view decorated with ``cached_public_page`` stores its pages; once it has,
``CachedPublicPageMiddleware`` serves them to visitors without a session
before sessions, authentication and the rest of the middleware run (the
security headers are still added on the way out).
"""

import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
import time

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, QueryDict
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from states.models import DataEpoch, PublishedChange
from states.per_version import data_changed_in_this_request, this_request_reads
from states.rules import as_of_from_query

logger = logging.getLogger(__name__)

# Browsers and proxies may store a page but must ask again each time (a 304
# while nothing changed): a page kept for even a minute would hide a correction.
PUBLIC_MAX_AGE = 0
CACHED_FOR = 60 * 60 * 24  # in memory; a new version makes older entries unreachable


def database_version():
    """The data's version as the database holds it, in one query: the epoch,
    then how many public changes there are and the newest one's number. The
    count as well as the number, because changes may commit out of number
    order: change 10 committing after change 11 leaves the newest number as
    it was but not the count. (Raw SQL: three aggregates over two tables in a
    single round trip, read for every uncached page.)"""
    epochs = connection.ops.quote_name(DataEpoch._meta.db_table)
    changes = connection.ops.quote_name(PublishedChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT token FROM {epochs} WHERE id = 1), COUNT(*), MAX(id) FROM {changes}")
        epoch, count, newest = cursor.fetchone()
    return f"{epoch or 'none'}.{count}.{newest or 0}"


class SharedDataVersion:
    """The database's data version, known to every app server's processes
    without a query per page: each listens on a Redis channel, over a
    connection of its own, for news that the data changed, and reads the
    version again when some arrives. Hearing costs no round trip: a process
    takes what has arrived (mostly nothing) from its socket. Redis writes the
    news to every listener before it answers the server that sent it, so a
    page asked for after a change was saved already sees it."""

    CHANNEL = "cahtracker:data-changed"
    # News can be lost (a Redis that hangs takes the announcement and never
    # delivers it): however it went missing, a change shows within this long.
    # One small query a second per process costs a cached page nothing measurable.
    RECHECK_SECONDS = 1
    # After Redis failed to answer, how long to go without it (reading the
    # version from the database each time) before trying it again: a hung
    # Redis costs one request in that long a timeout, not every request.
    RETRY_REDIS_AFTER = 2

    def __init__(self, url):
        self.url = url
        self.lock = threading.Lock()  # one listening connection per process, whatever its threads
        self.reset()
        # Channels, unlike keys, are shared by all of a Redis server's databases: two sites
        # on one Redis (staging and production, say) must not hear each other's changes.
        self.channel = f"{self.CHANNEL}:{self.client.connection_pool.connection_kwargs.get('db', 0)}"

    def reset(self):
        self.pid = os.getpid()
        self.client = redis.Redis.from_url(self.url, **settings.REDIS_TIMEOUTS)
        self.listener = None
        self.version = None
        self.read_at = 0.0
        self.redis_down_until = 0.0

    def current(self):
        with self.lock:
            if self.pid != os.getpid():  # a forked process needs connections of its own
                self.reset()
            if time.monotonic() < self.redis_down_until:
                return database_version()
            try:
                self.hear_news()
            except redis.RedisError:
                logger.warning("Redis unavailable: the data version is read from the database", exc_info=True)
                self.stop_listening()
                self.redis_down_until = time.monotonic() + self.RETRY_REDIS_AFTER
                return database_version()
            if self.version is None or time.monotonic() - self.read_at > self.RECHECK_SECONDS:
                self.version, self.read_at = database_version(), time.monotonic()
            return self.version

    def hear_news(self):
        if self.listener is None:
            self.listener = self.client.pubsub()
            self.listener.subscribe(self.channel)
            # Wait (briefly) until Redis has the subscription, so no news falls between it and the read.
            confirmed = self.listener.get_message(timeout=settings.REDIS_TIMEOUTS["socket_timeout"])
            if confirmed is None or confirmed["type"] != "subscribe":
                raise redis.TimeoutError("Redis did not confirm the subscription to news of changes.")
            self.version = None  # whatever was missed while not listening: read afresh
        while (message := self.listener.get_message(timeout=0)) is not None:
            # A change, or a resubscription (redis-py reconnected) after which news may have been missed.
            if message["type"] in ("message", "subscribe"):
                self.version = None

    def stop_listening(self):
        if self.listener is not None:
            with contextlib.suppress(redis.RedisError):
                self.listener.close()
        self.listener = None
        self.version = None

    def announce_change(self):
        """Tell every process the data changed. Runs after the change has
        committed: if Redis cannot be told, the change stands, the request
        that made it succeeds, and the others learn of it within
        RECHECK_SECONDS (or at once, if they too lost Redis)."""
        try:
            self.client.publish(self.channel, "changed")
        except redis.RedisError:
            logger.warning("Could not announce a data change on Redis; servers see it within %ss",
                           self.RECHECK_SECONDS, exc_info=True)  # fmt: skip


shared_version = SharedDataVersion(settings.REDIS_URL) if settings.SHARED_CACHE else None


class SharedPages:
    """Rendered pages in Redis, for every process of every app server: a page
    is rendered once per data version, not once per worker. Each process
    still keeps what it serves in its own memory; this is where it looks
    before rendering. The key holds the data version read from the database,
    so a Redis restarted with old pages, or emptied, can only cost renders,
    never serve a page older than the data. Stored as JSON headers and the
    bytes, never as a pickle: whoever can write to Redis cannot run code."""

    PREFIX = "cahtracker:"
    RETRY_REDIS_AFTER = SharedDataVersion.RETRY_REDIS_AFTER

    def __init__(self, url):
        self.url = url
        self.pid = None
        self.down_until = 0.0

    @property
    def client(self):
        if self.pid != os.getpid():  # a forked process needs connections of its own
            self.pid, self._client = os.getpid(), redis.Redis.from_url(self.url, **settings.REDIS_TIMEOUTS)
        return self._client

    def get(self, key):
        if time.monotonic() < self.down_until:
            return None
        try:
            stored = self.client.get(self.PREFIX + key)
        except redis.RedisError:
            self.redis_failed("read")
            return None
        if stored is None:
            return None
        try:
            headers, content = stored.split(b"\n", 1)
            return content, json.loads(headers)
        except ValueError:  # not what set() writes (another program's key, a damaged value): render afresh
            logger.warning("A page in Redis could not be read; rendering it afresh")
            return None

    def set(self, key, content, headers):
        if time.monotonic() < self.down_until:
            return
        try:
            self.client.set(self.PREFIX + key, json.dumps(headers).encode() + b"\n" + content, ex=CACHED_FOR)
        except redis.RedisError:
            self.redis_failed("store")

    def redis_failed(self, doing):
        logger.warning("Could not %s a page in Redis: each process renders its own", doing, exc_info=True)
        self.down_until = time.monotonic() + self.RETRY_REDIS_AFTER


shared_pages = SharedPages(settings.REDIS_URL) if settings.SHARED_CACHE else None


def data_version():
    """What the public data is now, as a short string."""
    if shared_version is not None:
        return shared_version.current()
    return database_version()


def data_changed():
    """Call when a change the public can see is saved: once it commits, every page is rendered afresh."""
    data_changed_in_this_request()
    if shared_version is not None:
        transaction.on_commit(shared_version.announce_change)


@functools.cache
def release():
    """Which release of the code draws the pages: a digest of the templates,
    the translation catalogues and the app's code, read once per process. A
    deploy changes pages without changing the data, so without it a browser's
    ETag from before the deploy would still match, and it would keep the old
    page (old wording, a fix it never sees) until the data next changed."""
    digest = hashlib.sha256()
    base = settings.BASE_DIR
    for folder, pattern in (("templates", "**/*"), ("locale", "**/*.mo"), ("states", "**/*.py"), ("static", "**/*")):
        for path in sorted((base / folder).glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def page_identity(request, version, offers=()):
    """The page's ETag and cache key: the data version, the day (pages default
    to today) and the address as the page reads it (``canonical``), with its
    scheme and host; the key and the ETag also tell a compressed copy from a
    plain one, and, for an address that ``offers`` several media types (a
    feed, or its page for a browser), one type from another, as they are
    different bytes."""
    today = timezone.localdate().isoformat()
    compressed = "gzip" if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "") else "plain"
    if offers:
        compressed += f"-{request.get_preferred_type(offers) or offers[0]}"
    # The whole address, site included: a page holds absolute links (its embed
    # code, the API's next page), and a site answering at two names must give
    # each its own; reading the host also refuses one ALLOWED_HOSTS does not name.
    page = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
    drawn_by = release()
    return (
        f'"{version}-{drawn_by}-{today}-{page}-{compressed}"',
        f"page:{version}:{drawn_by}:{today}:{compressed}:{page}",
    )


def canonical(request, reads):
    """Make ``request`` the page's canonical request: only the parameters the
    page reads, in their fixed order, ``as_of`` written as the date it means
    (none for today). So ``/?zz=1``, ``/?zz=2`` and ``/?as_of=<today>`` are
    all ``/``: one render, one cache entry, and a crawler making up parameters
    is served from the cache. False, changing nothing, when ``as_of`` is not a
    date: the page's own 400 answers, uncached."""
    query = QueryDict(mutable=True)
    for name in reads:
        values = request.GET.getlist(name)
        if name == "as_of" and values:
            try:
                as_of = as_of_from_query(values[-1])  # the value the page reads, as with_as_of does
            except ValueError:
                return False
            if as_of != timezone.localdate():
                query[name] = as_of.isoformat()
        elif values:
            query.setlist(name, values)
    request.META["QUERY_STRING"] = query.urlencode(safe=",")
    request.GET = QueryDict(request.META["QUERY_STRING"])
    return True


def stored_page(request, version, offers=()):
    """The stored page for this request at ``version`` (a 304 if the visitor
    has it already), or None."""
    etag, key = page_identity(request, version, offers)
    if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return mark_public(not_modified, etag, offers)
    stored = caches["pages"].get(key)
    if stored is None and shared_pages is not None:
        stored = shared_pages.get(key)  # another process rendered it
        if stored is not None:
            keep_here(key, *stored)
    if stored is None:
        return None
    # Kept as bytes and the headers it was sent with (marked public, with its
    # ETag), which the cache copies far faster than a response object.
    content, headers = stored
    return HttpResponse(content, headers=headers)


# The paths this process has stored a page for, each with the parameters its
# page reads: only their requests are looked up before the rest of the
# middleware runs (bounded, as query strings are not part of it).
stored_paths = {}
MAX_STORED_PATHS = 10_000


def compressed(request, response):
    """The response gzipped when the visitor accepts it (Django's GZipMiddleware, for one response)."""
    if response.streaming:  # the data package, a zip already: gzip would cost time and its Content-Length
        return response
    return GZipMiddleware(lambda request: response).process_response(request, response)


def cached_public_page(view=None, *, reads=(), offers=()):
    """Serve ``view`` from the cache for anonymous visitors while the data is
    unchanged. ``reads`` names the query parameters the page reads; any other
    is dropped before the page is rendered or looked up. ``offers`` names the
    media types an address answers with by the Accept header, if several."""
    if view is None:
        return functools.partial(cached_public_page, reads=tuple(reads), offers=tuple(offers))

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PUBLIC_PAGE_CACHE:
            return view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if not canonical(request, reads):
            return view(request, *args, **kwargs)
        version = getattr(request, "data_version", None) or data_version()
        this_request_reads(version)
        stored = stored_page(request, version, offers)
        if stored is not None:  # from another process (SharedPages): served from here on
            remember_path(request, reads, offers)
            return stored
        response = view(request, *args, **kwargs)
        if not getattr(response, "is_rendered", True):
            response.render()  # a TemplateResponse (the sitemap's) is stored as the bytes it renders to
        response = kept_public(request, version, response, offers)
        if is_kept(response):
            remember_path(request, reads, offers)
        return response

    return wrapper


def kept_public(request, version, response, offers=()):
    """The response compressed, marked public with its ETag and, if a whole
    200, stored for the next visitor. Compressed once, then stored: a public
    page holds no secret for BREACH to guess at, and staff pages (which never
    come here) are never compressed."""
    response = compressed(request, response)
    etag, key = page_identity(request, version, offers)
    mark_public(response, etag, offers)
    if is_kept(response):
        store(key, response)
    return response


def is_kept(response):
    return response.status_code == 200 and not response.streaming


def remember_path(request, reads, offers):
    if len(stored_paths) < MAX_STORED_PATHS:
        stored_paths[request.path] = (reads, offers)


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
            and canonical(request, stored_paths[request.path][0])
        ):
            try:
                request.data_version = data_version()
                this_request_reads(request.data_version)
            except DatabaseError:  # the page's own handling answers
                return self.get_response(request)
            stored = stored_page(request, request.data_version, stored_paths[request.path][1])
            if stored is not None:
                return stored
        return self.get_response(request)


def mark_public(response, etag, offers=()):
    if response.status_code in (200, 304):
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE, must_revalidate=True)
        patch_vary_headers(response, ["Accept-Encoding"] + ["Accept"] * bool(offers))
    return response


def store(key, response):
    """Keep a page, here and for the other processes (``SharedPages``)."""
    keep_here(key, response.content, dict(response.headers))
    if shared_pages is not None:
        shared_pages.set(key, response.content, dict(response.headers))


def keep_here(key, content, headers):
    """Keep a page in this process; a cache that fails to keep it costs the
    next visitor a render, never this one their page."""
    try:
        caches["pages"].set(key, (content, headers), CACHED_FOR)
    except Exception:  # any cache backend's error
        logger.warning("Could not store a page in the cache", exc_info=True)
