"""The whole dataset as a Frictionless Data Package: valid, published records
only, with its version, licence and how to cite it."""

import csv
import io
import json
import zipfile

import frictionless

from states.models import PositionStatement, PublishedChange, State
from tests.helpers import statement_form


def download(client):
    response = client.get("/data/cah-tracker.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_package_is_valid_frictionless_data(client, db, tmp_path):
    download(client).extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_package_says_its_version_licence_and_how_to_cite_it(client, db):
    descriptor = json.loads(download(client).read("datapackage.json"))
    newest = PublishedChange.objects.latest("made_at").made_at
    assert descriptor["version"] == newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert "How to cite" in descriptor["description"] and "?as_of=" in descriptor["description"]
    page = client.get("/data/").content.decode()
    assert descriptor["version"] in page and "CC BY 4.0" in page


def test_every_category_column_lists_its_values_and_meanings(client, db):
    descriptor = json.loads(download(client).read("datapackage.json"))
    statements = next(resource for resource in descriptor["resources"] if resource["name"] == "statements")
    position = next(field for field in statements["schema"]["fields"] if field["name"] == "position")
    assert (
        "supports" in position["constraints"]["enum"] and "supports: Supports a convention" in position["description"]
    )


def test_the_package_holds_published_records_only_and_no_staff_notes(client, as_user, editor, published_statement):
    as_user(editor).post(
        f"/admin/states/positionstatement/{published_statement.pk}/change/",
        statement_form(published_statement, summary="DRAFT ONLY SUMMARY"),
    )
    client.logout()
    package = download(client)
    statements = list(csv.DictReader(io.StringIO(package.read("statements.csv").decode())))
    assert len(statements) == PositionStatement.objects.published().count()
    assert not [row for row in statements if row["summary"] == "DRAFT ONLY SUMMARY"]
    states = list(csv.DictReader(io.StringIO(package.read("states.csv").decode())))
    assert len(states) == State.objects.count() and "research_note" not in states[0]
    for name in package.namelist():
        assert b"research_note" not in package.read(name)
