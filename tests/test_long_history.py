"""The cost of a page stays flat as the history grows (issue 23): at a hundred
times today's statements and public changes, every public page makes the
queries it makes today, and a page that lists history shows one page of it."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from states.api import STATEMENTS_IN_DETAIL
from states.management.commands.bench import grow_history
from states.models import PositionStatement, PublishedChange
from states.per_version import kept
from states.views import CHANGES_PER_PAGE, TIMELINE_PER_PAGE

PAGES = [
    "/",
    "/states/",
    "/states/SGP/",  # five statements, the most of any state
    "/states/export.csv",
    "/compare/?states=PHL,IDN,MYS",
    "/convention/",
    "/next-steps/",
    "/changes/",
    "/api/v1/states/",
    "/api/v1/states/PHL/",
    "/api/v1/figures/",
]


def first_render(client, path):
    """(queries, bytes) of the page as the first visitor after a publish gets it."""
    caches["pages"].clear()
    kept.forget()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries), len(response.content)


@pytest.fixture
def today_and_a_hundred_times_the_history(client, db):
    today = {path: first_render(client, path) for path in PAGES}
    statements, changes = PositionStatement.objects.count(), PublishedChange.objects.count()
    grow_history(100)
    assert PositionStatement.objects.count() >= 90 * statements and PublishedChange.objects.count() >= 90 * changes
    return today, {path: first_render(client, path) for path in PAGES}


def test_at_a_hundred_times_the_history_every_page_makes_the_queries_it_makes_today(
    today_and_a_hundred_times_the_history,
):
    today, later = today_and_a_hundred_times_the_history
    assert {path: queries for path, (queries, _size) in later.items()} == {
        path: queries for path, (queries, _size) in today.items()
    }


def test_at_a_hundred_times_the_history_pages_grow_only_by_one_page_of_history(
    client, today_and_a_hundred_times_the_history
):
    today, later = today_and_a_hundred_times_the_history
    profile = client.get("/states/SGP/").content.decode()
    assert len(re.findall(r'<li class="event ', profile)) == TIMELINE_PER_PAGE
    assert "Earlier entries" in profile and "Later entries" not in profile  # the newest page, first
    changes = client.get("/changes/").content.decode()
    assert changes.count("<tr") - 1 == CHANGES_PER_PAGE  # less the heading row
    paged = {"/states/SGP/", "/changes/", "/api/v1/states/PHL/"}  # each lists one page of the history
    for path in set(PAGES) - paged:
        assert later[path][1] <= 1.5 * today[path][1], path
    for path in paged:
        assert later[path][1] <= 100_000, path  # the profile was 344 KB before it was paged
    detail = client.get("/api/v1/states/PHL/").json()
    assert len(detail["statements"]) == STATEMENTS_IN_DETAIL < detail["statements_count"]
