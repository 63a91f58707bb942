"""The whole public dataset as one download: a Frictionless Data Package (a
zip of CSVs, and datapackage.json describing every column: its type, its
meaning and, for a category, its values). Built from published records only,
the same ones the pages show; versioned by the last published change."""

import csv
import datetime
import hashlib
import io
import json
import logging
import os
import tempfile
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from states.facts import NOT_PUBLIC
from states.models import (
    REVIEWED_MODELS,
    PublishedChange,
    Source,
    State,
    Treaty,
)
from states.page_cache import release
from states.spreadsheets import spreadsheet_safe

logger = logging.getLogger(__name__)

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
# A related record is named by its natural key, as in the spreadsheets staff import.
NAMED_BY = {State: "iso3", Treaty: "slug", Source: "url"}
FRICTIONLESS_TYPE = {
    models.DateField: "date",
    models.BooleanField: "boolean",
    models.PositiveSmallIntegerField: "integer",
    models.PositiveIntegerField: "integer",
    models.IntegerField: "integer",
}

# (file name, title, records): the package's resources, in the order a reader needs them.
RESOURCES = [
    ("states", "Tracked states", lambda: State.objects.select_related("source")),
    ("treaties", "Treaties", lambda: Treaty.objects.select_related("source", "open_only_to_parties_of")),
    *(
        (*model.in_data_package, lambda model=model: model.objects.published().with_names().select_related("source"))
        for model in REVIEWED_MODELS
    ),
    ("sources", "Sources", lambda: Source.objects.backing_public_facts()),
]


def public_fields(model):
    return [field for field in model._meta.concrete_fields if field.name not in NOT_PUBLIC]


def describe(field):
    """A column's description in datapackage.json (Table Schema)."""
    column = {
        "name": field.name,
        "title": str(field.verbose_name),
        "type": FRICTIONLESS_TYPE.get(type(field), "string"),
    }
    if field.help_text:
        column["description"] = str(field.help_text)
    if isinstance(field, models.ForeignKey):
        column["description"] = f"The {field.verbose_name}, by its {NAMED_BY[field.related_model]}."
    if field.choices:
        column["constraints"] = {"enum": [str(code) for code, _label in field.flatchoices if code != ""]}
        meanings = "; ".join(f"{code}: {label}" for code, label in field.flatchoices if code != "")
        column["description"] = f"{column.get('description', '')} Values: {meanings}.".strip()
    if not field.null and not field.blank and not field.choices:
        column["constraints"] = {**column.get("constraints", {}), "required": True}
    return column


def cell(record, field):
    value = getattr(record, field.name)
    if isinstance(field, models.ForeignKey):
        return getattr(value, NAMED_BY[field.related_model]) if value is not None else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(str(value))


def version():
    """The time of the last published change (the data's version), or None before any."""
    newest = PublishedChange.objects.order_by("-made_at").values_list("made_at", flat=True).first()
    return timezone.localtime(newest).strftime("%Y-%m-%dT%H:%M:%SZ") if newest else None


def citation(site_url, data_version):
    day = data_version[:10] if data_version else timezone.localdate().isoformat()
    return (
        f"CAH Tracker, version {data_version or 'unreleased'}: where Asian states stand on the Rome Statute "
        f"and on a convention on crimes against humanity. {site_url}{reverse('states:overview')}?as_of={day} "
        f"(CC BY 4.0)."
    )


def data_package(site_url, version_key):
    """The package for the data at ``version_key`` (the page cache's data
    version, which a restore renews), as an open file, and its version. Built
    once per data version, release of the code, day and address into
    DATA_PACKAGE_DIR and served from disk after (the files outlive a restart
    and a deploy, hence the release and the day, as in a page's ETag): written
    row by row and sent in chunks, it takes the same memory however long the
    history grows. Each app server builds its own copy."""
    identity = f"{version_key} {release()} {timezone.localdate().isoformat()} {site_url}"
    built = settings.DATA_PACKAGE_DIR / (hashlib.sha256(identity.encode()).hexdigest()[:32] + ".zip")
    try:
        return open(built, "rb"), version()
    except OSError:  # not built yet (or not readable): built now
        pass
    part = None
    try:
        settings.DATA_PACKAGE_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.DATA_PACKAGE_DIR, suffix=".part", delete=False) as building:
            part = Path(building.name)
            data_version = write_data_package(building, site_url)
        # Renamed into place whole, so that no download reads a package half
        # built; two processes building at once each rename a complete one.
        os.replace(part, built)
    except OSError:  # no room, or no right to write there
        logger.warning("Cannot keep the data package in %s", settings.DATA_PACKAGE_DIR, exc_info=True)
        return package_for_this_download_only(site_url)
    finally:
        if part is not None:
            part.unlink(missing_ok=True)  # what a failed build left
    forget_older_packages(keep=built)
    return open(built, "rb"), data_version


def package_for_this_download_only(site_url):
    package = tempfile.TemporaryFile()  # noqa: SIM115 (the response sends it, then closes it)
    data_version = write_data_package(package, site_url)
    package.seek(0)
    return package, data_version


def forget_older_packages(keep, how_many=3):
    """Delete all but the newest few packages, and what a build stopped
    halfway (a killed process) left over an hour ago. A download under way
    goes on reading a deleted file, which leaves the disk once it is closed."""
    packages = sorted(settings.DATA_PACKAGE_DIR.glob("*.zip"), key=modified, reverse=True)
    for old in [path for path in packages if path != keep][how_many - 1 :]:
        old.unlink(missing_ok=True)
    for part in settings.DATA_PACKAGE_DIR.glob("*.part"):
        if modified(part) < time.time() - 3600:
            part.unlink(missing_ok=True)


def modified(path):
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process deleted it meanwhile
        return 0.0


def write_data_package(file, site_url):
    """Write the package as a zip into ``file``; returns its version."""
    data_version = version()
    # Each entry dated by the data's version, so that the same data makes the same bytes.
    dated = (
        datetime.datetime.strptime(data_version, "%Y-%m-%dT%H:%M:%SZ").timetuple()[:6]
        if data_version
        else (1980, 1, 1, 0, 0, 0)
    )
    resources = []
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as package:
        for name, title, records in RESOURCES:
            fields = public_fields(records().model)
            # Row by row into the zip, a thousand records read at a time.
            with (
                package.open(entry(f"{name}.csv", dated), "w") as csv_file,
                io.TextIOWrapper(csv_file, "utf-8", newline="") as table,
            ):
                writer = csv.writer(table, lineterminator="\n")
                writer.writerow(field.name for field in fields)
                for record in records().iterator(chunk_size=1000):
                    writer.writerow(cell(record, field) for field in fields)
            resources.append(
                {
                    "name": name,
                    "title": title,
                    "path": f"{name}.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": {"fields": [describe(field) for field in fields]},
                }
            )
        descriptor = {
            "name": "cah-tracker",
            "title": "CAH Tracker: Asian states, the Rome Statute and a crimes-against-humanity convention",
            "description": (
                "Published records only: each treaty action, statement and written submission with its date "
                "and its source. What nobody has researched is absent, never a 'no'. "
                f"How to cite: {citation(site_url, data_version)}"
            ),
            "version": data_version or "unreleased",
            "homepage": site_url + reverse("states:overview"),
            "licenses": [LICENCE],
            "resources": resources,
        }
        package.writestr(entry("datapackage.json", dated), json.dumps(descriptor, indent=2, ensure_ascii=False))
    return data_version


def entry(name, dated):
    info = zipfile.ZipInfo(name, date_time=dated)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
