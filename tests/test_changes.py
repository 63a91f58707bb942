"""/changes/: one entry for the initial data, then each change to what the
public sees, said truthfully and in words, linked to its record; filters and
numbered pages that never fail."""

import re

import pytest

from states.choices import ChangeKind, ConventionPosition, RecordKind
from states.management.commands.load_seed import SEEDED_MODELS
from states.models import PositionStatement, PublishedChange
from tests.helpers import publish_in_bulk, statement_fields, statement_form

STATEMENTS = "/admin/states/positionstatement/"


def rows(client, **query):
    page = client.get("/changes/", query).content.decode()
    return re.findall(r"<tr id=\"change-\d+\"><td[^>]*><time[^>]*>[^<]*</time></td>(.*?)</tr>", page, re.S)


def test_the_initial_data_is_one_entry_that_counts_every_record(client, db):
    seeded = sum(model.objects.count() for model in SEEDED_MODELS)  # whatever the seed holds today
    [initial] = PublishedChange.objects.all()
    assert initial.kind == ChangeKind.INITIAL_DATA
    assert initial.title == f"Initial data: {seeded} records from the coalition's research"
    assert len(rows(client)) == 1
    assert "Loaded from the seed data" not in " ".join(rows(client)[1:])


def test_a_publishers_change_says_what_changed_in_words_and_links_to_the_record(client, as_user, publisher, singapore):
    statement = PositionStatement.objects.published().filter(state=singapore, position="non_committal").last()
    as_user(publisher).post(
        f"{STATEMENTS}{statement.pk}/change/",
        statement_form(statement, position="supports_with_reservations", change_reason="Read the full statement"),
    )
    client.logout()
    [latest] = rows(client)[:1]
    assert '<td data-label="Change">Changed</td>' in latest
    assert "position shown: Non-committal → Supports negotiations with reservations" in latest
    title = f"Singapore: statement of {statement.display_date}, {statement.forum}"
    assert f'<a href="/states/SGP/" lang="en" dir="ltr">{title}</a>' in latest
    assert "Read the full statement" in latest


def test_a_published_draft_is_published_not_changed_and_a_draft_never_shows(
    client, as_user, editor, publisher, singapore, source
):
    draft = PositionStatement(**statement_fields(singapore, source))
    draft.save_change_by(editor, "A new statement, DRAFTLEAK")
    draft.research_note = "SECRET research trail"
    draft.save_change_by(editor, "Added a research note")
    assert "DRAFTLEAK" not in client.get("/changes/").content.decode()
    publish_in_bulk(as_user(publisher), STATEMENTS, draft)
    client.logout()
    latest = rows(client)[0]
    assert "Published after review" in latest
    page = client.get("/changes/").content.decode()
    assert "SECRET" not in page


def test_a_removal_is_said_and_not_linked(client, as_user, publisher, published_statement):
    as_user(publisher).post(f"{STATEMENTS}{published_statement.pk}/delete/", {"post": "yes"})
    client.logout()
    latest = rows(client)[0]
    assert '<td data-label="Change">Removed</td>' in latest
    assert "<a href" not in latest


def test_a_save_that_changes_nothing_public_writes_no_entry(publisher, published_statement):
    before = PublishedChange.objects.count()
    published_statement.research_note = "Checked the mission's site again."
    published_statement.save_change_by(publisher, "Research note only")
    assert PublishedChange.objects.count() == before


def test_unpublishing_a_fact_by_reverting_it_to_a_draft_is_a_removal(publisher, published_statement):
    published_statement.publication = "draft"
    published_statement._change_reason = "Reverted to a draft"
    published_statement.save()
    latest = PublishedChange.objects.first()
    assert (latest.kind, latest.record_kind) == (ChangeKind.REMOVED, RecordKind.POSITION_STATEMENT)


def test_changes_filter_by_state_and_kind(client, publisher, published_statement, singapore):
    published_statement.position = ConventionPosition.NON_COMMITTAL
    published_statement.save_change_by(publisher, "Micronesia re-read")
    singapore.public_note = "A note for readers."
    singapore._change_reason = "Singapore's note"
    singapore.save()
    assert [r for r in rows(client, state="FSM") if "Micronesia re-read" in r]
    assert not [r for r in rows(client, state="FSM") if "Singapore" in r]
    only_states = rows(client, record_kind="state")
    assert len(only_states) == 1 and "Singapore&#x27;s note" in only_states[0]


@pytest.mark.parametrize("page", ["%C2%B2", "²", "999999999999999999999", "-1", "abc", "0"])
def test_a_malformed_or_huge_page_number_gets_a_400_never_a_500(client, db, page):
    response = client.get("/changes/", {"page": page})
    assert response.status_code == 400
    assert "It accepts a page number from 1 to 1." in response.content.decode()


def test_changes_have_numbered_pages(client, make_state):
    for _ in range(60):
        make_state()
    page = client.get("/changes/").content.decode()
    assert 'aria-current="page">1</a>' in page
    assert '<a href="?page=2">2</a>' in page
    assert PublishedChange.objects.count() > 60
    assert len(rows(client, page="2")) == PublishedChange.objects.count() - 50


def test_an_unknown_state_in_the_filter_gets_a_clear_message(client, db):
    page = client.get("/changes/", {"state": "XXX"}).content.decode()
    assert "Select a valid choice" in page
