"""No 500s anywhere (issue 19): malformed parameters, ids and uploads on the
staff site, signed in as an Editor and as a Publisher; the API's schema
parameters; OPTIONS and HEAD on every public route. Each answer is below 500
(a 4xx, a form with its message, or a redirect), never an error page."""

import io
import itertools

import pytest
from django.test import Client

from states.choices import Publication, SubmissionStatus
from states.models import PositionStatement, Source, State, TimelineEvent, Treaty, TreatyAction, WrittenSubmission
from tests.test_production import PARAMETERS_OF

NASTY = ["\x00", "²", "٣", "-1", "99999999999999999999999", "1 or 1=1", "<script>", "%", "a" * 300, ""]
FACTS = [TreatyAction, PositionStatement, WrittenSubmission, TimelineEvent]
RECORDS = [*FACTS, State, Treaty, Source]


def admin_base(model):
    return f"/admin/states/{model._meta.model_name}/"


def answers_without_error(client, verb, path, **kwargs):
    response = getattr(client, verb)(path, **kwargs)
    assert response.status_code < 500, (verb, path, kwargs, response.status_code)
    return response


@pytest.fixture(params=["editor", "publisher"])
def staff(request, db, as_user):
    # A client that returns the 500 page instead of raising, so each case is asserted on.
    user = request.getfixturevalue(request.param)
    client = as_user(user)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_the_change_list_and_its_parameters(staff, model):
    base = admin_base(model)
    for name, value in itertools.product(["q", "o", "p", "e", "all", "publication__exact", "_to_field"], NASTY):
        answers_without_error(staff, "get", base, data={name: value})
    answers_without_error(staff, "get", f"{base}add/", data={"_changelist_filters": "%", "_popup": "²"})


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_history_review_and_change_addresses_with_any_id(staff, model):
    base = admin_base(model)
    if model is WrittenSubmission:  # none researched yet: one of its own
        WrittenSubmission.objects.create(
            state=State.objects.order_by("pk").first(),
            status=SubmissionStatus.MADE,
            submitted_on="2023-11-30",
            source=Source.objects.order_by("pk").first(),
            publication=Publication.PUBLISHED,
        )
    record = model.objects.order_by("pk").first()
    version = record.history.earliest().history_id
    for bad in ["abc", "²", "%D9%A3", "1%20or%201=1", "99999999999999999999999", "0", "-1"]:
        for path in [f"{bad}/change/", f"{bad}/history/", f"{record.pk}/history/{bad}/", f"{bad}/delete/"]:
            answers_without_error(staff, "get", base + path)
        if model in FACTS:
            answers_without_error(staff, "get", f"{base}{bad}/review/")
            answers_without_error(staff, "post", f"{base}{bad}/review/", data={"reviewed": bad})
    # A revert or review posted with nonsense in every field.
    answers_without_error(
        staff,
        "post",
        f"{base}{record.pk}/history/{version}/",
        data=dict.fromkeys(["version", "source", "state", "date", "change_reason"], "²"),
    )
    if model in FACTS:
        answers_without_error(
            staff, "post", f"{base}{record.pk}/review/", data={"reviewed": "².٣", "action": "publish"}
        )


UPLOADS = {
    "empty.csv": b"",
    "header-only.csv": b"state,date,forum\r\n",
    "binary.csv": bytes(range(256)) * 40,
    "latin-1.csv": "state,forum\nPHL,Comit\xe9\n".encode("latin-1"),
    "nul.csv": b"state,date\x00\nPHL,2026-01-01\n",
    "huge-cell.csv": b"state,summary\nPHL," + b"x" * 200_000 + b"\n",
    "quotes.csv": b'state,summary\nPHL,"never closed\n',
    "mac.csv": b"state,date\rPHL,2026-01-01\r",
    "not-a-zip.xlsx": b"PK\x03\x04garbage",
    "text.xlsx": b"state,date\n",
}


@pytest.mark.parametrize("model", FACTS, ids=lambda model: model.__name__)
def test_imports_of_malformed_files_and_parameters(staff, model):
    base = admin_base(model)
    answers_without_error(staff, "get", f"{base}import/")
    answers_without_error(staff, "get", f"{base}import/template.csv", data={"format": "²"})
    for name, content in UPLOADS.items():
        for file_format in ["0", "1", "²", "99"]:
            handle = io.BytesIO(content)
            handle.name = name
            answers_without_error(staff, "post", f"{base}import/", data={"import_file": handle, "format": file_format})
    # A confirmation that names a file the server never stored, or one outside its folder.
    for stored in ["../../etc/passwd", "nothing-here.csv", "²", ""]:
        answers_without_error(
            staff,
            "post",
            f"{base}process_import/",
            data={"import_file_name": stored, "original_file_name": stored, "format": "0", "resource": "²"},
        )
    for name, value in itertools.product(["format", "resource", "export_items"], NASTY[:6]):
        answers_without_error(staff, "post", f"{base}export/", data={name: value})


@pytest.mark.parametrize(
    "path",
    ["/admin/research-queue/", "/admin/waiting-for-review/", "/admin/states/correctionreport/", "/admin/auth/user/"],
)
def test_staff_pages_with_nasty_parameters(staff, path):
    for name, value in itertools.product(["q", "o", "p", "state", "status", "kind"], NASTY):
        answers_without_error(staff, "get", path, data={name: value})


@pytest.mark.parametrize("name", ["format", "lang", "version"])
def test_the_api_schema_with_any_parameter(db, name):
    client = Client(raise_request_exception=False)
    for value in [*NASTY, "json", "yaml", "openapi-json", "\r\nX: y", "zz"]:
        answers_without_error(client, "get", "/api/v1/schema/", data={name: value})
        answers_without_error(client, "get", "/api/docs/", data={name: value})


@pytest.mark.parametrize("path", [*PARAMETERS_OF, "/api/v1/", "/api/v1/schema/", "/api/docs/", "/data/", "/healthz"])
def test_options_and_head_on_every_public_route(db, path):
    client = Client(raise_request_exception=False)
    answers_without_error(client, "options", path)
    answers_without_error(client, "head", path)
    response = client.generic("PROPFIND", path)
    assert response.status_code < 500, (path, response.status_code)
