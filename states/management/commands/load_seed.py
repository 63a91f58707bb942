"""Load the project's seed data (the CSV files in seed/) into the database.

The seed is a first load, not a sync. Each row has a stable key of its own
(the ``key`` column); the ledger (``SeedRow``) remembers every key loaded and
the row's values then. A run:

- adds the rows whose key it has never loaded: published on a database that
  only the loader has written to, drafts for a Publisher to review on one
  that staff have touched;
- turns a row it loaded before and whose values changed in the file (a
  correction from the researchers) into a draft of that fact for a Publisher
  to review, never an overwrite (on an untouched database it updates the row);
- leaves alone whatever staff own: a fact they withdrew, deleted, re-dated or
  have a draft of stays as they left it, whatever its key became.

A run with nothing new writes nothing at all, so every start of every app
server (``make serve``) leaves the record and the public pages as they were.

Atomic: everything loads in one transaction. The first bad value stops the
run, nothing is kept, and the error names the file, row and field.
"""

import csv
import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from states.changelog import SEED_REASON, record_data_load
from states.choices import DatePrecision, Origin, Publication, RecordKind
from states.facts import ReviewedFact
from states.models import (
    PositionStatement,
    PublishedChange,
    SeedRow,
    Source,
    State,
    TimelineEvent,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)

# The reason the history gives a draft the loader proposes (and the public
# list, once a Publisher publishes it).
PROPOSED_REASON = "New or corrected research from the coalition"

# Any number, the same for every loader: two app servers starting at once
# load one after the other (PostgreSQL; SQLite's IMMEDIATE transactions queue).
LOADER_LOCK = 0x5EED

SEEDED_MODELS = [Source, Treaty, State, TreatyAction, PositionStatement, WrittenSubmission, TimelineEvent]


def staff_have_touched():
    """Whether anyone but the loader has written to the record: a version in
    any history not written by the loader, or an entry on the public list
    other than a data load's."""
    written_by_others = any(model.history.filter(loaded_from_seed=False).exists() for model in SEEDED_MODELS)
    return written_by_others or PublishedChange.objects.exclude(record_kind=RecordKind.DATA_LOAD).exists()


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


def same_values(loaded, in_file):
    """Whether a row reads as when it was last loaded, in the columns it had
    then. A column the format gained since (or lost) is not compared: the
    release that adds one fills the records in with a migration, so no row
    reads as a correction (which would propose a draft of every record, and
    undo in it whatever staff had changed)."""
    return all(loaded[name] == in_file[name] for name in loaded.keys() & in_file.keys())


def lookup(model, column, **key):
    try:
        return model.objects.get(**key)
    except model.DoesNotExist:
        raise SeedRowError(
            column, f"no {model._meta.verbose_name} {next(iter(key.values()))!r} (load it first)"
        ) from None


class SeedLoader:
    """Reads the seed files and applies what is new in them (see the module's
    docstring), keeping count of what it did and why."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.now = timezone.now()
        self.touched, self.ledger = False, {}
        self.keys_in_files = set()
        self.counts = {"added": 0, "proposed": 0, "updated": 0, "left": 0, "adopted": 0, "unchanged": 0}
        self.public_additions = 0  # what the public list of changes sums up
        self.proposed, self.left_alone = [], []
        self._first_versions = None

    def rows(self, filename, columns):
        path = self.directory / filename
        try:
            handle = path.open(newline="", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
        with handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ["key", *columns] if c not in (reader.fieldnames or [])]
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

    def load_file(self, filename, model, columns, build, sort_key=None, check=None):
        path = self.directory / filename
        rows = list(self.rows(filename, columns))
        if sort_key:
            rows.sort(key=lambda numbered: sort_key(numbered[1]))
        for line, row in rows:
            try:
                self.apply(model, row, build, check)
            except SeedRowError as error:
                raise CommandError(f'{path}, row {line}, field "{error.field}": {error.message}') from None
            except ValidationError as error:
                field, messages = next(iter(error.message_dict.items()))
                field = "(row)" if field == "__all__" else field
                raise CommandError(f'{path}, row {line}, field "{field}": {" ".join(messages)}') from None

    def apply(self, model, row, build, check):
        key = row["key"].strip()
        if not key:
            raise SeedRowError("key", "every row needs a key of its own (see the README's account of the seed)")
        if key in self.keys_in_files:
            raise SeedRowError("key", f"the key {key!r} is used twice; each row needs a key of its own")
        self.keys_in_files.add(key)
        values_in_file = {name: value.strip() for name, value in row.items()}
        entry = self.ledger.get(key)
        if entry is None:
            record = self.loaded_before_keys(model, values_in_file)
            if record is not None:
                self.counts["adopted"] += 1
            else:
                model, natural_key, values = build(row)
                record = self.add(model, natural_key, values, key)
                if check:
                    check(record, row)
            SeedRow.objects.create(
                key=key,
                record_kind=RecordKind(model._meta.model_name),
                record_id=record.pk,
                loaded_values=values_in_file,
                loaded_at=self.now,
            )
        elif same_values(entry.loaded_values, values_in_file):
            self.counts["unchanged"] += 1
            if entry.loaded_values.keys() != values_in_file.keys():
                # The ledger learns the new format once, so a later change to a new column is seen.
                entry.loaded_values = values_in_file
                entry.save(update_fields=["loaded_values"])
        else:
            self.correct(entry, row, build, check)
            entry.loaded_values, entry.loaded_at = values_in_file, self.now
            entry.save()

    def add(self, model, natural_key, values, key):
        """A row never loaded before: published, or a draft on a database staff have touched."""
        record = model(**natural_key, **values, origin=Origin.SEED)
        as_draft = self.touched and issubclass(model, ReviewedFact)
        if issubclass(model, ReviewedFact):
            record.publication = Publication.DRAFT if as_draft else Publication.PUBLISHED
        record.full_clean()
        if not as_draft and isinstance(record, ReviewedFact):
            record.clean_across_rows()
        self.save(record, PROPOSED_REASON if as_draft else SEED_REASON)
        if as_draft:
            self.counts["proposed"] += 1
            self.proposed.append(f"{key}: new, {record}")
        else:
            self.counts["added"] += 1
            # A new source backs nothing public yet on a database in use (states.changelog).
            if not (self.touched and model is Source):
                self.public_additions += 1
        return record

    def correct(self, entry, row, build, check):
        """A row loaded before whose values changed in the file."""
        model, natural_key, values = build(row)
        record = model.objects.filter(pk=entry.record_id).first()
        if record is not None and all(
            getattr(record, name) == value for name, value in {**natural_key, **values}.items()
        ):
            # The record holds the file's values already: nothing to correct or
            # review, though the file's cross-checks still apply.
            if check:
                check(record, row)
            self.counts["unchanged"] += 1
            return
        why_not = self.why_staff_own(record, model)
        if why_not:
            self.counts["left"] += 1
            self.left_alone.append(f"{entry.key}: {why_not}")
            return
        if not self.touched:
            for name, value in {**natural_key, **values}.items():
                setattr(record, name, value)
            record.full_clean()
            if isinstance(record, ReviewedFact):
                record.clean_across_rows()
            if check:
                check(record, row)
            self.save(record, SEED_REASON)
            self.counts["updated"] += 1
            return
        draft = model.objects.get(pk=record.pk)
        draft.pk = draft.id = None
        draft._state.adding = True
        for name, value in {**natural_key, **values}.items():
            setattr(draft, name, value)
        draft.publication, draft.draft_of, draft.version = Publication.DRAFT, record, 1
        draft.full_clean()
        if check:
            check(draft, row)
        self.save(draft, PROPOSED_REASON)
        self.counts["proposed"] += 1
        self.proposed.append(f"{entry.key}: a correction to {record}")

    def why_staff_own(self, record, model):
        """Why a correction from the file must not touch this record (None if it may)."""
        if record is None:
            return "deleted by staff; not brought back"
        if not self.touched:
            return None
        if not issubclass(model, ReviewedFact):
            return (
                f"{record} differs from the file, and its fields are public as soon as saved: "
                "a Publisher may apply the correction by hand"
            )
        if not record.is_published:
            return f"{record} was withdrawn from the public record by staff; not republished"
        if record.pending_drafts.exists():
            return f"{record} already has a draft waiting for review; not proposed twice"
        return None

    def save(self, record, reason):
        record._change_reason = reason
        record._loaded_from_seed = True
        record.save()

    def loaded_before_keys(self, model, row):
        """The record an earlier loader made of this row, before rows had keys
        (a database from before the ledger): found by the natural key its
        first version had, among the versions the loader wrote, so a record
        staff have since withdrawn, deleted or re-dated is found too."""
        if self._first_versions is None:
            self._first_versions = self.first_versions_by_natural_key()
        record_id = self._first_versions.get(model, {}).get(natural_key_in_file(model, row))
        if record_id is None:
            return None
        return model.objects.filter(pk=record_id).first() or model(pk=record_id)

    def first_versions_by_natural_key(self):
        iso3 = dict(State.history.values_list("id", "iso3"))
        slug = dict(Treaty.history.values_list("id", "slug"))
        url = dict(Source.history.values_list("id", "url"))
        keys = {
            Source: lambda version: (version.url,),
            Treaty: lambda version: (version.slug,),
            State: lambda version: (version.iso3,),
            TreatyAction: lambda v: (iso3.get(v.state_id), slug.get(v.treaty_id), v.action_type),
            PositionStatement: lambda v: (iso3.get(v.state_id), url.get(v.source_id), v.date.isoformat()),
            WrittenSubmission: lambda v: (iso3.get(v.state_id),),
            TimelineEvent: lambda v: (v.date.isoformat(), v.event.strip()),
        }
        found = {}
        for model, key_of in keys.items():
            created = model.history.filter(loaded_from_seed=True, history_type="+").order_by("history_date")
            found[model] = {key_of(version): version.id for version in created}
        return found

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
        """Apply every file, in one transaction the caller opens."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOADER_LOCK])
        self.touched = staff_have_touched()
        self.ledger = {row.key: row for row in SeedRow.objects.all()}
        self.load_file("sources.csv", Source, ["url", "title", "publisher"], self.source)
        self.load_file("treaties.csv", Treaty, TREATY_COLUMNS, self.treaty)
        self.load_file("states.csv", State, STATE_COLUMNS, self.state)
        # An amendment's actions after its statute's, which they are checked against.
        amendments = set(Treaty.objects.filter(open_only_to_parties_of__isnull=False).values_list("slug", flat=True))
        self.load_file(
            "treaty_actions.csv",
            TreatyAction,
            ACTION_COLUMNS,
            self.treaty_action,
            # Earlier actions first, so each one is checked against what preceded it.
            sort_key=lambda row: (row["treaty"].strip() in amendments, row["iso3"], row["treaty"], row["date"]),
            check=self.check_entry_into_force,
        )
        self.load_file("position_statements.csv", PositionStatement, STATEMENT_COLUMNS, self.position_statement)
        self.load_file("written_submissions.csv", WrittenSubmission, SUBMISSION_COLUMNS, self.written_submission)
        self.load_file("timeline.csv", TimelineEvent, TIMELINE_COLUMNS, self.timeline_event)

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
            "outlook": row["outlook"].strip(),
            "entered_into_force_on": parse_date(row, "entered_into_force_on"),
            "entry_into_force_period": parse_int(row, "entry_into_force_period"),
            "entry_into_force_period_unit": row["entry_into_force_period_unit"].strip(),
            "entry_into_force_rule": row["entry_into_force_rule"].strip(),
            "entry_into_force_article": row["entry_into_force_article"].strip(),
            "every_state_researched": parse_yes_no(row, "every_state_researched"),
            "has_signature_step": parse_yes_no(row, "has_signature_step"),
            "open_only_to_parties_of": (
                lookup(Treaty, "open_only_to_parties_of", slug=row["open_only_to_parties_of"].strip())
                if row["open_only_to_parties_of"].strip()
                else None
            ),
            "withdrawal_period_months": parse_int(row, "withdrawal_period_months"),
            "withdrawal_article": row["withdrawal_article"].strip(),
            "depositary_record_url": row["depositary_record_url"].strip(),
            **self.sourced(row),
            **self.noted(row),
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
            "quote_language": row["quote_language"].strip(),
            "position": row["position"].strip(),
            "whose_words": row["whose_words"].strip(),
            **self.noted(row),
            **sourced,
        }
        return PositionStatement, key, values

    def written_submission(self, row):
        values = {
            "status": row["status"].strip(),
            "submitted_on": parse_date(row, "submitted_on"),
            "submitted_on_precision": row["submitted_on_precision"].strip() or DatePrecision.DAY,
            "document_symbol": row["document_symbol"].strip(),
            "document_url": row["document_url"].strip(),
            **self.noted(row),
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
    "outlook",
    "entered_into_force_on",
    "entry_into_force_period",
    "entry_into_force_period_unit",
    "entry_into_force_rule",
    "entry_into_force_article",
    "every_state_researched",
    "has_signature_step",
    "open_only_to_parties_of",
    "withdrawal_period_months",
    "withdrawal_article",
    "depositary_record_url",
    *SOURCED_COLUMNS,
    *NOTE_COLUMNS,
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
    "quote_language",
    "position",
    "whose_words",
    *NOTE_COLUMNS,
    *SOURCED_COLUMNS,
]
SUBMISSION_COLUMNS = [
    "iso3",
    "status",
    "submitted_on",
    "submitted_on_precision",
    "document_symbol",
    "document_url",
    *NOTE_COLUMNS,
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


def natural_key_in_file(model, row):
    """A row's natural key as the file writes it, to match the first version
    of a record loaded before rows had keys (``loaded_before_keys``)."""
    if model is Source:
        return (row["url"],)
    if model is Treaty:
        return (row["slug"],)
    if model is State:
        return (row["iso3"],)
    if model is TreatyAction:
        return (row["iso3"], row["treaty"], row["action_type"])
    if model is PositionStatement:
        return (row["iso3"], row["source_url"], row["date"])
    if model is WrittenSubmission:
        return (row["iso3"],)
    return (row["date"], row["event"])


class Command(BaseCommand):
    help = (
        "Load the seed data from seed/: a first load. Adds rows never loaded before, proposes "
        "corrections as drafts, and leaves alone what staff own (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=settings.SEED_DIR, help="Folder with the seed CSV files (default: seed/).")

    def handle(self, *args, **options):
        loader = SeedLoader(options["dir"])
        with transaction.atomic():
            loader.load_all()
            record_data_load(loader.public_additions, loader.counts["updated"], loader.now)
        self.stdout.write(self.summary(loader))
        if loader.proposed:
            self.stdout.write("Proposed as drafts, for a Publisher to review (Waiting for review in the admin):")
            for line in loader.proposed:
                self.stdout.write(f"  {line}")
        if loader.left_alone:
            self.stdout.write("Left alone, because staff own them:")
            for line in loader.left_alone:
                self.stdout.write(f"  {line}")

    def summary(self, loader):
        counts = loader.counts
        done = [
            (counts["added"], "added and published"),
            (counts["updated"], "updated in place (no staff work yet)"),
            (counts["proposed"], "proposed as drafts"),
            (counts["left"], "left alone because staff own them"),
            (counts["adopted"], "matched to records loaded before rows had keys"),
        ]
        said = [f"{count} {what}" for count, what in done if count]
        if not said:
            return f"Seed data: nothing new; all {counts['unchanged']} rows were loaded before. Nothing was written."
        return f"Seed data: {', '.join(said)}; {counts['unchanged']} unchanged."
