"""Work that every render of one data version would repeat, done once per process.

A fresh render (a new page, a past date, a page not cached yet) used to load
every published fact and recompute every state's standing, then draw the map
again, although nothing had changed since the last render. The published
record only changes with the data version (``states.page_cache.data_version``:
a publish, import, revert or restore changes it), so what is computed from it
alone (the loaded facts, the standings on a date, the map's markup) is kept
here under that version and dropped the moment a request sees a new one.

Only inside a request: its version is read once (none of its pages then asks
the database again) and forgotten when the request changes the data. Outside
one (the shell, a command, a test calling the models) nothing is kept, so
code that changes records directly always sees its own change.
"""

import threading
from collections import OrderedDict

from django.core.signals import request_finished, request_started

# Enough for every page's standings and map in every language on a few dozen
# dates; each entry is the work of one render, and the oldest goes first.
MAX_ENTRIES = 512

_request = threading.local()


def _request_began(**kwargs):
    _request.active = True
    _request.version = None


def _request_ended(**kwargs):
    _request.active = False
    _request.version = None


request_started.connect(_request_began, dispatch_uid="per_version.request_began")
request_finished.connect(_request_ended, dispatch_uid="per_version.request_ended")


def version_of_this_request():
    """The data version this request reads, from the database once per
    request (or from a process that already knows it: page_cache); None
    outside a request."""
    if not getattr(_request, "active", False):
        return None
    if _request.version is None:
        from states.page_cache import data_version  # page_cache reads the models, which read this

        _request.version = data_version()
    return _request.version


def this_request_reads(version):
    """The page cache read the version already: the request's work is keyed by it, without a second read."""
    if getattr(_request, "active", False):
        _request.version = version


def data_changed_in_this_request():
    """The request changed the data: what it reads next is read afresh."""
    _request.version = None


class KeptWork:
    """What renders of one data version share, by key, in this process; a
    new version empties it. Not shared between threads' requests halfway:
    a lock guards the entries (gunicorn's threads, the test servers)."""

    def __init__(self, max_entries=MAX_ENTRIES):
        self.max_entries = max_entries
        self.lock = threading.Lock()
        self.forget()

    def forget(self):
        self.version = None
        self.entries = OrderedDict()

    def get(self, key, compute):
        """``compute()``, or what it gave for ``key`` in this data version."""
        version = version_of_this_request()
        if version is None:
            return compute()
        with self.lock:
            if version != self.version:
                self.forget()
                self.version = version
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = compute()
        with self.lock:
            if self.version == version:
                self.entries[key] = value
                while len(self.entries) > self.max_entries:
                    self.entries.popitem(last=False)
        return value


kept = KeptWork()
