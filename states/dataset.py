"""The whole public dataset as one download: a Frictionless Data Package (a
zip of CSVs, and datapackage.json describing every column: its type, its
meaning and, for a category, its values). Built from published records only,
the same ones the pages show; versioned by the last published change."""

import csv
import io
import json
import zipfile

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
from states.spreadsheets import spreadsheet_safe

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


def data_package(site_url):
    """The package as zip bytes, and its version."""
    data_version = version()
    resources = []
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
        for name, title, records in RESOURCES:
            fields = public_fields(records().model)
            # Row by row into the zip, a thousand records read at a time: the memory it
            # takes is the compressed package's, however long the history grows.
            with package.open(f"{name}.csv", "w") as entry, io.TextIOWrapper(entry, "utf-8", newline="") as table:
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
        package.writestr("datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False))
    return archive.getvalue(), data_version
