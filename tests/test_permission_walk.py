"""Every admin URL of every record, for every kind of user: anonymous, staff
in no group, Editor and Publisher. Each GET and each crafted POST gets the
outcome the roles in setup_roles allow, and a POST that must not change what
the public sees changes nothing of it."""

import datetime
import hashlib

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict

from states.management.commands.setup_roles import ROLES
from states.models import (
    REVIEWED_MODELS,
    CorrectionReport,
    PositionStatement,
    PublishedChange,
    Source,
    State,
    TimelineEvent,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)
from tests.helpers import staff_user, state_page_form, verify_second_factor

RECORDS = [Source, State, Treaty, TreatyAction, PositionStatement, WrittenSubmission, TimelineEvent, CorrectionReport]
REVIEWED = set(REVIEWED_MODELS)
KINDS_OF_USER = ["anonymous", "no group", "Editor", "Publisher"]


def public_record():
    """A fingerprint of everything the public sees: published facts, states,
    treaties, sources, and the public list of changes."""
    digest = hashlib.sha256()
    for model in RECORDS[:-1]:
        rows = model.objects.published() if model in REVIEWED else model.objects.all()
        digest.update(repr(list(rows.order_by("pk").values())).encode())
    digest.update(repr(list(PublishedChange.objects.values_list("pk", "reason"))).encode())
    return digest.hexdigest()


def may(kind, codename):
    return kind == "Publisher" and codename in ROLES["Publisher"] or kind == "Editor" and codename in ROLES["Editor"]


def change_form_data(model, record):
    """What the record's change form posts, unchanged but for the reason."""
    if model is State:
        return state_page_form(record, reason="Permission walk")
    model_admin = admin.site._registry[model]
    names = [name for name in model_admin.form.base_fields if name not in {"change_reason", "seen_version"}]
    names += [field.name for field in model._meta.fields if field.editable and field.name not in names]
    values = {}
    for name, value in model_to_dict(record).items():
        if name not in names or value is None:
            continue
        if isinstance(value, bool):
            if value:
                values[name] = "on"
        else:
            values[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return {**values, "seen_version": getattr(record, "version", ""), "change_reason": "Permission walk"}


def expected_get(kind, model, page):
    """The status a GET of ``page`` should get."""
    if kind == "anonymous":
        return 302  # to the sign-in page
    name = model._meta.model_name
    view = may(kind, f"view_{name}") or may(kind, f"change_{name}")
    allowed = {
        "list": view,
        "add": may(kind, f"add_{name}") and model is not CorrectionReport,
        "change": view,
        "delete": may(kind, f"delete_{name}"),
        "history": view,
        "version": view,
        "import": may(kind, f"add_{name}") and may(kind, f"change_{name}"),
        "export": view,
    }[page]
    return 200 if allowed else 403


@pytest.fixture
def walker(client, roles):
    """Sign the client in as a kind of user (with a second factor, as publishers must)."""

    def sign_in(kind):
        client.logout()
        if kind == "anonymous":
            return client
        user = staff_user(kind.replace(" ", "_").lower(), kind if kind in ROLES else None)
        client.force_login(user)
        verify_second_factor(client, user)
        return client

    return sign_in


def a_record_of(model):
    if model is WrittenSubmission and not WrittenSubmission.objects.published().exists():
        state = State.objects.get(iso3="PHL")
        WrittenSubmission.objects.create(
            state=state,
            status="made",
            submitted_on=datetime.date(2023, 11, 30),
            source=state.source,
            publication="published",
        )
    if model in REVIEWED:
        return model.objects.published().first()
    if model is CorrectionReport:
        return CorrectionReport.objects.create(
            fact="A date", what_is_wrong="The date shown is a year late.", source_url="https://example.org/x"
        )
    return model.objects.first()


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model._meta.model_name)
@pytest.mark.parametrize("kind", KINDS_OF_USER)
def test_every_admin_page_answers_as_the_role_allows(walker, kind, model):
    record = a_record_of(model)
    base = f"/admin/states/{model._meta.model_name}/"
    version = record.history.earliest().history_id if hasattr(record, "history") else None
    pages = {
        "list": base,
        "add": f"{base}add/",
        "change": f"{base}{record.pk}/change/",
        "delete": f"{base}{record.pk}/delete/",
    }
    if version is not None:
        pages |= {
            "history": f"{base}{record.pk}/history/",
            "version": f"{base}{record.pk}/history/{version}/",
            "import": f"{base}import/",
            "export": f"{base}export/",
        }
    client = walker(kind)
    wrong = []
    for page, url in pages.items():
        status = client.get(url).status_code
        if status != expected_get(kind, model, page):
            wrong.append((page, url, status))
    assert wrong == []


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model._meta.model_name)
@pytest.mark.parametrize("kind", KINDS_OF_USER)
def test_every_write_path_is_refused_or_reviewed_as_the_role_allows(walker, kind, model):
    record = a_record_of(model)
    name = model._meta.model_name
    base = f"/admin/states/{name}/"
    client = walker(kind)
    before = public_record()
    form = (
        change_form_data(model, record)
        if model is not CorrectionReport
        else {"status": "accepted", "reply_note": "Corrected on the page."}
    )
    writes = {
        "change": (f"{base}{record.pk}/change/", form),
        "delete": (f"{base}{record.pk}/delete/", {"post": "yes"}),
        "bulk delete": (base, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}),
    }
    if model in REVIEWED:
        writes |= {
            f"action {action}": (base, {"action": action, "_selected_action": [record.pk]})
            for action in ("publish", "withdraw", "mark_verified")
        }
    if hasattr(record, "history"):
        version = record.history.earliest().history_id
        writes["revert"] = (f"{base}{record.pk}/history/{version}/", form)
    # Who may change what the public sees at once: a publisher, except through review.
    public_may_change = kind == "Publisher" and model is not CorrectionReport
    wrong = []
    for write, (url, data) in writes.items():
        response = client.post(url, data)
        if kind == "anonymous":
            allowed_statuses = {302}
        elif kind == "no group":
            allowed_statuses = {403}
        else:
            allowed_statuses = {200, 302, 403}
        if response.status_code not in allowed_statuses:
            wrong.append((write, "status", response.status_code))
        if write == "change" and kind in ROLES and may(kind, f"change_{name}"):
            # Allowed: saved (a publisher's change at once, an editor's as a draft of a published fact).
            if response.status_code != 302:
                wrong.append((write, "not saved", response.status_code))
            if kind == "Editor" and model in REVIEWED and not model.objects.filter(draft_of=record).exists():
                wrong.append((write, "an editor's change is not a draft"))
        deleted = not model.objects.filter(pk=record.pk).exists()
        if deleted and not may(kind, f"delete_{name}"):
            wrong.append((write, "deleted without permission"))
        if not public_may_change and public_record() != before:
            wrong.append((write, "changed what the public sees"))
            before = public_record()
        if deleted:
            break  # by someone allowed to: nothing more to try on it
    assert wrong == []
