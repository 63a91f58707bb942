"""Feeds of the public list of changes, all of them and one state's, read
with feedparser as a feed reader would."""

import html
import re

import feedparser
import pytest

from states.models import PositionStatement, PublishedChange, State
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


def test_each_entry_id_is_an_absolute_iri_as_atom_requires(client, db):
    _response, feed = read(client, "/changes/feed/")
    assert feed.entries and all(entry.id.startswith("http://testserver/changes/#change-") for entry in feed.entries)


def test_a_feed_with_no_change_is_as_old_as_the_record_not_the_request(client, db):
    state = State.objects.exclude(published_changes__isnull=False).first()
    first = PublishedChange.objects.order_by("made_at").first()
    _response, feed = read(client, f"/states/{state.iso3}/feed/")
    assert not feed.entries
    assert feed.feed.updated_parsed[:6] == first.made_at.utctimetuple()[:6]


def test_entry_titles_do_not_repeat_their_kind(client, db):
    _response, feed = read(client, "/changes/feed/")
    assert not any(entry.title.startswith("Initial data: Initial data") for entry in feed.entries)
    assert any(entry.title.startswith("Initial data: ") for entry in feed.entries)


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FEED_READER = "application/atom+xml,application/rss+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7"


@pytest.mark.parametrize("url", ["/changes/feed/", "/changes/feed/rss/", "/states/PHL/feed/"])
def test_a_browser_opening_a_feed_gets_a_page_saying_how_to_follow_it_with_the_same_entries(client, db, url):
    _response, feed = read(client, url)
    page = client.get(url, headers={"accept": BROWSER})
    assert page["Content-Type"].startswith("text/html") and "Accept" in page["Vary"]
    text = page.content.decode()
    assert '<h2 id="follow-title">How to follow these changes</h2>' in text
    assert f'value="http://testserver{url}" readonly' in text  # the address to copy into a reader
    titles = [html.unescape(title) for title in re.findall(r'<a href="[^"]+" dir="auto">([^<]+)</a>', text)]
    assert titles == [entry.title for entry in feed.entries]


@pytest.mark.parametrize("accept", [None, "*/*", FEED_READER, "application/rss+xml"])
def test_a_feed_reader_gets_the_feed_whatever_it_accepts(client, db, accept):
    response = client.get("/changes/feed/", headers={"accept": accept} if accept else {})
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "Accept" in response["Vary"]
    assert not feedparser.parse(response.content).bozo


def test_the_page_cache_keeps_a_feed_and_its_page_apart(client, db, settings):
    settings.PUBLIC_PAGE_CACHE = True
    for _round in range(2):  # the second round is served from the cache, before any view
        assert client.get("/changes/feed/", headers={"accept": BROWSER})["Content-Type"].startswith("text/html")
        feed = client.get("/changes/feed/", headers={"accept": FEED_READER})
        assert feed["Content-Type"].startswith("application/atom+xml")
    assert feed["ETag"] != client.get("/changes/feed/", headers={"accept": BROWSER})["ETag"]


def test_a_feeds_page_speaks_the_readers_language(client, db):
    page = client.get("/id/changes/feed/", headers={"accept": BROWSER}).content.decode()
    assert '<html lang="id"' in page
    assert "How to follow these changes" not in page


def test_every_change_says_what_changed_in_words(client, db):
    page = client.get("/changes/").content.decode()
    cells = re.findall(r'<td data-label="What changed">(.*?)</td>', page, re.S)
    assert cells and all(re.sub(r"<[^>]+>", "", cell).strip() not in ("", "—") for cell in cells)
