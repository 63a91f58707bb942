"""Load the project's seed data (the CSV files in seed/) into the database.

Idempotent: each row is matched on its natural key and only written when a
value differs, so a second run changes nothing and an edited file updates just
the rows it changed. Staff work is never overwritten: a row that staff changed
after the seed loaded it is kept, and listed; rows missing from a file are
left alone.

Atomic: everything loads in one transaction. The first bad value stops the
run, nothing is kept, and the error names the file, row and field.
"""

import csv
import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from states.changelog import SEED_REASON, record_data_load
from states.choices import Publication
from states.facts import ReviewedFact
from states.models import (
    PositionStatement,
    Source,
    State,
    TimelineEvent,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)


class SeedRowError(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def parse_date(row, column, required=False):
    value = row[column].strip()
    if not value:
        if required:
            raise SeedRowError(column, "a date is required (YYYY-MM-DD)")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise SeedRowError(column, f"{value!r} is not a date in the form YYYY-MM-DD") from None


def parse_int(row, column):
    value = row[column].strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise SeedRowError(column, f"{value!r} is not a whole number") from None


def parse_yes_no(row, column):
    value = row[column].strip().lower()
    if value not in {"yes", "no"}:
        raise SeedRowError(column, f"{row[column]!r} must be yes or no")
    return value == "yes"


def lookup(model, column, **key):
    try:
        return model.objects.get(**key)
    except model.DoesNotExist:
        raise SeedRowError(
            column, f"no {model._meta.verbose_name} {next(iter(key.values()))!r} (load it first)"
        ) from None


class SeedLoader:
    """Reads seed files and upserts their rows, counting what changed."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
        self.kept = []

    def rows(self, filename, columns):
        path = self.directory / filename
        try:
            handle = path.open(newline="", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
        with handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"{path}: missing column(s): {', '.join(missing)}.")
            try:
                for row in reader:
                    if None in row or any(value is None for value in row.values()):
                        raise CommandError(
                            f"{path}, row {reader.line_num}: has {len(reader.fieldnames)} columns in "
                            "the header but a different number in this row."
                        )
                    yield reader.line_num, row
            except csv.Error as error:
                raise CommandError(f"{path}, row {reader.line_num}: not valid CSV ({error}).") from None

    def load_file(self, filename, columns, build, sort_key=None, check=None):
        path = self.directory / filename
        rows = list(self.rows(filename, columns))
        if sort_key:
            rows.sort(key=lambda numbered: sort_key(numbered[1]))
        for line, row in rows:
            try:
                model, key, values = build(row)
                obj = self.upsert(model, key, values)
                if check:
                    check(obj, row)
            except SeedRowError as error:
                raise CommandError(f'{path}, row {line}, field "{error.field}": {error.message}') from None
            except ValidationError as error:
                field, messages = next(iter(error.message_dict.items()))
                field = "(row)" if field == "__all__" else field
                raise CommandError(f'{path}, row {line}, field "{field}": {" ".join(messages)}') from None

    def upsert(self, model, key, values):
        if issubclass(model, ReviewedFact):
            # Seed facts are published facts; drafts in the database are staff work in progress.
            key = {**key, "publication": Publication.PUBLISHED}
        obj = model.objects.filter(**key).first()
        if obj is None:
            obj = model(**key, **values)
            outcome = "created"
        else:
            changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
            if not changed:
                self.counts["unchanged"] += 1
                return obj
            last_change = obj.history.values_list("history_change_reason", flat=True).first()
            if last_change != SEED_REASON:
                # Staff changed this row after the seed loaded it: their work wins.
                self.counts["kept"] += 1
                self.kept.append(f"{obj} ({', '.join(changed)})")
                return obj
            for name, value in changed.items():
                setattr(obj, name, value)
            outcome = "updated"
        obj.full_clean()
        if isinstance(obj, ReviewedFact):
            obj.clean_across_rows()
        obj._change_reason = SEED_REASON
        obj.save()
        self.counts[outcome] += 1
        return obj

    def check_entry_into_force(self, action, row):
        """Cross-check a sourced entry-into-force date against the treaty's rule."""
        if not row["entry_into_force_per_source"].strip():
            return
        sourced = parse_date(row, "entry_into_force_per_source")
        computed = action.takes_effect_on
        if sourced != computed:
            raise SeedRowError(
                "entry_into_force_per_source",
                f"the source gives {sourced} but the treaty's rule gives "
                f"{computed} for a deposit on {action.date}; check the source.",
            )

    def load_all(self):
        self.load_file("sources.csv", ["url", "title", "publisher"], self.source)
        self.load_file("treaties.csv", TREATY_COLUMNS, self.treaty)
        self.load_file("states.csv", STATE_COLUMNS, self.state)
        self.load_file(
            "treaty_actions.csv",
            ACTION_COLUMNS,
            self.treaty_action,
            # Earlier actions first, so each one is checked against what preceded it.
            sort_key=lambda row: (row["iso3"], row["treaty"], row["date"]),
            check=self.check_entry_into_force,
        )
        self.load_file("position_statements.csv", STATEMENT_COLUMNS, self.position_statement)
        self.load_file("written_submissions.csv", SUBMISSION_COLUMNS, self.written_submission)
        self.load_file("timeline.csv", TIMELINE_COLUMNS, self.timeline_event)

    # One builder per file: (model, natural key, other values).

    def sourced(self, row):
        return {
            "source": lookup(Source, "source_url", url=row["source_url"].strip()),
            "verification": row["verification"].strip(),
        }

    def noted(self, row):
        """A fact's public note and its staff-only research note."""
        return {"public_note": row["public_note"].strip(), "research_note": row["research_note"].strip()}

    def source(self, row):
        return Source, {"url": row["url"].strip()}, {"title": row["title"], "publisher": row["publisher"]}

    def treaty(self, row):
        values = {
            "short_name": row["short_name"],
            "title": row["title"],
            "adopted_on": parse_date(row, "adopted_on"),
            "entered_into_force_on": parse_date(row, "entered_into_force_on"),
            "entry_into_force_period": parse_int(row, "entry_into_force_period"),
            "entry_into_force_period_unit": row["entry_into_force_period_unit"].strip(),
            "withdrawal_period_months": parse_int(row, "withdrawal_period_months"),
            "depositary_record_url": row["depositary_record_url"].strip(),
            **self.sourced(row),
        }
        return Treaty, {"slug": row["slug"].strip()}, values

    def state(self, row):
        values = {
            "iso2": row["iso2"].strip(),
            "name": row["name"].strip(),
            "un_regional_group": row["un_regional_group"].strip(),
            "subregion": row["subregion"].strip(),
            "un_membership": row["un_membership"].strip(),
            "in_icc_asia_pacific": parse_yes_no(row, "in_icc_asia_pacific"),
            **self.noted(row),
            **self.sourced(row),
        }
        return State, {"iso3": row["iso3"].strip()}, values

    def treaty_action(self, row):
        key = {
            "state": lookup(State, "iso3", iso3=row["iso3"].strip()),
            "treaty": lookup(Treaty, "treaty", slug=row["treaty"].strip()),
            "action_type": row["action_type"].strip(),
        }
        values = {
            "date": parse_date(row, "date", required=True),
            "later_effective_date": parse_date(row, "later_effective_date"),
            "depositary_notification": row["depositary_notification"].strip(),
            **self.noted(row),
            **self.sourced(row),
        }
        return TreatyAction, key, values

    def position_statement(self, row):
        sourced = self.sourced(row)
        key = {
            "state": lookup(State, "iso3", iso3=row["iso3"].strip()),
            "source": sourced.pop("source"),
            "date": parse_date(row, "date", required=True),
        }
        values = {
            "date_precision": row["date_precision"].strip(),
            "forum": row["forum"],
            "summary": row["summary"],
            "quote": row["quote"],
            "position": row["position"].strip(),
            **sourced,
        }
        return PositionStatement, key, values

    def written_submission(self, row):
        values = {
            "status": row["status"].strip(),
            "submitted_on": parse_date(row, "submitted_on"),
            "document_symbol": row["document_symbol"].strip(),
            "document_url": row["document_url"].strip(),
            **self.sourced(row),
        }
        return WrittenSubmission, {"state": lookup(State, "iso3", iso3=row["iso3"].strip())}, values

    def timeline_event(self, row):
        key = {"date": parse_date(row, "date", required=True), "event": row["event"]}
        values = {
            "date_precision": row["date_precision"].strip(),
            "topic": row["topic"].strip(),
            "document_symbol": row["document_symbol"].strip(),
            **self.noted(row),
            **self.sourced(row),
        }
        return TimelineEvent, key, values


SOURCED_COLUMNS = ["source_url", "verification"]
NOTE_COLUMNS = ["public_note", "research_note"]
TREATY_COLUMNS = [
    "slug",
    "short_name",
    "title",
    "adopted_on",
    "entered_into_force_on",
    "entry_into_force_period",
    "entry_into_force_period_unit",
    "withdrawal_period_months",
    "depositary_record_url",
    *SOURCED_COLUMNS,
]
STATE_COLUMNS = [
    "iso3",
    "iso2",
    "name",
    "un_regional_group",
    "subregion",
    "un_membership",
    "in_icc_asia_pacific",
    *NOTE_COLUMNS,
    *SOURCED_COLUMNS,
]
ACTION_COLUMNS = [
    "iso3",
    "treaty",
    "action_type",
    "date",
    "later_effective_date",
    "depositary_notification",
    "entry_into_force_per_source",
    *NOTE_COLUMNS,
    *SOURCED_COLUMNS,
]
STATEMENT_COLUMNS = [
    "iso3",
    "date",
    "date_precision",
    "forum",
    "summary",
    "quote",
    "position",
    *SOURCED_COLUMNS,
]
SUBMISSION_COLUMNS = [
    "iso3",
    "status",
    "submitted_on",
    "document_symbol",
    "document_url",
    *SOURCED_COLUMNS,
]
TIMELINE_COLUMNS = [
    "date",
    "date_precision",
    "topic",
    "event",
    "document_symbol",
    *NOTE_COLUMNS,
    *SOURCED_COLUMNS,
]


class Command(BaseCommand):
    help = "Load the seed data from seed/ (idempotent; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=settings.SEED_DIR, help="Folder with the seed CSV files (default: seed/).")

    def handle(self, *args, **options):
        loader = SeedLoader(options["dir"])
        with transaction.atomic():
            loader.load_all()
            record_data_load(loader.counts["created"], loader.counts["updated"], timezone.now())
        counts = loader.counts
        self.stdout.write(
            f"Seed data loaded: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged."
        )
        if loader.kept:
            self.stdout.write(
                f"Kept {counts['kept']} row(s) that staff changed since the last load (the seed file differs):"
            )
            for row in loader.kept:
                self.stdout.write(f"  {row}")
