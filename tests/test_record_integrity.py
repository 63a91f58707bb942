"""The record stays as staff left it (issue 18): no deploy, import, review or
revert changes a published fact behind anyone's back. Each test goes through
the path a person or an attacker uses: the admin's pages as the test client
posts them, and ``load_seed`` as ``make serve`` runs it. The concurrent
scenarios are in test_concurrent_saves.py, the browser ones in test_browser.py."""

import io
import re
import shutil

import pytest
import tablib
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from states.choices import ChangeKind, ConventionPosition, Origin, Publication, RecordKind
from states.models import PositionStatement, PublishedChange, SeedRow, Source, TimelineEvent, TreatyAction
from states.resources import TreatyActionResource
from tests.helpers import (
    FROZEN_SEED,
    confirmation_of,
    new_statement_form,
    published_statement,
    reviewed_token,
    staff_user,
    statement_form,
    verify_second_factor,
)

STATEMENTS = "/admin/states/positionstatement/"
# A source the seed files cite already.
UNTC_ROME_STATUTE = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18&clang=_en"
ACTIONS = "/admin/states/treatyaction/"


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


@pytest.fixture
def drafted_statement(as_user, editor, singapore, source):
    """An editor's new statement, wording A, waiting for review."""
    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(singapore, source, summary="Wording A."))
    return PositionStatement.objects.drafts().get(state=singapore, summary="Wording A.")


def swap_to_wording_b(client, editor, draft):
    """The editor rewrites the draft behind the publisher's back."""
    client.force_login(editor)
    draft = PositionStatement.objects.get(pk=draft.pk)
    response = client.post(
        f"{STATEMENTS}{draft.pk}/change/",
        statement_form(
            draft, summary="Wording B.", position=ConventionPosition.SUPPORTS, change_reason="Better wording"
        ),
    )
    assert response.status_code == 302
    assert PositionStatement.objects.get(pk=draft.pk).summary == "Wording B."


# --- 2. Review-then-swap ----------------------------------------------------------------------


def test_a_publisher_cannot_publish_a_draft_swapped_after_they_opened_it(
    client, as_user, editor, publisher, drafted_statement
):
    reviewer = as_user(publisher)
    page = reviewer.get(f"{STATEMENTS}{drafted_statement.pk}/change/")
    assert "Wording A." in page.content.decode()
    token = reviewed_token(page)
    swap_to_wording_b(Client(), editor, drafted_statement)

    response = reviewer.post(
        f"{STATEMENTS}{drafted_statement.pk}/review/", {"decision": "publish", "reviewed": token}, follow=True
    )
    draft = PositionStatement.objects.get(pk=drafted_statement.pk)
    assert draft.publication == Publication.DRAFT
    [message] = messages_of(response)
    assert message.startswith("Nothing was published: this draft changed after you opened it.")
    assert "Changed meanwhile: summary: “Wording A.” → “Wording B.”" in message
    # The page the publisher lands on shows the new version, with its Publish form for it.
    assert "Wording B." in response.content.decode()
    assert reviewed_token(response) != token
    client.logout()
    assert "Wording B." not in client.get("/states/SGP/").content.decode()


def test_a_review_page_publishes_what_it_showed_when_nothing_changed(as_user, publisher, drafted_statement):
    reviewer = as_user(publisher)
    token = reviewed_token(reviewer.get(f"{STATEMENTS}{drafted_statement.pk}/change/"))
    response = reviewer.post(
        f"{STATEMENTS}{drafted_statement.pk}/review/", {"decision": "publish", "reviewed": token}, follow=True
    )
    assert messages_of(response) == ["Published. The public pages show it now."]
    assert PositionStatement.objects.get(pk=drafted_statement.pk).is_published


def test_a_publish_that_does_not_say_what_was_reviewed_is_refused(as_user, publisher, drafted_statement):
    as_user(publisher).post(f"{STATEMENTS}{drafted_statement.pk}/review/", {"decision": "publish"})
    assert not PositionStatement.objects.get(pk=drafted_statement.pk).is_published


def test_the_bulk_publish_shows_the_drafts_then_publishes_only_what_it_showed(
    as_user, editor, publisher, drafted_statement
):
    reviewer = as_user(publisher)
    confirmation = reviewer.post(STATEMENTS, {"action": "publish", "_selected_action": [drafted_statement.pk]})
    assert confirmation.status_code == 200
    assert "Wording A." in confirmation.content.decode()
    assert not PositionStatement.objects.get(pk=drafted_statement.pk).is_published  # nothing yet
    swap_to_wording_b(Client(), editor, drafted_statement)

    response = reviewer.post(STATEMENTS, confirmation_of(confirmation), follow=True)
    assert not PositionStatement.objects.get(pk=drafted_statement.pk).is_published
    [message] = messages_of(response)
    assert "Nothing was published: this draft changed after you opened it." in message
    assert "Wording B." in message


def test_the_bulk_publish_publishes_the_drafts_it_showed(as_user, publisher, drafted_statement):
    reviewer = as_user(publisher)
    confirmation = reviewer.post(STATEMENTS, {"action": "publish", "_selected_action": [drafted_statement.pk]})
    response = reviewer.post(STATEMENTS, confirmation_of(confirmation), follow=True)
    assert messages_of(response) == ["Published 1 draft."]
    assert PositionStatement.objects.get(pk=drafted_statement.pk).is_published


# --- 3. An Editor alone writes nothing public ---------------------------------------------------


def public_surfaces(client):
    client.logout()
    return [
        client.get("/changes/").content.decode(),
        client.get("/changes/feed/").content.decode(),
        client.get("/changes/feed/rss/").content.decode(),
        client.get("/api/v1/changes/").content.decode(),
    ]


def test_an_editors_new_source_reaches_no_public_surface_until_a_published_fact_cites_it(
    client, as_user, editor, publisher, singapore
):
    title = "A statement the editor found"
    as_user(editor).post(
        "/admin/states/source/add/",
        {"url": "https://example.org/found", "title": title, "publisher": "", "change_reason": "For a draft"},
    )
    cited = Source.objects.get(title=title)
    for surface in public_surfaces(client):
        assert title not in surface and "For a draft" not in surface

    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(singapore, cited, summary="Cites the new source."))
    draft = PositionStatement.objects.drafts().get(summary="Cites the new source.")
    for surface in public_surfaces(client):
        assert title not in surface
    draft.publish(by=publisher)

    announced = PublishedChange.objects.get(record_kind=RecordKind.SOURCE, record_id=cited.pk)
    assert announced.kind == ChangeKind.ADDED and announced.reason == "First cited by a published fact"
    for surface in public_surfaces(client):
        assert title in surface and "For a draft" not in surface


def test_a_source_a_publisher_adds_is_on_the_public_list_at_once(client, as_user, publisher):
    as_user(publisher).post(
        "/admin/states/source/add/",
        {"url": "https://example.org/by-a-publisher", "title": "Added by a publisher", "change_reason": "New"},
    )
    assert "Added by a publisher" in public_surfaces(client)[0]


# --- 4. The proposal's reason, on every publishing path ----------------------------------------


def test_a_bulk_publish_of_a_sent_back_draft_gives_the_editors_reason_not_the_publishers_note(
    client, as_user, publisher, drafted_statement
):
    reviewer = as_user(publisher)
    reviewer.post(f"{STATEMENTS}{drafted_statement.pk}/review/", {"decision": "send_back", "note": "Quote it."})
    confirmation = reviewer.post(STATEMENTS, {"action": "publish", "_selected_action": [drafted_statement.pk]})
    reviewer.post(STATEMENTS, confirmation_of(confirmation))
    entry = PublishedChange.objects.filter(record_kind=RecordKind.POSITION_STATEMENT).first()
    assert entry.reason == "New statement found"
    for surface in public_surfaces(client):
        assert "Quote it." not in surface


# --- 5. An import never undoes a newer edit -----------------------------------------------------


def import_through_the_admin(client, admin_path, csv_text):
    upload = io.BytesIO(csv_text.encode())
    upload.name = "import.csv"
    preview = client.post(f"{admin_path}import/", {"import_file": upload, "format": "0"})
    page = preview.content.decode()
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    return preview, confirm


@pytest.fixture
def signature(rome_statute, make_state, source):
    """A published signature of a made-up state."""
    action = TreatyAction.objects.create(
        state=make_state(),
        treaty=rome_statute,
        action_type="signature",
        date="2000-12-01",
        source=source,
        publication=Publication.PUBLISHED,
    )
    return TreatyAction.objects.get(pk=action.pk)


def exported(actions):
    """The treaty actions sheet as the admin's export writes it."""
    return TreatyActionResource().export(queryset=actions)


def treaty_action_form(action, **changes):
    return {
        "state": action.state_id,
        "treaty": action.treaty_id,
        "action_type": action.action_type,
        "date": action.date.isoformat(),
        "later_effective_date": "",
        "depositary_notification": action.depositary_notification,
        "source": action.source_id,
        "verification": action.verification,
        "last_verified_on": "",
        "seen_version": action.version,
        "change_reason": "Test edit",
        **changes,
    }


def sheet_with(dataset, **changes):
    """The exported sheet with its first row changed as a person would in a spreadsheet."""
    row = {**dataset.dict[0], **changes}
    changed = tablib.Dataset(headers=dataset.headers)
    changed.append([row[header] for header in dataset.headers])
    return changed.export("csv")


def test_an_import_of_an_earlier_export_refuses_to_undo_a_newer_correction(as_user, publisher, signature):
    earlier_export = sheet_with(exported(TreatyAction.objects.filter(pk=signature.pk)), date="2000-12-05")

    second = Client()
    another_publisher = staff_user("pub_two", "Publisher")
    second.force_login(another_publisher)
    verify_second_factor(second, another_publisher)
    correction = treaty_action_form(
        signature,
        date="2000-12-11",
        depositary_notification="C.N.1.2000",
        change_reason="Corrected from the depositary notification",
    )
    assert second.post(f"{ACTIONS}{signature.pk}/change/", correction).status_code == 302

    preview, confirm = import_through_the_admin(as_user(publisher), ACTIONS, earlier_export)
    page = re.sub(r"\s+", " ", preview.content.decode())
    assert "was changed after the file was exported (version 1 in the file, 2 now)" in page
    assert "Corrected from the depositary notification" in page
    assert "import_file_name" not in confirm  # no confirmation is offered
    action = TreatyAction.objects.get(pk=signature.pk)
    assert action.date.isoformat() == "2000-12-11" and action.depositary_notification == "C.N.1.2000"


def test_an_import_row_for_an_existing_record_without_a_version_is_refused(as_user, publisher, signature):
    sheet = exported(TreatyAction.objects.filter(pk=signature.pk))
    del sheet["version"]
    preview, _confirm = import_through_the_admin(as_user(publisher), ACTIONS, sheet_with(sheet, date="2000-12-05"))
    assert "does not say which version" in preview.content.decode()
    assert TreatyAction.objects.get(pk=signature.pk).date.isoformat() == "2000-12-01"


@pytest.mark.parametrize(
    "version, refusal",
    [
        ("²", "does not say which version"),
        ("٣", "does not say which version"),
        ("99999999999999999999999", "does not say which version"),
        ("1\x00", "This cell holds a NUL character"),
    ],
)
def test_an_import_row_whose_version_is_not_a_plain_number_is_refused_not_a_500(
    as_user, publisher, signature, version, refusal
):
    sheet = sheet_with(exported(TreatyAction.objects.filter(pk=signature.pk)), date="2000-12-05", version=version)
    preview, _confirm = import_through_the_admin(as_user(publisher), ACTIONS, sheet)
    assert preview.status_code == 200
    assert refusal in preview.content.decode()
    assert TreatyAction.objects.get(pk=signature.pk).date.isoformat() == "2000-12-01"


def test_an_exported_sheet_carries_each_rows_version_and_imports_while_nothing_changed(as_user, publisher, signature):
    sheet = exported(TreatyAction.objects.filter(pk=signature.pk))
    assert sheet.dict[0]["version"] == str(signature.version)
    client = as_user(publisher)
    _preview, confirm = import_through_the_admin(client, ACTIONS, sheet_with(sheet, date="2000-12-07"))
    client.post(f"{ACTIONS}process_import/", confirm)
    assert TreatyAction.objects.get(pk=signature.pk).date.isoformat() == "2000-12-07"


def test_a_record_changed_between_the_import_preview_and_its_confirmation_is_not_imported(
    as_user, publisher, signature
):
    client = as_user(publisher)
    sheet = sheet_with(exported(TreatyAction.objects.filter(pk=signature.pk)), date="2000-12-07")
    _preview, confirm = import_through_the_admin(client, ACTIONS, sheet)
    meanwhile = TreatyAction.objects.get(pk=signature.pk)
    meanwhile.depositary_notification = "C.N.9.2000"
    meanwhile.save()
    response = client.post(f"{ACTIONS}process_import/", confirm, follow=True)
    assert any("Nothing was imported" in message for message in messages_of(response))
    assert any(
        "Row 1" in message and "was changed after the file was exported" in message for message in messages_of(response)
    )
    action = TreatyAction.objects.get(pk=signature.pk)
    assert action.date.isoformat() == "2000-12-01" and action.depositary_notification == "C.N.9.2000"


# --- 7. A publish that publishes nothing says so -------------------------------------------------


def test_publishing_a_draft_of_a_withdrawn_fact_says_nothing_was_published_and_why(
    client, as_user, editor, publisher, singapore, source
):
    statement = published_statement(singapore, "2026-11-02", "supports", source, summary="Published wording.")
    as_user(editor).post(f"{STATEMENTS}{statement.pk}/change/", statement_form(statement, summary="Draft wording."))
    draft = statement.pending_drafts.get()
    reviewer = as_user(publisher)
    reviewer.post(STATEMENTS, {"action": "withdraw", "_selected_action": [statement.pk]})
    token = reviewed_token(reviewer.get(f"{STATEMENTS}{draft.pk}/change/"))
    response = reviewer.post(f"{STATEMENTS}{draft.pk}/review/", {"decision": "publish", "reviewed": token}, follow=True)
    [message] = messages_of(response)
    assert message.startswith("Not published: The fact this draft would change was withdrawn")
    assert "Nothing was published" in message
    assert PositionStatement.objects.get(pk=draft.pk).publication == Publication.DRAFT
    client.logout()
    assert "Draft wording." not in client.get("/states/SGP/").content.decode()


# --- 8. Revert from the history page, as a person does ------------------------------------------


def revert_form_of(page):
    """Every field of the revert page as the browser would post it (text inputs,
    selects' chosen options, textareas), with nothing added."""
    html = page.content.decode()
    fields = {}
    for attributes in re.findall(r"<input ([^>]*)>", html):
        kind = re.search(r'type="(\w+)"', attributes)
        name = re.search(r'name="([\w-]+)"', attributes)
        if name and kind and kind.group(1) in {"text", "hidden", "number", "url", "date"}:
            value = re.search(r'value="([^"]*)"', attributes)
            fields[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select name="([\w-]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    for name, text in re.findall(r'<textarea name="([\w-]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        fields[name] = text
    fields.pop("csrfmiddlewaretoken", None)
    return fields


@pytest.fixture
def reworded_statement(as_user, publisher, singapore, source):
    """A published statement a publisher reworded: its history holds the first wording."""
    statement = published_statement(singapore, "2026-11-03", "supports", source, summary="First wording.")
    as_user(publisher).post(f"{STATEMENTS}{statement.pk}/change/", statement_form(statement, summary="Second wording."))
    statement.refresh_from_db()
    assert statement.summary == "Second wording."
    return statement


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_the_revert_page_asks_for_a_reason_and_reverts(client, as_user, request, role, reworded_statement):
    user = request.getfixturevalue(role)
    first = reworded_statement.history.filter(summary="First wording.").earliest()
    url = f"{STATEMENTS}{reworded_statement.pk}/history/{first.history_id}/"
    page = as_user(user).get(url)
    assert 'name="change_reason"' in page.content.decode()
    fields = revert_form_of(page)
    assert "change_reason" in fields and fields["summary"] == "First wording."

    # Sent as it is, the page says what is missing, on the field.
    refused = as_user(user).post(url, fields)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["change_reason"]

    response = as_user(user).post(url, {**fields, "change_reason": "Back to the first wording"})
    assert response.status_code == 302
    reworded_statement.refresh_from_db()
    entries = PublishedChange.objects.filter(reason="Back to the first wording")
    if role == "editor":
        assert reworded_statement.summary == "Second wording."
        assert reworded_statement.pending_drafts.get().summary == "First wording."
        assert not entries.exists()  # on /changes/ only once published
    else:
        assert reworded_statement.summary == "First wording."
        assert entries.get().kind == ChangeKind.CHANGED


# --- 1. The seed is a first load ---------------------------------------------------------------


def load_seed(folder=FROZEN_SEED):
    out = io.StringIO()
    call_command("load_seed", "--dir", str(folder), stdout=out)
    return out.getvalue()


def serve_start():
    """What ``make serve`` runs on the data before gunicorn starts."""
    out = io.StringIO()
    call_command("migrate", "--no-input", verbosity=0, stdout=out)
    call_command("load_seed", "--dir", str(FROZEN_SEED), stdout=out)
    call_command("setup_roles", stdout=out)
    return out.getvalue()


PUBLIC_PAGES = [
    "/",
    "/states/",
    "/states/CHN/",
    "/states/BGD/",
    "/convention/",
    "/changes/",
    "/changes/feed/",
    "/api/v1/states/?page_size=500",
    "/api/v1/states/CHN/",
    "/api/v1/changes/",
    "/data/",
]


def public_record(client):
    for alias in caches:
        caches[alias].clear()
    client.logout()
    return {url: client.get(url).content for url in PUBLIC_PAGES}


@pytest.fixture
def staff_reworked_the_seed(as_user, publisher):
    """Through the admin, as the issue tells it: a Publisher withdraws China's
    statement of 19 January 2026, deletes a timeline event, and corrects the
    date of Bangladesh's statement of 14 October 2020 to the 15th."""
    client = as_user(publisher)
    china = PositionStatement.objects.published().get(state__iso3="CHN", date="2026-01-19")
    client.post(STATEMENTS, {"action": "withdraw", "_selected_action": [china.pk]})
    event = TimelineEvent.objects.published().order_by("date").first()
    client.post(f"/admin/states/timelineevent/{event.pk}/delete/", {"post": "yes"})
    bangladesh = PositionStatement.objects.published().get(state__iso3="BGD", date="2020-10-14")
    client.post(
        f"{STATEMENTS}{bangladesh.pk}/change/",
        statement_form(bangladesh, date="2020-10-15", change_reason="The statement was delivered on the 15th"),
    )
    assert PositionStatement.objects.get(pk=china.pk).publication == Publication.DRAFT
    assert not TimelineEvent.objects.filter(pk=event.pk).exists()
    assert PositionStatement.objects.get(pk=bangladesh.pk).date.isoformat() == "2020-10-15"
    return {"china": china, "event": event, "bangladesh": bangladesh}


def test_seed_loading_again_brings_back_nothing_staff_withdrew_deleted_or_redated(client, staff_reworked_the_seed):
    china, event, bangladesh = staff_reworked_the_seed.values()
    output = load_seed()
    assert output.startswith("Seed data: nothing new;") and "Nothing was written." in output
    assert PositionStatement.objects.get(pk=china.pk).publication == Publication.DRAFT
    assert not TimelineEvent.objects.filter(event=event.event).exists()
    assert PositionStatement.objects.filter(state__iso3="BGD", source=bangladesh.source).count() == 1
    client.logout()
    assert client.get("/api/v1/states/CHN/").json()["standing"]["position"] != "opposes_or_sceptical"


def test_seed_three_serve_starts_leave_every_public_page_the_api_and_changes_byte_identical(
    client, staff_reworked_the_seed
):
    before = public_record(client)
    changes = PublishedChange.objects.count()
    for _start in range(3):
        serve_start()
        assert public_record(client) == before
    assert PublishedChange.objects.count() == changes


def test_seed_new_research_arrives_as_a_draft_on_a_database_staff_have_touched(
    tmp_path, staff_reworked_the_seed, seed_folder
):
    with (seed_folder / "timeline.csv").open("a", encoding="utf-8") as timeline:
        timeline.write(
            "timeline-2026-11-30,2026-11-30,day,cah_convention,A session found by new research,,"
            f"{UNTC_ROME_STATUTE},unverified,,\n"
        )
    output = load_seed(seed_folder)
    assert "1 proposed as drafts" in output and "timeline-2026-11-30: new" in output
    event = TimelineEvent.objects.get(event="A session found by new research")
    assert event.publication == Publication.DRAFT and event.origin == Origin.SEED
    assert not PublishedChange.objects.filter(title__contains="A session found").exists()
    assert "nothing new" in load_seed(seed_folder)


def test_seed_a_release_that_adds_an_empty_column_to_the_files_proposes_nothing(staff_reworked_the_seed):
    # As loaded by a release before treaties.csv had an "outlook" column (empty but for the convention's).
    for entry in SeedRow.objects.filter(record_kind="treaty", loaded_values__outlook=""):
        entry.loaded_values.pop("outlook")
        entry.save()
    assert SeedRow.objects.filter(record_kind="treaty").exclude(loaded_values__has_key="outlook").count() == 3
    output = load_seed()
    assert output.startswith("Seed data: nothing new;") and "Left alone" not in output


def test_seed_a_release_whose_new_column_the_records_already_hold_proposes_nothing(staff_reworked_the_seed):
    # As loaded before statements.csv had "whose_words": the migration filled the records in, the file agrees.
    for entry in SeedRow.objects.filter(record_kind="positionstatement"):
        entry.loaded_values.pop("whose_words")
        entry.save()
    output = load_seed()
    assert output.startswith("Seed data: nothing new;") and "Proposed as drafts" not in output
    assert not PositionStatement.objects.drafts().filter(draft_of__isnull=False).exists()
    # The ledger learns the new column, so a later change to it in the file is seen.
    entries = SeedRow.objects.filter(record_kind="positionstatement")
    assert all("whose_words" in entry.loaded_values for entry in entries)


def test_seed_a_correction_in_the_file_arrives_as_a_draft_for_review_never_an_overwrite(
    as_user, publisher, staff_reworked_the_seed, seed_folder
):
    statements = seed_folder / "position_statements.csv"
    text = statements.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("statement-BGD-2021-10-13,"))
    statements.write_text(text.replace(line, line.replace("Welcomed the ILC", "Warmly welcomed the ILC")), "utf-8")
    published = PositionStatement.objects.published().get(state__iso3="BGD", date="2021-10-13")
    output = load_seed(seed_folder)
    assert "1 proposed as drafts" in output and "statement-BGD-2021-10-13: a correction to" in output
    published.refresh_from_db()
    assert published.summary.startswith("Welcomed the ILC")
    assert published.pending_drafts.get().summary.startswith("Warmly welcomed")
    # Once proposed, never again (a Publisher may well decline it).
    published.pending_drafts.get().delete()
    assert "nothing new" in load_seed(seed_folder)
    assert not published.pending_drafts.exists()


def test_seed_a_correction_to_a_fact_staff_withdrew_is_left_alone_and_says_why(staff_reworked_the_seed, seed_folder):
    statements = seed_folder / "position_statements.csv"
    text = statements.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("statement-CHN-2026-01-19,"))
    statements.write_text(text.replace(line, line.replace("Chargé d'affaires Sun Lei", "Sun Lei")), "utf-8")
    output = load_seed(seed_folder)
    assert "1 left alone because staff own them" in output
    assert "statement-CHN-2026-01-19:" in output and "was withdrawn from the public record by staff" in output
    assert not PositionStatement.objects.published().filter(state__iso3="CHN", date="2026-01-19").exists()


def test_seed_a_database_from_before_the_ledger_is_matched_by_its_history_and_nothing_comes_back(
    staff_reworked_the_seed,
):
    SeedRow.objects.all().delete()  # as on a database loaded before rows had keys
    counts = {model: model.objects.count() for model in (PositionStatement, TimelineEvent, TreatyAction)}
    output = load_seed()
    assert "matched to records loaded before rows had keys" in output and "added" not in output
    assert {model: model.objects.count() for model in counts} == counts
    assert SeedRow.objects.count() > 200
    assert "nothing new" in load_seed()


def test_seed_a_reason_typed_like_the_loaders_neither_hides_a_change_nor_unlocks_the_seed(
    as_user, publisher, seed_folder, singapore, source
):
    statement = published_statement(singapore, "2026-11-04", "supports", source)
    as_user(publisher).post(
        f"{STATEMENTS}{statement.pk}/change/",
        statement_form(statement, summary="Typed reason", change_reason="Loaded from the seed data"),
    )
    assert PublishedChange.objects.filter(record_id=statement.pk, kind=ChangeKind.CHANGED).exists()
    with (seed_folder / "timeline.csv").open("a", encoding="utf-8") as timeline:
        timeline.write(f"timeline-x,2026-11-29,day,cah_convention,Found later,,{UNTC_ROME_STATUTE},unverified,,\n")
    load_seed(seed_folder)
    assert TimelineEvent.objects.get(event="Found later").publication == Publication.DRAFT


def test_seed_records_say_where_they_came_from(staff_reworked_the_seed, publisher, singapore, source):
    assert PositionStatement.objects.published().get(state__iso3="BGD", date="2021-10-13").origin == Origin.SEED
    assert published_statement(singapore, "2026-11-05", "supports", source).origin == Origin.STAFF


@pytest.fixture
def seed_folder(tmp_path):
    """A copy of the seed folder that a test may add to or correct."""
    folder = tmp_path / "seed"
    shutil.copytree(FROZEN_SEED, folder)
    return folder


def test_seed_the_migration_backfills_origins_and_the_loaders_versions_from_the_history(db):
    """A database from before origins: every record staff, no version flagged."""
    import importlib

    from django.apps import apps

    from states.models import State

    migration = importlib.import_module("states.migrations.0009_seed_ledger_and_origins")
    State.objects.update(origin=Origin.STAFF)
    State.history.update(loaded_from_seed=False, origin=Origin.STAFF)
    staff_made = State.objects.create(
        name="Staffland", iso2="XZ", iso3="XZZ", un_regional_group="APG", subregion="035",
        un_membership="member", in_icc_asia_pacific=False, source=Source.objects.first(),
    )  # fmt: skip
    migration.backfill_from_history(apps, None)
    assert State.objects.get(iso3="PHL").origin == Origin.SEED
    assert State.history.filter(iso3="PHL", loaded_from_seed=True).exists()
    assert State.objects.get(pk=staff_made.pk).origin == Origin.STAFF
