"""Staff editing: roles, review before publishing, history, no lost work,
safe bulk import and export, throttled sign-in."""

import io
import re

import pytest
import tablib
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from states.admin import PositionStatementResource
from states.models import (
    ConventionPosition,
    PositionStatement,
    Publication,
    Source,
    State,
    TimelineEvent,
    Verification,
)

STATEMENTS = "/admin/states/positionstatement/"


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


def staff_user(name, group=None, **extra):
    user = User.objects.create_user(name, f"{name}@example.org", "a long enough password", is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(roles):
    return staff_user("ed_lim", "Editor")


@pytest.fixture
def publisher(roles):
    return staff_user("pub_tan", "Publisher")


@pytest.fixture
def superuser(roles):
    return staff_user("boss", is_superuser=True)


@pytest.fixture
def as_user(client):
    def login(user):
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def singapore(db):
    return State.objects.get(iso3="SGP")


@pytest.fixture
def published_statement(db):
    """Micronesia's statement of 10 October 2024, from the seed."""
    return PositionStatement.objects.published().get(state__iso3="FSM")


def statement_form(statement, **changes):
    values = {
        "state": statement.state_id,
        "date": statement.date.isoformat(),
        "date_precision": statement.date_precision,
        "forum": statement.forum,
        "summary": statement.summary,
        "quote": statement.quote,
        "position": statement.position,
        "source": statement.source_id,
        "verification": statement.verification,
        "last_verified_on": statement.last_verified_on or "",
        "seen_version": statement.version,
        "change_reason": "Test edit",
    }
    values.update(changes)
    return values


def new_statement_form(state, cited, **changes):
    values = {
        "state": state.pk,
        "date": "2026-11-20",
        "date_precision": "day",
        "forum": "Preparatory Committee, second session",
        "summary": "Called for the convention to be adopted in 2029.",
        "quote": "adopt the convention",
        "position": ConventionPosition.SUPPORTS,
        "source": cited.pk,
        "verification": Verification.PRIMARY,
        "last_verified_on": "",
        "change_reason": "New statement found",
    }
    values.update(changes)
    return values


# --- The permission matrix -------------------------------------------------------

USERS = ["anonymous", "editor", "publisher", "superuser"]


def who(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize(
    ("name", "allowed"), [("anonymous", False), ("editor", True), ("publisher", True), ("superuser", True)]
)
def test_permission_to_view(request, as_user, name, allowed):
    response = as_user(who(request, name)).get(STATEMENTS)
    assert response.status_code == (200 if allowed else 302)


@pytest.mark.parametrize(
    ("name", "outcome"),
    [("anonymous", "refused"), ("editor", "draft"), ("publisher", "live"), ("superuser", "live")],
)
def test_permission_to_change_a_published_fact(request, as_user, published_statement, name, outcome):
    response = as_user(who(request, name)).post(
        f"{STATEMENTS}{published_statement.pk}/change/", statement_form(published_statement, summary="Edited.")
    )
    assert response.status_code == 302
    published_statement.refresh_from_db()
    drafts = PositionStatement.objects.drafts().filter(draft_of=published_statement)
    if outcome == "live":
        assert published_statement.summary == "Edited."
        assert not drafts.exists()
    else:
        assert published_statement.summary != "Edited."
        assert drafts.exists() == (outcome == "draft")


@pytest.mark.parametrize(
    ("name", "published"), [("anonymous", False), ("editor", False), ("publisher", True), ("superuser", True)]
)
def test_permission_to_publish(request, as_user, editor, singapore, source, name, published):
    draft = PositionStatement(**_statement_fields(singapore, source))
    draft.save_change_by(editor, "Drafted")
    as_user(who(request, name)).post(STATEMENTS, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published == published


@pytest.mark.parametrize(
    ("name", "allowed"), [("anonymous", False), ("editor", True), ("publisher", True), ("superuser", True)]
)
def test_permission_to_import(request, as_user, name, allowed):
    response = as_user(who(request, name)).get(f"{STATEMENTS}import/")
    assert response.status_code == (200 if allowed else 302)
    if allowed:
        assert b'name="import_file"' in response.content


def test_an_editor_cannot_publish_by_crafting_the_publication_field(as_user, editor, singapore, source):
    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(singapore, source, publication="published"))
    statement = PositionStatement.objects.get(state=singapore, forum="Preparatory Committee, second session")
    assert statement.publication == Publication.DRAFT


def test_an_editor_cannot_delete_a_published_fact(as_user, editor, published_statement):
    response = as_user(editor).post(f"{STATEMENTS}{published_statement.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert PositionStatement.objects.filter(pk=published_statement.pk).exists()


def test_setup_roles_is_idempotent(roles):
    before = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    call_command("setup_roles", stdout=io.StringIO())
    after = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    assert before == after
    assert "publish_positionstatement" in after["Publisher"]
    assert "publish_positionstatement" not in after["Editor"]


# --- Review before publishing -------------------------------------------------------


def _statement_fields(state, source):
    return {
        "state": state,
        "date": "2026-11-20",
        "forum": "Preparatory Committee, second session",
        "summary": "Called for the convention to be adopted in 2029.",
        "position": ConventionPosition.SUPPORTS,
        "source": source,
    }


def test_an_editors_new_statement_is_invisible_until_a_publisher_publishes_it(
    client, as_user, editor, publisher, singapore, source
):
    def public_profile():
        return client.get("/states/SGP/", {"as_of": "2026-11-29"}).content.decode()

    before = public_profile()
    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(singapore, source))
    client.logout()
    assert public_profile() == before
    assert "Non-committal" in before
    draft = PositionStatement.objects.drafts().get(state=singapore)
    as_user(publisher).post(STATEMENTS, {"action": "publish", "_selected_action": [draft.pk]})
    client.logout()
    after = public_profile()
    assert "Preparatory Committee, second session" in after
    assert '<strong id="convention-position">Supports a convention</strong>' in after


def test_a_draft_change_leaves_the_published_version_visible(client, as_user, editor, publisher, published_statement):
    as_user(editor).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="A corrected summary."),
    )
    client.logout()
    page = client.get("/states/FSM/").content.decode()
    assert "A corrected summary." not in page
    assert published_statement.summary in page
    draft = PositionStatement.objects.drafts().get(draft_of=published_statement)
    as_user(publisher).post(STATEMENTS, {"action": "publish", "_selected_action": [draft.pk]})
    client.logout()
    assert "A corrected summary." in client.get("/states/FSM/").content.decode()
    assert not PositionStatement.objects.drafts().exists()
    assert PositionStatement.objects.filter(state__iso3="FSM").count() == 1


def test_a_second_draft_of_the_same_fact_is_refused_with_a_message(as_user, editor, published_statement):
    url = f"{STATEMENTS}{published_statement.pk}/change/"
    as_user(editor).post(url, statement_form(published_statement, summary="First draft."))
    response = as_user(editor).post(url, statement_form(published_statement, summary="Second draft."))
    assert "already waiting for review" in response.content.decode()
    assert PositionStatement.objects.drafts().filter(draft_of=published_statement).get().summary == "First draft."


def test_publishing_runs_the_rules_again(as_user, editor, publisher, published_statement):
    # Two drafts that would duplicate each other once both are published.
    duplicate = PositionStatement.objects.get(pk=published_statement.pk)
    duplicate.pk = None
    duplicate._state.adding = True
    duplicate.publication = Publication.DRAFT
    duplicate.save()
    response = as_user(publisher).post(
        STATEMENTS, {"action": "publish", "_selected_action": [duplicate.pk]}, follow=True
    )
    assert "Not published" in response.content.decode()
    assert "already recorded" in response.content.decode()


# --- Validation in the editor's words ---------------------------------------------


def test_a_fact_without_a_source_is_refused_with_a_message(as_user, publisher, singapore, source):
    response = as_user(publisher).post(f"{STATEMENTS}add/", new_statement_form(singapore, source, source=""))
    assert "Every fact needs its source" in response.content.decode()


def test_a_save_without_a_reason_is_refused(as_user, publisher, published_statement):
    response = as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/", statement_form(published_statement, change_reason="")
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


# --- History -------------------------------------------------------------------------


def test_each_change_records_one_history_row_with_user_and_reason(as_user, publisher, published_statement):
    before = published_statement.history.count()
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Edited once.", change_reason="Fixed a typo"),
    )
    history = published_statement.history.order_by("-history_date")
    assert history.count() == before + 1
    latest = history.first()
    assert latest.history_user == publisher
    assert latest.history_change_reason == "Fixed a typo"
    assert latest.summary == "Edited once."


def test_staff_can_revert_to_an_earlier_version(as_user, publisher, published_statement):
    original = published_statement.summary
    url = f"{STATEMENTS}{published_statement.pk}/change/"
    as_user(publisher).post(url, statement_form(published_statement, summary="A mistake."))
    published_statement.refresh_from_db()
    earlier = published_statement.history.filter(summary=original).first()
    revert_url = f"{STATEMENTS}{published_statement.pk}/history/{earlier.history_id}/"
    assert as_user(publisher).get(revert_url).status_code == 200
    as_user(publisher).post(
        revert_url, statement_form(published_statement, summary=original, change_reason="Reverted the mistake")
    )
    published_statement.refresh_from_db()
    assert published_statement.summary == original
    assert published_statement.history.first().history_change_reason == "Reverted the mistake"


def test_changes_page_lists_published_changes_with_reasons_but_not_names(
    client, as_user, editor, publisher, published_statement
):
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Edited.", change_reason="Checked against the mission's text"),
    )
    as_user(editor).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Draft.", change_reason="A draft nobody has published"),
    )
    client.logout()
    page = client.get("/changes/").content.decode()
    rows = re.findall(r"<tr><td[^>]*><time[^>]*>[^<]*</time></td>(.*?)</tr>", page)
    assert "Checked against the mission&#x27;s text" in rows[0]
    assert "Micronesia" in rows[0]
    assert "A draft nobody has published" not in page
    assert publisher.username not in page and editor.username not in page


# --- No lost work -------------------------------------------------------------------------


def test_a_concurrent_edit_is_refused_and_shows_what_changed(as_user, client, publisher, roles, published_statement):
    colleague = staff_user("colleague", "Publisher")
    seen = statement_form(published_statement)  # both open the form at version N
    as_user(colleague).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        {**seen, "summary": "The colleague's summary.", "change_reason": "Colleague's fix"},
    )
    response = as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/", {**seen, "quote": "my new quote"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else after you opened it" in page
    assert "colleague saved it" in page
    assert "The colleague&#x27;s summary." in page
    assert "my new quote" in page  # the user's own edit is still in the form
    published_statement.refresh_from_db()
    assert published_statement.summary == "The colleague's summary."
    assert published_statement.quote != "my new quote"


# --- Import and export ---------------------------------------------------------------------


def import_rows(user, *rows):
    dataset = tablib.Dataset(
        headers=["state", "date", "date_precision", "forum", "summary", "quote", "position", "source", "verification"]
    )
    for row in rows:
        dataset.append(row)
    return PositionStatementResource().import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, user=user
    )


def test_a_bad_import_row_changes_nothing_and_names_the_row_and_field(publisher, source):
    before = PositionStatement.objects.count()
    result = import_rows(
        publisher,
        ["SGP", "2026-11-20", "day", "PrepCom", "Fine row.", "", "supports", source.url, "primary"],
        ["IDN", "2026-11-21", "day", "PrepCom", "Bad row.", "", "maybe", source.url, "primary"],
    )
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert "position" in invalid.error_dict
    assert PositionStatement.objects.count() == before


def test_an_import_by_an_editor_creates_drafts(editor, source):
    result = import_rows(editor, ["SGP", "2026-11-20", "day", "PrepCom", "Row.", "", "supports", source.url, "primary"])
    assert not result.has_validation_errors() and not result.has_errors()
    assert PositionStatement.objects.drafts().filter(state__iso3="SGP", forum="PrepCom").exists()


def test_the_admin_import_preview_names_the_bad_row_and_field(as_user, publisher, source):
    csv_file = io.BytesIO(
        b"state,date,date_precision,forum,summary,quote,position,source,verification\n"
        b"SGP,2026-11-20,day,PrepCom,Fine.,,supports," + source.url.encode() + b",primary\n"
        b"IDN,2026-13-45,day,PrepCom,Bad date.,,supports," + source.url.encode() + b",primary\n"
    )
    csv_file.name = "statements.csv"
    before = PositionStatement.objects.count()
    response = as_user(publisher).post(f"{STATEMENTS}import/", {"import_file": csv_file, "format": "0"})
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "Some rows failed to validate" in page
    # The error table names the row (2) and the field (date) with what is wrong.
    assert re.search(r"<td> ?2 ?</td>", page)
    assert re.search(r"date ?</[a-z]+> ?(<[^>]+> ?)*Value could not be parsed", page) or (
        "date" in page and "Value could not be parsed" in page
    )
    assert PositionStatement.objects.count() == before


def test_exported_cells_that_could_run_as_formulas_are_escaped(as_user, publisher, published_statement):
    published_statement.summary = '=HYPERLINK("http://evil")'
    published_statement.quote = "@SUM(A1)"
    published_statement.forum = "+1 meeting"
    published_statement.save()
    response = as_user(publisher).post(
        f"{STATEMENTS}export/",
        {"format": "0", **{f"positionstatementresource_{name}": "on" for name in ("id", "summary", "quote", "forum")}},
    )
    text = response.content.decode()
    assert "'=HYPERLINK" in text
    assert "'@SUM(A1)" in text
    assert "'+1 meeting" in text


# --- Verification and the research queue ----------------------------------------------------


def test_mark_verified_stamps_who_and_when(as_user, publisher, published_statement):
    as_user(publisher).post(STATEMENTS, {"action": "mark_verified", "_selected_action": [published_statement.pk]})
    published_statement.refresh_from_db()
    assert published_statement.verified_by == publisher
    assert published_statement.verification == Verification.PRIMARY
    assert published_statement.last_verified_on is not None


def test_research_queue_lists_unresearched_states_and_unverified_facts(as_user, editor, client):
    page = as_user(editor).get("/admin/research-queue/").content.decode()
    assert "states whose position is not yet researched" in page
    assert "Cambodia" in page
    assert "Facts never verified against the primary record" in page
    assert "Facts not re-verified for 12 months" in page
    client.logout()
    assert client.get("/admin/research-queue/").status_code == 302


def test_state_list_in_admin_shows_derived_columns(as_user, publisher):
    page = as_user(publisher).get("/admin/states/state/?q=Philippines").content.decode()
    assert "Withdrawn" in page
    assert "Supports negotiations with reservations" in page


# --- Security ------------------------------------------------------------------------------


def test_the_sixth_bad_password_is_locked_out_with_a_clear_message(client, editor):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": editor.username, "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = client.post("/admin/login/", {"username": editor.username, "password": "wrong"})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    # Locked even with the right password, for that user from that address.
    response = client.post("/admin/login/", {"username": editor.username, "password": "a long enough password"})
    assert response.status_code == 429


def test_the_admin_forms_carry_a_csrf_token(as_user, publisher, published_statement):
    page = as_user(publisher).get(f"{STATEMENTS}{published_statement.pk}/change/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_sources_are_offered_by_autocomplete(as_user, editor):
    response = as_user(editor).get(
        "/admin/autocomplete/",
        {"app_label": "states", "model_name": "positionstatement", "field_name": "source", "term": "Singapore"},
    )
    assert response.status_code == 200
    assert "Singapore" in response.content.decode()


def test_source_model_is_not_draftable():
    assert not hasattr(Source, "publication")


def test_an_xlsx_import_is_previewed_then_applied(as_user, publisher, singapore, source):
    dataset = tablib.Dataset(
        headers=["state", "date", "date_precision", "forum", "summary", "quote", "position", "source", "verification"]
    )
    dataset.append(
        ["SGP", "2026-11-20", "day", "PrepCom", "From a spreadsheet.", "", "supports", source.url, "primary"]
    )
    workbook = io.BytesIO(dataset.export("xlsx"))
    workbook.name = "statements.xlsx"
    client = as_user(publisher)
    preview = client.post(f"{STATEMENTS}import/", {"import_file": workbook, "format": "1"}).content.decode()
    assert "From a spreadsheet." in preview  # the preview shows the row before anything is saved
    assert not PositionStatement.objects.filter(summary="From a spreadsheet.").exists()
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview))
    client.post(f"{STATEMENTS}process_import/", confirm)
    statement = PositionStatement.objects.get(summary="From a spreadsheet.")
    assert statement.is_published and statement.state == singapore


def test_an_editor_changing_a_fact_on_the_state_page_drafts_it(as_user, editor):
    fsm = State.objects.get(iso3="FSM")
    page = as_user(editor).get(f"/admin/states/state/{fsm.pk}/change/").content.decode()
    statement = PositionStatement.objects.published().get(state=fsm)
    form = {
        "change_reason": "Corrected the summary",
        "seen_version": fsm.version,
        "treaty_actions-TOTAL_FORMS": "0",
        "treaty_actions-INITIAL_FORMS": "0",
        "written_submissions-TOTAL_FORMS": "0",
        "written_submissions-INITIAL_FORMS": "0",
        "position_statements-TOTAL_FORMS": "1",
        "position_statements-INITIAL_FORMS": "1",
        "position_statements-0-id": statement.pk,
        "position_statements-0-state": fsm.pk,
        "position_statements-0-date": statement.date.isoformat(),
        "position_statements-0-date_precision": statement.date_precision,
        "position_statements-0-forum": statement.forum,
        "position_statements-0-summary": "A corrected summary.",
        "position_statements-0-quote": statement.quote,
        "position_statements-0-position": statement.position,
        "position_statements-0-source": statement.source_id,
        "position_statements-0-verification": statement.verification,
        "position_statements-0-seen_version": statement.version,
    }
    assert 'name="position_statements-0-summary"' in page
    response = as_user(editor).post(f"/admin/states/state/{fsm.pk}/change/", form)
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.summary != "A corrected summary."
    assert PositionStatement.objects.drafts().get(draft_of=statement).summary == "A corrected summary."


def test_an_editor_cannot_change_a_states_own_fields(as_user, editor):
    fsm = State.objects.get(iso3="FSM")
    page = as_user(editor).get(f"/admin/states/state/{fsm.pk}/change/").content.decode()
    assert 'name="name"' not in page  # shown read-only
    assert 'name="position_statements-0-summary"' in page


def inline_actions_form(state, actions, reason="Recorded the Rome Statute actions"):
    form = {
        "change_reason": reason,
        "seen_version": state.version,
        "position_statements-TOTAL_FORMS": "0",
        "position_statements-INITIAL_FORMS": "0",
        "written_submissions-TOTAL_FORMS": "0",
        "written_submissions-INITIAL_FORMS": "0",
        "treaty_actions-TOTAL_FORMS": str(len(actions)),
        "treaty_actions-INITIAL_FORMS": "0",
        # The state's own fields, unchanged (publishers may edit them).
        "name": state.name,
        "iso2": state.iso2,
        "iso3": state.iso3,
        "un_regional_group": state.un_regional_group,
        "subregion": state.subregion,
        "un_membership": state.un_membership,
        "in_icc_asia_pacific": "on" if state.in_icc_asia_pacific else "",
        "source": state.source_id,
        "verification": state.verification,
    }
    for index, values in enumerate(actions):
        form.update({f"treaty_actions-{index}-{name}": value for name, value in values.items()})
        form[f"treaty_actions-{index}-state"] = state.pk
    return form


def rome_action(rome_statute, source, action_type, on):
    return {
        "treaty": rome_statute.pk,
        "action_type": action_type,
        "date": on,
        "source": source.pk,
        "verification": "secondary",
    }


def test_a_signature_and_a_ratification_can_be_recorded_in_one_save(
    as_user, publisher, make_state, rome_statute, source
):
    state = make_state()
    form = inline_actions_form(
        state,
        [
            rome_action(rome_statute, source, "ratification", "2010-05-01"),
            rome_action(rome_statute, source, "signature", "2000-01-10"),
        ],
    )
    response = as_user(publisher).post(f"/admin/states/state/{state.pk}/change/", form)
    assert response.status_code == 302
    assert sorted(state.treaty_actions.values_list("action_type", flat=True)) == ["ratification", "signature"]


def test_the_state_page_refuses_a_withdrawal_before_the_state_was_a_party(
    as_user, publisher, make_state, rome_statute, source
):
    state = make_state()
    form = inline_actions_form(
        state,
        [
            rome_action(rome_statute, source, "accession", "2010-05-01"),
            rome_action(rome_statute, source, "withdrawal", "2010-06-01"),
        ],
    )
    response = as_user(publisher).post(f"/admin/states/state/{state.pk}/change/", form)
    assert response.status_code == 200
    assert "was not a State Party to the Rome Statute on 2010-06-01" in response.content.decode()
    assert not state.treaty_actions.exists()


def test_a_draft_timeline_event_stays_off_the_convention_page(client, editor, source):
    draft = TimelineEvent(date="2027-06-01", topic="cah_convention", event="A drafted session", source=source)
    draft.save_change_by(editor, "Drafted")
    assert "A drafted session" not in client.get("/convention/").content.decode()
