"""Where to push: the states at each next step, computed from the records, on
the page, in the CSV and in the API alike."""

import csv
import io
import re

import pytest

from states.choices import ConventionPosition, SubmissionStatus, TreatyActionType, TreatyStatus
from states.dimensions import NEXT_STEPS
from states.models import State, Treaty
from tests.helpers import comments_made, day, published_action, published_ask, published_statement


@pytest.fixture
def mutual_legal_assistance(source):
    """An open treaty states sign, then ratify (as the Ljubljana–The Hague Convention)."""
    return Treaty.objects.create(
        slug="test-mla", short_name="Test MLA convention", title="T", adopted_on=day("2023-05-26"), source=source
    )


def steps_of(states, on):
    figures = State.objects.filter(pk__in=[state.pk for state in states]).figures(as_of=day(on))
    return {at_step.step.code: [standing.state for standing in at_step.standings] for at_step in figures.next_steps()}


def test_each_state_is_listed_at_the_steps_its_records_leave_open(make_state, rome_statute, source):
    signed, joined, withdrew, never = make_state(), make_state(), make_state(), make_state()
    published_action(signed, rome_statute, TreatyActionType.SIGNATURE, "2000-01-10", source)
    published_action(joined, rome_statute, TreatyActionType.ACCESSION, "2010-01-10", source)
    published_action(withdrew, rome_statute, TreatyActionType.ACCESSION, "2010-01-10", source)
    published_action(withdrew, rome_statute, TreatyActionType.WITHDRAWAL, "2018-03-17", source)
    published_statement(joined, "2024-10-10", ConventionPosition.SUPPORTS, source)
    published_statement(signed, "2024-10-10", ConventionPosition.NON_COMMITTAL, source)
    comments_made(joined, "2023-11-30", source).save()
    steps = steps_of([signed, joined, withdrew, never], "2026-01-15")
    assert steps["ratify_rome_statute"] == [signed]
    assert set(steps["accede_rome_statute"]) == {withdrew, never}
    # Non-committal, or nobody has researched it yet: both still to be won over.
    assert set(steps["state_a_position"]) == {signed, withdrew, never}
    assert set(steps["written_comments"]) == {signed, withdrew, never}


def test_a_state_joins_a_list_only_from_the_date_its_record_puts_it_there(make_state, rome_statute, source):
    state = make_state()
    published_action(state, rome_statute, TreatyActionType.ACCESSION, "2010-01-10", source)
    published_action(state, rome_statute, TreatyActionType.WITHDRAWAL, "2018-03-17", source)
    assert state not in steps_of([state], "2018-06-01")["accede_rome_statute"]  # withdrawal not yet in effect
    assert state in steps_of([state], "2019-03-17")["accede_rome_statute"]


def test_an_open_treaty_states_sign_lists_its_signatories_not_yet_party(make_state, mutual_legal_assistance, source):
    signed, ratified = make_state(), make_state()
    for state in (signed, ratified):
        published_action(state, mutual_legal_assistance, TreatyActionType.SIGNATURE, "2024-02-14", source)
    published_action(ratified, mutual_legal_assistance, TreatyActionType.RATIFICATION, "2025-05-01", source)
    assert steps_of([signed, ratified], "2026-01-15")["ratify_test_mla"] == [signed]


def test_a_treaty_not_yet_open_asks_nothing_yet(make_state, source):
    Treaty.objects.create(slug="test-cah", short_name="Test CAH convention", title="T", source=source)
    assert "ratify_test_cah" not in steps_of([make_state()], "2026-01-15")


def test_a_state_nobody_has_researched_is_listed_as_not_yet_researched_not_as_having_refused(
    client, make_state, rome_statute, source
):
    state = make_state()
    page = client.get("/next-steps/").content.decode()
    section = page.split('id="written_comments"')[1].split("</section>")[0]
    row = re.search(rf'<a href="/states/{state.iso3}/">[^<]+</a></th><td>([^<]+)</td><td>([^<]+)</td>', section)
    assert row.groups() == (str(SubmissionStatus.NOT_YET_RESEARCHED.label), "Not checked against a source")


def test_the_page_the_csv_and_the_api_list_the_same_states_at_each_step(client, db):
    page = client.get("/next-steps/", {"as_of": "2026-11-29"}).content.decode()
    on_page = {
        code: re.findall(r'<th scope="row"><a href="/states/([A-Z]{3})/">', section.split("</section>")[0])
        for code, section in re.findall(r'<section id="([a-z_]+)"(.*?)</section>', page, re.S)
    }
    rows = csv.DictReader(io.StringIO(client.get("/next-steps/export.csv", {"as_of": "2026-11-29"}).content.decode()))
    in_csv = {}
    for row in rows:
        assert row["as_of"] == "2026-11-29"
        in_csv.setdefault(row["step"], []).append(row["iso3"])
    api = client.get("/api/v1/next-steps/", {"as_of": "2026-11-29"}).json()
    in_api = {step["code"]: [state["iso3"] for state in step["states"]] for step in api["steps"]}
    assert (
        {code: states for code, states in on_page.items() if states}
        == in_csv
        == {code: states for code, states in in_api.items() if states}
    )
    assert set(on_page) == set(in_api) >= {"ratify_rome_statute", "accede_rome_statute", "written_comments"}
    assert all(step["count"] == len(step["states"]) == sum(step["evidence"].values()) for step in api["steps"])


@pytest.mark.parametrize("url", ["/next-steps/", "/next-steps/export.csv", "/api/v1/next-steps/"])
def test_a_date_that_is_not_one_is_refused_with_a_clear_message(client, db, url):
    response = client.get(url, {"as_of": "2026-13-40"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_the_api_root_lists_the_next_steps(client, db):
    assert client.get("/api/v1/").json()["next_steps"] == "http://testserver/api/v1/next-steps/"


def test_no_status_outside_the_dimension_is_asked_for(db):
    for step in NEXT_STEPS:
        assert set(step.categories) <= set(step.dimension.categories), step.code
    assert TreatyStatus.STATE_PARTY not in {category for step in NEXT_STEPS for category in step.categories}


def test_a_states_row_carries_the_coalitions_ask_under_the_steps_instrument(client, make_state, rome_statute, source):
    state = make_state()
    published_ask(state, rome_statute, source, ask="Accede to the Rome Statute this year")
    page = client.get("/next-steps/").content.decode()
    accede = page.split('id="accede_rome_statute"')[1].split("</section>")[0]
    assert '<span lang="en" dir="auto">Accede to the Rome Statute this year</span>' in accede
    # Not under the convention's steps: the ask is the Rome Statute's.
    assert "this year" not in page.split('id="state_a_position"')[1].split("</section>")[0]
    rows = csv.DictReader(io.StringIO(client.get("/next-steps/export.csv").content.decode()))
    asked = {(row["step"], row["coalition_ask"]) for row in rows if row["iso3"] == state.iso3}
    assert ("accede_rome_statute", "Accede to the Rome Statute this year") in asked
    assert ("written_comments", "") in asked
    api = client.get("/api/v1/next-steps/").json()
    [listed] = [
        entry
        for step in api["steps"]
        if step["code"] == "accede_rome_statute"
        for entry in step["states"]
        if entry["iso3"] == state.iso3
    ]
    assert listed["coalition_ask"] == "Accede to the Rome Statute this year"


def test_a_profile_its_api_record_and_its_csv_row_name_the_steps_the_state_is_at(
    client, make_state, rome_statute, source
):
    state = make_state()
    published_action(state, rome_statute, TreatyActionType.SIGNATURE, "2000-01-10", source)
    published_statement(state, "2024-10-10", ConventionPosition.SUPPORTS, source)
    expected = ["ratify_rome_statute", "written_comments"]  # it supports a convention: no step there
    profile = client.get(f"/states/{state.iso3}/").content.decode()
    assert re.findall(r'<li id="step-([a-z_]+)"><a href="/next-steps/#\1">', profile) == expected
    assert client.get(f"/api/v1/states/{state.iso3}/").json()["next_steps"] == expected
    rows = csv.DictReader(io.StringIO(client.get("/states/export.csv").content.decode()))
    assert next(row for row in rows if row["iso3"] == state.iso3)["next_steps"] == " | ".join(expected)
