"""Who may do what: the Editor and Publisher roles, tried on each write path."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from states.choices import Publication
from states.facts import ReviewedFact
from states.models import REVIEWED_MODELS, PositionStatement, State
from tests.helpers import new_statement_form, publish_in_bulk, statement_fields, statement_form

STATEMENTS = "/admin/states/positionstatement/"


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
    draft = PositionStatement(**statement_fields(singapore, source))
    draft.save_change_by(editor, "Drafted")
    publish_in_bulk(as_user(who(request, name)), STATEMENTS, draft)
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


def test_an_editor_cannot_change_a_states_own_fields(as_user, editor):
    fsm = State.objects.get(iso3="FSM")
    page = as_user(editor).get(f"/admin/states/state/{fsm.pk}/change/").content.decode()
    assert 'name="name"' not in page  # shown read-only
    assert 'name="position_statements-0-summary"' in page


def test_setup_roles_is_idempotent(roles):
    before = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    call_command("setup_roles", stdout=io.StringIO())
    after = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    assert before == after
    assert "publish_positionstatement" in after["Publisher"]
    assert "publish_positionstatement" not in after["Editor"]


def test_every_kind_of_reviewed_fact_is_in_the_one_list_the_roles_queue_and_data_package_read(roles):
    """REVIEWED_MODELS is derived from the ReviewedFact models, so a new kind
    of fact cannot be left out of the roles, the research queue, the sources'
    check or the data package."""
    reviewed = [model for model in apps.get_app_config("states").get_models() if issubclass(model, ReviewedFact)]
    assert list(REVIEWED_MODELS) == reviewed
    assert {model.__name__ for model in REVIEWED_MODELS} == {
        "TreatyAction",
        "PositionStatement",
        "WrittenSubmission",
        "TimelineEvent",
        "CoalitionAsk",
    }
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    publisher = set(Group.objects.get(name="Publisher").permissions.values_list("codename", flat=True))
    for model in REVIEWED_MODELS:
        name = model._meta.model_name
        assert {f"view_{name}", f"add_{name}", f"change_{name}"} <= editor
        assert f"publish_{name}" not in editor
        assert {f"publish_{name}", f"delete_{name}"} <= publisher
