"""Feeds of the public list of changes, all of them and one state's, read
with feedparser as a feed reader would."""

import feedparser
import pytest

from states.models import PositionStatement
from tests.helpers import statement_form

STATEMENTS = "/admin/states/positionstatement/"


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


@pytest.mark.parametrize(("url", "kind"), [("/changes/feed/", "atom10"), ("/changes/feed/rss/", "rss20")])
def test_the_changes_feed_carries_each_change_with_its_reason_and_no_staff_names(
    client, as_user, publisher, published_statement, url, kind
):
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Summary as published.", change_reason="Checked the record"),
    )
    client.logout()
    response, feed = read(client, url)
    assert feed.version == kind
    newest = feed.entries[0]
    assert "Micronesia" in newest.title and "Checked the record" in newest.summary
    assert newest.link.endswith("/states/FSM/")
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    assert b"pub_tan" not in response.content


def test_a_states_feed_has_only_its_changes(client, as_user, publisher, published_statement):
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Summary as published.", change_reason="Checked the record"),
    )
    client.logout()
    _response, feed = read(client, "/states/fsm/feed/")
    assert feed.feed.title == "CAH Tracker: changes for Micronesia (Federated States of)"
    assert feed.entries and all("Micronesia" in entry.title for entry in feed.entries)
    _response, others = read(client, "/states/PHL/feed/")
    assert not [entry for entry in others.entries if "Micronesia" in entry.title]


def test_pages_point_feed_readers_to_the_feeds(client, db):
    assert 'rel="alternate" type="application/atom+xml" href="/changes/feed/"' in client.get("/").content.decode()
    profile = client.get("/states/PHL/").content.decode()
    assert 'rel="alternate" type="application/atom+xml" href="/states/PHL/feed/"' in profile


def test_an_unknown_states_feed_is_404(client, db):
    assert client.get("/states/XYZ/feed/").status_code == 404


def test_a_draft_never_reaches_a_feed(client, as_user, editor, published_statement):
    as_user(editor).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="DRAFT ONLY", change_reason="DRAFTREASON"),
    )
    assert PositionStatement.objects.drafts().filter(summary="DRAFT ONLY").exists()
    client.logout()
    for url in ("/changes/feed/", "/states/FSM/feed/"):
        assert b"DRAFTREASON" not in client.get(url).content
