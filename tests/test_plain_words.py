"""Public pages speak plainly: no internal codes, no form placeholders, dates
and unassessed statements in words; an accessibility statement."""

import csv
import io
import re

import pytest
from django_filters import ChoiceFilter

from states.choices import CountingRule
from states.filters import StateFilter
from tests.helpers import public_urls, published_statement

INTERNAL_CODES = [rule.value for rule in CountingRule] + ["not_yet_researched", "state_party", "joined_not_in_force"]


def visible_text(page):
    """The page's text as a reader sees it: no tags, attributes or style."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_no_public_page_shows_an_internal_code(client, db):
    for url in public_urls():
        if url.endswith(".csv"):
            continue
        text = visible_text(client.get(url).content.decode())
        shown = [code for code in INTERNAL_CODES if code in text]
        assert shown == [], url
        assert "---------" not in text, url


def test_filter_menus_offer_any_rather_than_dashes(client, db):
    page = client.get("/states/").content.decode()
    menus = [name for name, menu in StateFilter.base_filters.items() if isinstance(menu, ChoiceFilter)]
    assert page.count('<option value="" selected>Any</option>') == len(menus) == 9
    assert "---------" not in page


def test_a_statement_not_yet_assessed_says_in_plain_words_that_it_is_not_counted(client, make_state, source):
    state = make_state()
    published_statement(state, "2024-10-10", "not_yet_researched", source)
    page = client.get(f"/states/{state.iso3}/").content.decode()
    assert "Not counted towards the state’s position on a convention." in page
    assert "assessed yet" not in page
    assert "Position shown:" not in page


def test_events_after_the_date_shown_read_naturally(client, db):
    page = client.get("/convention/", {"as_of": "2026-11-29"}).content.decode()
    assert re.search(
        r'<time datetime="2027-01-01">2027</time> <span class="badge">still to come on 29 November 2026</span>', page
    )
    assert "after the chosen date" not in page


def test_the_csv_keeps_its_codes_with_a_label_beside_each(client, db):
    rows = list(csv.DictReader(io.StringIO(client.get("/states/export.csv", {"as_of": "2023-04-13"}).content.decode())))
    header = list(rows[0])
    for code in ["un_regional_group", "subregion", "rome_statute_status", "position", "submission", "verification"]:
        assert header[header.index(code) + 1] == f"{code}_label"
    philippines = next(row for row in rows if row["iso3"] == "PHL")
    assert (philippines["rome_statute_status"], philippines["rome_statute_status_label"]) == ("withdrawn", "Withdrawn")
    assert (philippines["subregion"], philippines["subregion_label"]) == ("035", "South-eastern Asia")


@pytest.mark.parametrize("words", ["WCAG 2.2", "level AA", "How we test", "Known limits", "Report a barrier"])
def test_the_accessibility_statement_says_what_it_promises(client, db, words):
    assert words in client.get("/accessibility/").content.decode()


def test_every_page_links_to_the_accessibility_statement(client, db):
    assert 'href="/accessibility/"' in client.get("/states/PHL/").content.decode()


def test_change_times_are_valid_html_datetimes_in_whole_seconds(client, db):
    page = client.get("/changes/").content.decode()
    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) for stamp in stamps), stamps
