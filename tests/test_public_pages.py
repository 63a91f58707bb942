"""The public pages: stable addresses, real figures, a fixed number of queries."""

import csv
import gzip
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from states.choices import Publication, TreatyActionType
from states.models import PositionStatement, Source, State, TreatyAction, WrittenSubmission
from tests.helpers import day, published_ask, statement_fields

PAGES = [
    "/?as_of=2023-04-13",
    "/?as_of=2023-04-13&map=position",
    "/?map=submission",
    "/states/",
    "/states/?status=state_party&sort=-position",
    "/states/export.csv?subregion=035",
    "/states/PHL/",
    "/compare/?states=PHL,IDN,MYS",
    "/convention/",
    "/next-steps/",
    "/next-steps/export.csv",
    "/about/",
    "/accessibility/",
    "/changes/",
    "/corrections/new/?state=PHL",
]
# What partners read (API, feeds, embeds, the data package), and pages in another language.
FOR_PARTNERS = [
    "/api/v1/states/?page_size=200",
    "/api/v1/states/PHL/",
    "/api/v1/states/?status=state_party",  # a filter that reads the standings: every state's computed
    "/api/v1/statements/?page_size=500",
    "/api/v1/figures/",
    "/api/v1/next-steps/",
    "/api/v1/changes/",
    "/changes/feed/",
    "/states/PHL/feed/",
    "/embed/figure/rome-statute-parties.svg",
    "/embed/map/",
    "/embed/state/PHL/",
    "/data/cah-tracker.zip",
    "/th/",
    "/ar/states/",
]


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def ten_times_the_states(make_state, rome_statute, source):
    """Add nine more states for each tracked one, with actions and statements."""

    def grow():
        for n in range(549):
            state = make_state()
            TreatyAction.objects.create(
                publication=Publication.PUBLISHED,
                state=state,
                treaty=rome_statute,
                action_type=TreatyActionType.ACCESSION,
                date="2010-01-01",
                source=source,
            )
            if n % 5 == 0:
                published_ask(state, rome_statute, source, on="2024-01-01")
            if n % 3 == 0:
                PositionStatement.objects.create(
                    publication=Publication.PUBLISHED,
                    state=state,
                    date="2024-01-01",
                    forum="Test",
                    summary="…",
                    position="supports",
                    source=source,
                )

    return grow


def test_public_page_queries_stay_the_same_with_ten_times_the_states(client, ten_times_the_states):
    # Every page is measured before and after one growth: growing the data is the slow part.
    baseline = {}
    for path in PAGES + FOR_PARTNERS:
        with CaptureQueriesContext(connection) as counted:
            assert client.get(path).status_code == 200, path
        baseline[path] = len(counted)
    # A profile and the CSV read the coalition's asks in one query more than the standings' own.
    assert max(baseline[path] for path in PAGES) <= 9, {path: count for path, count in baseline.items() if count > 9}
    assert baseline["/data/cah-tracker.zip"] <= 10  # one query for each of its eight files
    ten_times_the_states()
    for path in PAGES + FOR_PARTNERS:
        with CaptureQueriesContext(connection) as counted:
            assert client.get(path).status_code == 200, path
        assert len(counted) == baseline[path], path


@pytest.mark.parametrize(("before", "after"), [("2019-03-16", "2019-03-17"), ("2020-01-31", "2020-02-01")])
def test_every_figure_on_the_overview_follows_the_date(client, db, before, after):
    figures = {}
    for on in (before, after):
        page = client.get("/", {"as_of": on}).content.decode()
        figures[on] = dict(re.findall(r'<data id="([a-z-]+)" value="(\d+)"', page))
    assert figures[before]["rome-statute-parties"] != figures[after]["rome-statute-parties"]
    assert set(figures[before]) >= {
        "rome-statute-parties",
        "rome-statute-signatories",
        "rome-statute-withdrawn",
        "rome-statute-non-parties",
        "positions-researched",
    }


def test_philippines_turns_withdrawn_on_the_map_on_17_march_2019(client, db):
    before = client.get("/", {"as_of": "2019-03-16"}).content.decode()
    after = client.get("/", {"as_of": "2019-03-17"}).content.decode()
    assert 'aria-label="Philippines: State Party (not yet verified)"' in before
    assert 'aria-label="Philippines: Withdrawn (not yet verified)"' in after


def test_map_shows_every_tracked_state_as_a_link_with_its_name(client, db):
    page = client.get("/", {"as_of": "2023-04-13"}).content.decode()
    links = re.findall(r'<a href="/states/([A-Z]{3})/" aria-label="([^"]+)"', page)
    assert len(links) == 61
    assert ("KIR", "Kiribati: State Party (not yet verified)") in links
    assert len(re.findall(r'<circle class="marker', page)) >= 10  # small island states are visible


def test_map_switches_to_positions_and_submissions(client, source):
    """On a state the map draws, whatever the seed says of it: its records are the test's own."""
    singapore = State.objects.get(iso3="SGP")
    WrittenSubmission.objects.filter(state=singapore).delete()
    submissions = client.get("/", {"map": "submission", "as_of": "2030-01-01"}).content.decode()
    assert 'aria-label="Singapore: Not yet researched"' in submissions
    published = {"state": singapore, "source": source, "verification": "primary", "publication": Publication.PUBLISHED}
    WrittenSubmission.objects.create(status="made", submitted_on=day("2029-12-01"), **published)
    PositionStatement.objects.create(
        date=day("2029-12-02"), forum="A made-up meeting", summary="S", position="opposes_or_sceptical", **published
    )
    submissions = client.get("/", {"map": "submission", "as_of": "2030-01-01"}).content.decode()
    assert 'aria-label="Singapore: Made a submission"' in submissions
    positions = client.get("/", {"map": "position", "as_of": "2030-01-01"}).content.decode()
    assert 'aria-label="Singapore: Opposes or sceptical"' in positions


def test_csv_export_returns_exactly_the_rows_of_the_table(client, db):
    query = {"as_of": "2023-04-13", "in_counting_rule": "yes", "status": "state_party"}
    table = client.get("/states/", query).content.decode()
    names_in_table = re.findall(r'<th scope="row"><a href="/states/[A-Z]{3}/">([^<]+)</a>', table)
    rows = csv_rows(client.get("/states/export.csv", query))
    assert [row["name"] for row in rows] == names_in_table
    assert len(rows) == 19


def test_csv_export_agrees_with_the_headline_figure(client, db):
    page = client.get("/", {"as_of": "2023-04-13"}).content.decode()
    headline = int(re.search(r'id="rome-statute-parties" value="(\d+)"', page).group(1))
    rows = csv_rows(client.get("/states/export.csv", {"as_of": "2023-04-13"}))
    counted_parties = [r for r in rows if r["in_counting_rule"] == "yes" and r["rome_statute_status"] == "state_party"]
    assert len(counted_parties) == headline == 19


def test_csv_export_has_the_promised_columns_and_status_values(client, db):
    response = client.get("/states/export.csv", {"as_of": "2019-03-10"})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert {
        "iso3",
        "name",
        "in_counting_rule",
        "rome_statute_status",
        "position",
        "submission",
        "last_verified",
    } <= set(rows[0])
    statuses = {row["iso3"]: row["rome_statute_status"] for row in rows}
    assert statuses["MYS"] == "joined_not_in_force"
    assert statuses["PHL"] == "state_party"
    assert statuses["THA"] == "signatory"
    assert statuses["IND"] == "non_party"
    assert {row["rome_statute_status"] for row in rows} <= {
        "not_intending_to_be_party",
        "state_party",
        "joined_not_in_force",
        "signatory",
        "withdrawn",
        "non_party",
    }


def test_state_table_filters_search_and_sorts_from_the_query_string(client, db):
    page = client.get("/states/", {"q": "korea", "sort": "-name"}).content.decode()
    names = re.findall(r'<th scope="row"><a href="/states/[A-Z]{3}/">([^<]+)</a>', page)
    assert names == ["Republic of Korea", "Democratic People&#x27;s Republic of Korea"]
    outside = client.get("/states/", {"in_counting_rule": "no"}).content.decode()
    assert outside.count("outside the count</span>") == 5


def test_state_table_rejects_an_unknown_filter_value_with_a_message(client, db):
    response = client.get("/states/", {"status": "maybe"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_state_profile_lists_dated_events_with_their_sources(client, db):
    page = client.get("/states/PHL/", {"as_of": "2023-04-13"}).content.decode()
    assert 'data-status="withdrawn"' in page
    assert "Withdrawal takes effect (art. 127)" in page
    assert "17 March 2019" in page
    assert "https://www.icc-cpi.int/news/icc-statement-philippines-notice-withdrawal" in page
    assert "Secondary source only" in page


def test_lowercase_state_code_redirects_to_the_canonical_address(client, db):
    response = client.get("/states/phl/", {"as_of": "2020-01-01"})
    assert response.status_code == 301
    assert response["Location"] == "/states/PHL/?as_of=2020-01-01"


@pytest.mark.parametrize("path", ["/states/XYZ/", "/states/PHL-garbage/", "/nowhere/"])
def test_unknown_addresses_get_a_404_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_compare_shows_chosen_states_side_by_side_and_names_unknown_codes(client, db):
    page = client.get("/compare/", {"states": "PHL,idn,MYS,QQQ"}).content.decode()
    assert re.findall(r'<th scope="col"><a href="/states/([A-Z]{3})/">', page) == ["PHL", "IDN", "MYS"]
    assert "No tracked state has the code QQQ" in page


def test_convention_page_lists_the_process_and_the_deadline_for_written_comments(client, db):
    page = client.get("/convention/", {"as_of": "2026-11-29"}).content.decode()
    assert "A/RES/79/122" in page
    assert "by the end of 2023" in page
    assert "Micronesia (Federated States of)" in page


def test_about_page_defines_every_category(client, db):
    page = client.get("/about/").content.decode()
    for label in ["Joined, not yet in force", "No public position", "Not yet researched", "Secondary source only"]:
        assert label in page


@pytest.mark.parametrize("path", ["/", "/states/", "/states/PHL/", "/compare/", "/convention/", "/about/"])
def test_no_page_loads_anything_from_another_site(client, db, path):
    page = client.get(path).content.decode()
    # Links to this page in other languages (hreflang) are absolute, as search engines want, but load nothing.
    assert not re.search(r'<(script|link|img)(?![^>]*rel="alternate")[^>]+(src|href)="https?://', page)
    assert "<script" not in page


def test_the_overview_with_its_inline_map_is_sent_compressed(client, db):
    response = client.get("/", {"as_of": "2023-04-13"}, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 80_000


@pytest.mark.parametrize("path", ["/states/", "/states/PHL/", "/convention/", "/changes/", "/about/", "/sitemap.xml"])
def test_every_public_page_is_sent_compressed_to_a_browser_that_accepts_it(client, db, path):
    compressed = client.get(path, headers={"accept-encoding": "gzip"})
    plain = client.get(path)
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content and not plain.has_header("Content-Encoding")


def test_staff_pages_are_never_compressed_so_breach_has_nothing_to_measure(as_user, publisher):
    page = as_user(publisher).get("/admin/states/positionstatement/", headers={"accept-encoding": "gzip"})
    assert page.status_code == 200 and not page.has_header("Content-Encoding")
    signed_in_public_page = as_user(publisher).get("/states/", headers={"accept-encoding": "gzip"})
    assert not signed_in_public_page.has_header("Content-Encoding")  # it may hold a form token


def test_about_lists_the_sources_of_public_facts_only(client, editor, singapore):
    draft_only = Source.objects.create(url="https://example.org/draft-only", title="Cited by a draft only")
    PositionStatement(**statement_fields(singapore, draft_only)).save_change_by(editor, "Drafted")
    page = client.get("/about/").content.decode()
    assert "Cited by a draft only" not in page
    listed = [
        html.unescape(url)
        for url in re.findall(r'<li><a href="([^"]+)" rel="external noopener" lang="en" dir="ltr">', page)
    ]
    assert listed == list(
        Source.objects.backing_public_facts().order_by("publisher", "title").values_list("url", flat=True)
    )
    assert "https://treaties.un.org/" in " ".join(listed)  # the treaty's own source


def test_about_names_the_states_outside_the_headline_count_from_the_records(client, make_state, rome_statute):
    page = client.get("/about/").content.decode()
    assert "Armenia, Azerbaijan, Georgia, Israel, Türkiye." in page
    make_state(name="Testland Outside", in_icc_asia_pacific=False)
    assert "Israel, Testland Outside, Türkiye." in client.get("/about/").content.decode()
    entered = rome_statute.entered_into_force_on.strftime("%-d %B %Y")
    assert f"entered into force on {entered}." in page


def test_the_compare_picker_is_a_list_of_boxes_to_tick_with_the_chosen_ones_ticked(client, db):
    page = client.get("/compare/", {"states": "PHL,IDN"}).content.decode()
    assert "<select" not in page and "multiple" not in page
    ticked = re.findall(r'<input type="checkbox" name="states" value="([A-Z]{3})" checked>', page)
    assert sorted(ticked) == ["IDN", "PHL"]
    assert page.count('type="checkbox" name="states"') == State.objects.count()
