"""The whole dataset as a Frictionless Data Package: valid, published records
only, with its version, licence and how to cite it."""

import csv
import datetime
import io
import json
import os
import time
import tracemalloc
import zipfile

import frictionless
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from states import dataset
from states.choices import ConventionPosition, Publication
from states.models import PositionStatement, PublishedChange, State
from tests.helpers import downloaded_package, new_statement_form, publish_from_its_page, statement_form

STATEMENTS = "/admin/states/positionstatement/"


def test_the_package_is_valid_frictionless_data(client, db, tmp_path):
    downloaded_package(client).extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_package_says_its_version_licence_and_how_to_cite_it(client, db):
    descriptor = json.loads(downloaded_package(client).read("datapackage.json"))
    newest = PublishedChange.objects.latest("made_at").made_at
    assert descriptor["version"] == newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert "How to cite" in descriptor["description"] and "?as_of=" in descriptor["description"]
    page = client.get("/data/").content.decode()
    assert descriptor["version"] in page and "CC BY 4.0" in page


def test_every_category_column_lists_its_values_and_meanings(client, db):
    descriptor = json.loads(downloaded_package(client).read("datapackage.json"))
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
    package = downloaded_package(client)
    statements = list(csv.DictReader(io.StringIO(package.read("statements.csv").decode())))
    assert len(statements) == PositionStatement.objects.published().count()
    assert not [row for row in statements if row["summary"] == "DRAFT ONLY SUMMARY"]
    states = list(csv.DictReader(io.StringIO(package.read("states.csv").decode())))
    assert len(states) == State.objects.count() and "research_note" not in states[0]
    for name in package.namelist():
        assert b"research_note" not in package.read(name)


def package_files():
    return sorted(settings.DATA_PACKAGE_DIR.glob("*"))


def test_the_package_is_built_once_per_data_version_then_sent_from_disk(
    client, as_user, editor, publisher, make_state, source
):
    first = client.get("/data/cah-tracker.zip")
    first_bytes = b"".join(first.streaming_content)
    assert first["Content-Length"] == str(len(first_bytes)) and "Content-Encoding" not in first
    with CaptureQueriesContext(connection) as again:
        second = client.get("/data/cah-tracker.zip", HTTP_ACCEPT_ENCODING="gzip")
        assert b"".join(second.streaming_content) == first_bytes
    assert len(again) == 2, [query["sql"] for query in again]  # the data's version and the package's, no records
    assert "Content-Encoding" not in second  # a zip is compressed already
    head = client.head("/data/cah-tracker.zip")
    assert head["Content-Length"] == str(len(first_bytes)) and b"".join(head.streaming_content) == b""
    [built] = package_files()

    state = make_state()
    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(state, source, summary="Backs a convention now"))
    draft = PositionStatement.objects.drafts().get(state=state)
    assert publish_from_its_page(as_user(publisher), STATEMENTS, draft).status_code == 302
    client.logout()
    statements = downloaded_package(client).read("statements.csv").decode()
    assert "Backs a convention now" in statements
    assert len(package_files()) == 2 and built in package_files()


def test_the_same_data_makes_the_same_package_bytes(client, db):
    first = downloaded_package(client)
    for built in package_files():
        built.unlink()
    again = downloaded_package(client)
    assert [(name, first.read(name)) for name in first.namelist()] == [
        (name, again.read(name)) for name in again.namelist()
    ]
    # Each entry dated by the data's version (to the two seconds a zip's clock counts in).
    [dated] = {info.date_time for info in again.infolist()}
    version = datetime.datetime.strptime(dataset.version(), "%Y-%m-%dT%H:%M:%SZ")
    assert datetime.timedelta(0) <= version - datetime.datetime(*dated) < datetime.timedelta(seconds=2)


def test_a_deploy_or_a_new_day_builds_the_package_afresh(client, db, monkeypatch, time_machine):
    downloaded_package(client)
    monkeypatch.setattr(dataset, "release", lambda: "a-new-release")
    downloaded_package(client)
    assert len(package_files()) == 2
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1))
    downloaded_package(client)
    assert len(package_files()) == 3


def test_only_the_newest_packages_are_kept_and_no_half_built_one(db):
    settings.DATA_PACKAGE_DIR.mkdir(parents=True, exist_ok=True)
    left_by_a_killed_build = settings.DATA_PACKAGE_DIR / "tmp1234.part"
    left_by_a_killed_build.write_bytes(b"PK")
    two_hours_ago = time.time() - 7200
    os.utime(left_by_a_killed_build, (two_hours_ago, two_hours_ago))
    for version_key in ("epoch.1.1", "epoch.2.2", "epoch.3.3", "epoch.4.4", "epoch.5.5"):
        package, _version = dataset.data_package("https://cah.example", version_key)
        package.close()
    assert len(package_files()) == 3 and all(path.suffix == ".zip" for path in package_files())


def test_a_package_directory_that_cannot_be_written_still_gives_the_download(client, db, settings, tmp_path, caplog):
    (tmp_path / "a-file").write_text("not a directory")
    settings.DATA_PACKAGE_DIR = tmp_path / "a-file" / "packages"
    package = downloaded_package(client)
    assert "statements.csv" in package.namelist() and package.testzip() is None
    assert "Cannot keep the data package" in caplog.text


def test_the_package_takes_the_same_memory_however_long_the_history(db, make_state, source, tmp_path):
    state = make_state()

    def grow(first, last):
        PositionStatement.objects.bulk_create(
            PositionStatement(
                publication=Publication.PUBLISHED,
                state=state,
                date=datetime.date(2024, 1, 1) - datetime.timedelta(days=n),  # one a day, back to 1999
                forum="Sixth Committee",
                summary=f"Statement number {n}, in words long enough to make the rows weigh something.",
                position=ConventionPosition.SUPPORTS,
                source=source,
            )
            for n in range(first, last)
        )

    def peak_memory_and_size(name):
        tracemalloc.start()
        with open(tmp_path / name, "wb") as package:
            dataset.write_data_package(package, "https://cah.example")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak, sum(info.file_size for info in zipfile.ZipFile(tmp_path / name).infolist())

    peak_memory_and_size("warming.zip")  # the first build's imports and caches, which are not the history's
    grow(0, 3000)
    short_peak, short_size = peak_memory_and_size("short.zip")
    grow(3000, 9000)
    long_peak, long_size = peak_memory_and_size("long.zip")
    assert long_size > 2.5 * short_size  # the history did grow (the CSVs' size, unzipped)
    assert long_peak < 1.15 * short_peak, (short_peak, long_peak)
