"""Every figure says what it rests on: how many of its states stand on a fact
verified against the primary record, on a secondary source only, or on
nothing checked. The map marks the weaker ones; the CSV names each source."""

import csv
import io
import re

from states.choices import ConventionPosition, CountingRule, Evidence, TreatyStatus, Verification
from states.models import State
from tests.helpers import day, published_action, published_statement


def test_figures_count_the_evidence_behind_each_category(make_state, rome_statute, source):
    checked, read_elsewhere, silent = make_state(), make_state(), make_state()
    published_statement(checked, "2024-01-01", "supports", source, verification=Verification.PRIMARY)
    published_statement(read_elsewhere, "2024-01-01", "supports", source, verification=Verification.SECONDARY)
    published_action(checked, rome_statute, "accession", "2010-01-01", source, verification=Verification.PRIMARY)
    states = State.objects.filter(pk__in=[checked.pk, read_elsewhere.pk, silent.pk])
    figures = states.figures(rome_statute, day("2026-11-29"))
    supports = figures.position_evidence[ConventionPosition.SUPPORTS]
    assert supports == {Evidence.PRIMARY: 1, Evidence.SECONDARY: 1, Evidence.NOT_CHECKED: 0}
    assert str(supports) == "1 verified against the primary record, 1 from a secondary source only"
    assert figures.treaty_status_evidence[TreatyStatus.STATE_PARTY][Evidence.PRIMARY] == 1
    # Two non-parties with no recorded action: nothing checked.
    assert figures.treaty_status_evidence[TreatyStatus.NON_PARTY][Evidence.NOT_CHECKED] == 2


def test_the_overview_says_what_each_count_rests_on(client, rome_statute):
    figures = State.objects.figures(rome_statute, day("2026-11-29"), CountingRule.ICC_ASIA_PACIFIC)
    page = client.get("/", {"as_of": "2026-11-29"}).content.decode()
    parties = figures.treaty_status_evidence[TreatyStatus.STATE_PARTY]
    assert f'<p class="evidence" id="rome-statute-parties-evidence">Evidence: {parties}.</p>' in page
    supports = figures.position_evidence[ConventionPosition.SUPPORTS]
    assert re.search(rf'id="positions-supports" value="{supports.total}">.*?<td class="evidence">{supports}</td>', page)
    assert "from a secondary source only" in str(supports)  # Malaysia and Thailand rest on one analysis


def test_the_convention_page_says_what_each_position_rests_on(client, db):
    page = client.get("/convention/", {"as_of": "2026-11-29"}).content.decode()
    supports = page[page.index("<h3>Supports a convention") :]
    assert re.match(
        r"<h3>Supports a convention <span class=\"count\">\(\d+\)</span></h3>\s*<p class=\"evidence\">Evidence: ",
        supports,
    )


def test_the_map_marks_states_whose_category_is_not_verified(client, db):
    page = client.get("/", {"as_of": "2026-11-29", "map": "position"}).content.decode()
    assert 'aria-label="Malaysia: Supports a convention (not yet verified)"' in page
    assert 'aria-label="Micronesia (Federated States of): Supports a convention"' in page
    assert 'aria-label="Cambodia: Not yet researched"' in page  # claims nothing, so nothing to verify
    assert "Dotted outline: the state's category rests on a secondary source or on nothing checked" in page


def test_the_csv_names_the_source_and_verification_behind_status_and_position(client, db):
    rows = csv.DictReader(io.StringIO(client.get("/states/export.csv", {"as_of": "2026-11-29"}).content.decode()))
    by_iso3 = {row["iso3"]: row for row in rows}
    malaysia = by_iso3["MYS"]
    assert malaysia["position_source"].startswith("https://")
    assert malaysia["position_verification"] == "secondary"
    assert malaysia["rome_statute_source"].startswith("https://www.thestar.com.my/")
    assert by_iso3["FSM"]["position_verification"] == "primary"
    assert by_iso3["KHM"]["position_source"] == "" and by_iso3["KHM"]["position_verification"] == ""
