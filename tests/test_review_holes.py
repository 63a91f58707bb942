"""Review cannot be bypassed: the side doors an Editor found (issue 10), each
shut. Every write path goes through the same permission and review rules as
the change form."""

import datetime

import pytest
import tablib
from django.forms.models import model_to_dict

from states.admin import TreatyAdmin
from states.choices import ChangeKind, ConventionPosition, Publication
from states.models import PositionStatement, PublishedChange, Source, State, Treaty
from states.resources import TreatyResource
from tests.helpers import new_statement_form, publish_in_bulk, state_page_form, statement_form

STATEMENTS = "/admin/states/positionstatement/"


def posted(instance, form_fields, **changes):
    """A change form's fields for ``instance``, as a browser posts them."""
    values = model_to_dict(instance, fields=form_fields)
    for name, value in values.items():
        if value is None:
            values[name] = ""
        elif isinstance(value, datetime.date):
            values[name] = value.isoformat()
    return {**values, **changes}


def treaty_form(treaty, **changes):
    fields = [name for name in TreatyAdmin.form.base_fields if name not in {"change_reason", "seen_version"}]
    return posted(
        treaty, fields + ["source"], seen_version=treaty.version, change_reason="Corrected the period", **changes
    )


# --- 1. The treaty's rules, through the history page ---------------------------------------


def test_an_editor_cannot_change_the_rome_statute_through_its_history_page(client, as_user, editor):
    treaty = Treaty.objects.rome_statute()
    earlier = treaty.history.earliest()
    url = f"/admin/states/treaty/{treaty.pk}/history/{earlier.history_id}/"
    before = client.get("/states/BGD/").content
    response = as_user(editor).post(url, treaty_form(treaty, entry_into_force_period=1))
    assert response.status_code == 403
    treaty.refresh_from_db()
    assert treaty.entry_into_force_period == 60
    client.logout()
    assert client.get("/states/BGD/").content == before


def test_the_history_page_offers_an_editor_no_revert_button(as_user, editor):
    treaty = Treaty.objects.rome_statute()
    page = as_user(editor).get(f"/admin/states/treaty/{treaty.pk}/history/{treaty.history.earliest().history_id}/")
    assert page.status_code == 200
    assert "Revert" not in page.content.decode().split("<h1>")[1].split("</h1>")[0]


def test_an_editor_cannot_change_a_states_own_fields_through_its_history_page(as_user, editor, publisher):
    singapore = State.objects.get(iso3="SGP")
    form = state_page_form(singapore, reason="Renamed")
    form["name"] = "Singapura"
    as_user(publisher).post(f"/admin/states/state/{singapore.pk}/change/", form)
    renamed = State.objects.get(pk=singapore.pk)
    assert renamed.name == "Singapura"
    earlier = renamed.history.filter(name="Singapore").first()
    revert = state_page_form(renamed, reason="Back to the old name")
    response = as_user(editor).post(f"/admin/states/state/{singapore.pk}/history/{earlier.history_id}/", revert)
    assert response.status_code == 403
    assert State.objects.get(pk=singapore.pk).name == "Singapura"


# --- 2. Unpublishing through a revert to a draft-era version ------------------------------


@pytest.fixture
def statement_with_a_draft_past(as_user, editor, publisher, singapore, source):
    """A statement an editor drafted and a publisher published: its history
    starts with draft-era versions."""
    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(singapore, source))
    draft = PositionStatement.objects.drafts().get(state=singapore)
    publish_in_bulk(as_user(publisher), STATEMENTS, draft)
    statement = PositionStatement.objects.get(pk=draft.pk)
    assert statement.is_published
    return statement


def test_an_editors_revert_to_a_draft_era_version_is_a_draft_and_unpublishes_nothing(
    client, as_user, editor, statement_with_a_draft_past
):
    statement = statement_with_a_draft_past
    draft_era = statement.history.filter(publication=Publication.DRAFT).earliest()
    removals = PublishedChange.objects.filter(kind=ChangeKind.REMOVED).count()
    response = as_user(editor).post(
        f"{STATEMENTS}{statement.pk}/history/{draft_era.history_id}/",
        statement_form(statement, summary="Reverted summary", change_reason="Revert"),
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.is_published and statement.summary != "Reverted summary"
    assert statement.pending_drafts.get().summary == "Reverted summary"
    assert PublishedChange.objects.filter(kind=ChangeKind.REMOVED).count() == removals
    client.logout()
    assert "Supports" in client.get("/states/SGP/").content.decode()


def test_a_publishers_revert_to_a_draft_era_version_keeps_the_fact_public(
    as_user, publisher, statement_with_a_draft_past
):
    statement = statement_with_a_draft_past
    draft_era = statement.history.filter(publication=Publication.DRAFT).earliest()
    as_user(publisher).post(
        f"{STATEMENTS}{statement.pk}/history/{draft_era.history_id}/",
        statement_form(statement, summary="Reverted by a publisher", change_reason="Revert"),
    )
    statement.refresh_from_db()
    assert statement.is_published and statement.summary == "Reverted by a publisher"


def test_unpublishing_is_a_publishers_action_that_the_public_changes_show(
    client, as_user, editor, publisher, statement_with_a_draft_past
):
    statement = statement_with_a_draft_past
    selected = {"action": "withdraw", "_selected_action": [statement.pk]}
    as_user(editor).post(STATEMENTS, selected)
    statement.refresh_from_db()
    assert statement.is_published  # editors are not offered the action
    as_user(publisher).post(STATEMENTS, selected)
    statement.refresh_from_db()
    assert not statement.is_published
    client.logout()
    changes = client.get("/changes/", {"state": "SGP"}).content.decode()
    assert "Removed" in changes and "Withdrawn from the public record" in changes


# --- 3. Sources -------------------------------------------------------------------------


def test_an_editor_cannot_repoint_a_source_that_backs_public_facts(client, as_user, editor):
    source = Source.objects.backing_public_facts().filter(url__contains="icc-cpi").first() or Source.objects.first()
    form = {"url": "https://attacker.example.net/fake-icc", "title": source.title, "change_reason": "Moved"}
    response = as_user(editor).post(f"/admin/states/source/{source.pk}/change/", form)
    assert response.status_code == 403
    source.refresh_from_db()
    assert "attacker" not in source.url


def test_an_editor_cannot_import_sources(as_user, editor):
    assert as_user(editor).get("/admin/states/source/import/").status_code == 403


def test_an_editor_may_still_add_a_new_source_for_a_draft(as_user, editor):
    form = {"url": "https://www.un.org/en/ga/sixth/79/", "title": "Sixth Committee, 79th session"}
    response = as_user(editor).post("/admin/states/source/add/", {**form, "change_reason": "Needed for a draft"})
    assert response.status_code == 302
    assert Source.objects.filter(url=form["url"]).exists()


# --- 4. The version check ------------------------------------------------------------------


@pytest.mark.parametrize("seen", [None, ""])
def test_a_save_without_the_version_it_was_opened_at_is_refused(as_user, publisher, published_statement, seen):
    form = statement_form(published_statement, summary="Saved blind.")
    if seen is None:
        del form["seen_version"]
    else:
        form["seen_version"] = seen
    response = as_user(publisher).post(f"{STATEMENTS}{published_statement.pk}/change/", form)
    assert response.status_code == 200
    assert "Open the record again" in response.content.decode()
    published_statement.refresh_from_db()
    assert published_statement.summary != "Saved blind."


# --- 6. A draft's reason on /changes/ -------------------------------------------------------


def test_an_inline_draft_on_a_state_page_puts_nothing_on_the_public_changes(client, as_user, editor):
    malaysia = State.objects.get(iso3="MYS")
    statement = PositionStatement.objects.published().filter(state=malaysia).first()
    values = {
        "id": statement.pk,
        "date": statement.date.isoformat(),
        "date_precision": statement.date_precision,
        "forum": statement.forum,
        "summary": "Malaysia now opposes the convention.",
        "quote": statement.quote,
        "position": ConventionPosition.OPPOSES_OR_SCEPTICAL,
        "whose_words": statement.whose_words,
        "source": statement.source_id,
        "verification": statement.verification,
        "seen_version": statement.version,
    }
    form = state_page_form(malaysia, statements=[values], reason="DRAFTLEAK: Malaysia now opposes")
    response = as_user(editor).post(f"/admin/states/state/{malaysia.pk}/change/", form)
    assert response.status_code == 302
    assert statement.pending_drafts.exists()
    client.logout()
    assert "DRAFTLEAK" not in client.get("/changes/").content.decode()
    assert not PublishedChange.objects.filter(reason__contains="DRAFTLEAK").exists()


def test_saving_a_state_page_with_no_change_puts_nothing_on_the_public_changes(as_user, publisher):
    malaysia = State.objects.get(iso3="MYS")
    before = PublishedChange.objects.count()
    form = state_page_form(malaysia, reason="Opened and saved, nothing changed")
    response = as_user(publisher).post(f"/admin/states/state/{malaysia.pk}/change/", form)
    assert response.status_code == 302
    assert PublishedChange.objects.count() == before


# --- 7. Only web addresses, on every path ---------------------------------------------------


@pytest.mark.parametrize("address", ["javascript:alert(document.cookie)", "ftp://files.example.org/x", "data:,x"])
def test_a_treaty_import_refuses_an_address_that_is_not_http_or_https(publisher, address):
    treaty = Treaty.objects.rome_statute()
    dataset = TreatyResource().export(queryset=Treaty.objects.filter(pk=treaty.pk))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row["depositary_record_url"] = address
    changed = tablib.Dataset(tuple(row.values()), headers=list(row))
    result = TreatyResource().import_data(changed, dry_run=False, use_transactions=True, user=publisher)
    assert result.has_validation_errors() or result.has_errors()
    treaty.refresh_from_db()
    assert treaty.depositary_record_url.startswith("https://")


@pytest.mark.parametrize("address", ["javascript:alert(1)", "ftp://files.example.org/x"])
def test_a_source_form_refuses_an_address_that_is_not_http_or_https(as_user, publisher, address):
    response = as_user(publisher).post(
        "/admin/states/source/add/", {"url": address, "title": "Bad", "change_reason": "Test"}
    )
    assert response.status_code == 200
    assert not Source.objects.filter(title="Bad").exists()


# --- 8. The research queue and the lock list --------------------------------------------------


def test_the_research_queue_is_closed_to_staff_in_no_group(as_user, db):
    from tests.helpers import staff_user

    nobody = staff_user("no_group")
    assert as_user(nobody).get("/admin/research-queue/").status_code == 403


def test_publishers_can_see_and_lift_sign_in_locks(as_user, publisher):
    assert as_user(publisher).get("/admin/axes/accessattempt/").status_code == 200


# --- Addresses staff can mistype (issue 19) ----------------------------------------------


@pytest.mark.parametrize("role", ["editor", "publisher"])
@pytest.mark.parametrize(
    "path",
    [
        "abc/history/",
        "abc/history/1/",
        "1/history/abc/",
        "1/history/1%20or%201=1/",
        "1/history/%C2%B2/",  # "²": a digit to str.isdigit, not to int
        "1/history/%D9%A3/",  # an Arabic-Indic three
        "99999999999999999999999/history/1/",  # past a bigint
    ],
)
def test_a_history_address_whose_ids_are_not_numbers_is_a_404(as_user, request, role, path):
    response = as_user(request.getfixturevalue(role)).get(f"{STATEMENTS}{path}")
    assert response.status_code == 404


def test_the_import_template_of_a_sheet_with_nothing_published_yet_has_its_columns(as_user, publisher):
    from states.models import WrittenSubmission

    WrittenSubmission.objects.all().delete()
    response = as_user(publisher).get("/admin/states/writtensubmission/import/template.csv")
    assert response.status_code == 200
    header = response.content.decode().splitlines()[0].split(",")
    assert {"state", "status", "submitted_on", "source"} <= set(header)
    assert not {"id", "version"} & set(header)
