"""Every position label says whose words it rests on: the state's own, a
report of them, or an assessment, and the coalition's own readings are named
as the coalition's, never passed off as a state's statement."""

import csv
import io
import re

import tablib

from states.choices import WhoseWords
from states.models import PositionStatement
from states.resources import PositionStatementResource
from tests.helpers import new_statement_form, published_statement


def test_a_label_resting_on_the_coalitions_assessment_says_so_on_the_profile_the_api_and_the_csv(
    client, make_state, source
):
    state = make_state()
    published_statement(state, "2024-10-11", "supports", source, whose_words=WhoseWords.COALITION_ASSESSMENT)

    page = client.get(f"/states/{state.iso3}/").content.decode()
    assert f"The coalition&#x27;s own assessment, not a statement by {state.name}." in page
    assert 'data-whose-words="coalition_assessment"' in page
    standing = client.get(f"/api/v1/states/{state.iso3}/").json()["standing"]
    assert (standing["position"], standing["position_whose_words"]) == ("supports", "coalition_assessment")
    rows = csv.DictReader(io.StringIO(client.get("/states/export.csv").content.decode()))
    [row] = [row for row in rows if row["iso3"] == state.iso3]
    assert (row["position"], row["position_whose_words"]) == ("supports", "coalition_assessment")


def test_a_label_resting_on_the_states_own_words_says_so(client, make_state, source):
    state = make_state()
    published_statement(state, "2024-10-11", "supports", source, whose_words=WhoseWords.OWN_WORDS)
    assert f"Rests on {state.name}&#x27;s own words." in client.get(f"/states/{state.iso3}/").content.decode()


def test_the_overview_counts_whose_words_the_labels_rest_on(client, make_state, source):
    def shown():
        page = client.get("/").content.decode()
        return {
            kind: int(re.search(rf'id="labels-on-{kind}" value="(\d+)"', page).group(1))
            for kind in ("own-words", "reports", "the-coalitions-assessment", "an-analysts-assessment")
        }

    before = shown()
    published_statement(make_state(), "2024-10-11", "supports", source, whose_words=WhoseWords.COALITION_ASSESSMENT)
    published_statement(make_state(), "2024-10-11", "supports", source, whose_words=WhoseWords.ASSESSMENT)
    after = shown()
    assert after["the-coalitions-assessment"] == before["the-coalitions-assessment"] + 1
    assert after["an-analysts-assessment"] == before["an-analysts-assessment"] + 1
    assert after["own-words"] == before["own-words"]


def test_staff_choose_whose_words_for_a_new_statement_and_are_told_when_they_do_not(
    as_user, editor, make_state, source
):
    state = make_state()
    client = as_user(editor)
    page = client.get("/admin/states/positionstatement/add/").content.decode()
    assert re.search(r'<select name="whose_words"[^>]*>\s*<option value="" selected>', page)
    refused = client.post("/admin/states/positionstatement/add/", new_statement_form(state, source, whose_words=""))
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert not PositionStatement.objects.filter(state=state).exists()
    accepted = client.post("/admin/states/positionstatement/add/", new_statement_form(state, source))
    assert accepted.status_code == 302  # the same form, with whose words chosen
    assert PositionStatement.objects.get(state=state).whose_words == WhoseWords.OWN_WORDS


def test_an_imported_statement_must_say_whose_words_it_rests_on(editor, make_state, source):
    state = make_state()
    sheet = tablib.Dataset(headers=["state", "date", "forum", "summary", "position", "source", "verification"])
    sheet.append([state.iso3, "2026-11-20", "PrepCom", "Imported.", "supports", source.url, "primary"])
    result = PositionStatementResource().import_data(sheet, dry_run=True, user=editor)
    [row] = result.invalid_rows
    assert "Say whose words the position rests on" in " ".join(row.error_dict["whose_words"])
    assert not PositionStatement.objects.filter(state=state).exists()
