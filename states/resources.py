"""Bulk import and export of facts (django-import-export).

Rows name their state by ISO3 code, their treaty by its short code and their
source by its address. An import follows the same rules as an edit: each row
is validated like a form (one-row rules and the rules across sibling rows),
and an editor's rows become drafts. Exports carry each record's version, and
an import that would change a record changed since its export is refused
whole, as a stale form is. Exports open safely in a spreadsheet.

Speed: rows of a fact, new or changed, are checked and saved in bulk
(``FactResource``), so a file at the row limit takes seconds; treaty actions,
each checked against the state's other actions, go one by one, as a form's
save does. Whatever the file, an import that has not finished within
IMPORT_TIME_LIMIT stops and is undone whole, with a message, before the
server's timeout would kill it.
"""

import copy
import time
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import RowResult

from states.changelog import record_published_additions, record_published_changes
from states.choices import Publication, WhoseWords
from states.facts import DRAFT_PENDING, ReviewedFact, is_a_number
from states.forms import changed_meanwhile
from states.models import (
    CoalitionAsk,
    PositionStatement,
    Source,
    State,
    TimelineEvent,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)
from states.spreadsheets import (
    IMPORT_TIME_LIMIT,
    MAX_IMPORT_ROWS,
    MAX_IMPORT_ROWS_ONE_BY_ONE,
    PREVIEW_ROWS,
    from_spreadsheet,
    make_dataset_safe,
    too_many_rows,
)


# The library's own escaping strips only a leading "="; these escape all four.
class SafeCSV(base_formats.CSV):
    def _escape_formulae(self, dataset):
        make_dataset_safe(dataset)


class SafeXLSX(base_formats.XLSX):
    def _escape_formulae(self, dataset):
        make_dataset_safe(dataset)


class IsoDateWidget(widgets.DateWidget):
    """A date as the sheets write it, and an error that says how to write one
    (the library's reads "Value could not be parsed using defined formats")."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            message = _("“%(value)s” is not a date: use YYYY-MM-DD, for example 2024-10-11.")
            raise ValueError(message % {"value": value}) from None


class CategoryWidget(widgets.Widget):
    """A category by its code or by its label in words, in any case
    ("supports", "Supports a convention"); exported as its code."""

    def __init__(self, field, **kwargs):
        super().__init__(**kwargs)
        self.field = field

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        wanted = text.casefold()
        # Codes first: a label is translated text, read only for a row that writes labels.
        for code, _label in self.field.flatchoices:
            if wanted == str(code).casefold():
                return code
        for code, label in self.field.flatchoices:
            if wanted == str(label).casefold():
                return code
        offered = "; ".join(str(label) for code, label in self.field.flatchoices if code)
        raise ValueError(
            _("“%(value)s” is not a value of “%(what)s”. Write one of: %(offered)s.")
            % {"value": text, "what": capfirst(self.field.verbose_name), "offered": offered}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class LookupWidget(widgets.ForeignKeyWidget):
    """A related record named by any of several fields, in any case; if none
    matches, the message says what to do instead of "matching query does not exist"."""

    def __init__(self, model, field, also=(), missing="", **kwargs):
        super().__init__(model, field, **kwargs)
        self.also, self.missing = also, missing
        # What each name found, for the rest of the import: each resource (one per
        # import) works on its own copy of its fields, so nothing outlives the import.
        self.found = {}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        if text.casefold() not in self.found:
            query = Q(**{f"{self.field}__iexact": text})
            for name in self.also:
                query |= Q(**{f"{name}__iexact": text})
            self.found[text.casefold()] = self.model.objects.filter(query).first()
        match = self.found[text.casefold()]
        if match is None:
            raise ValueError(self.missing % {"value": text})
        return match


def source_column():
    return fields.Field(
        "source",
        "source",
        LookupWidget(
            Source,
            "url",
            missing=_("No source with the address %(value)s: add it under Sources first, then import again."),
        ),
    )


class ImportTookTooLong(Exception):
    def __init__(self, checked, total):
        super().__init__(
            _(
                "Checking this file took longer than %(limit)s seconds, so it was stopped after %(checked)s "
                "of its %(total)s rows and nothing was saved. Split it into smaller files and import them "
                "one after another."
            )
            % {"limit": IMPORT_TIME_LIMIT, "checked": f"{checked:,}", "total": f"{total:,}"}
        )


class ChangedDuringImport(Exception):
    def __init__(self):
        super().__init__(
            _(
                "While this file was being checked, someone else saved a record that one of its rows "
                "repeats, so nothing was saved. Import the file again to see which row."
            )
        )


class RowOfFile(RowResult):
    """A row's result that names its record only when asked: the admin's
    log asks when a file is imported, the preview never does. Naming a fact
    formats its date in the reader's language, a fifth of a new row's time."""

    def add_instance_info(self, instance):
        if instance is not None:
            self.object_id, self.record = instance.pk, instance

    @property
    def object_repr(self):
        record = getattr(self, "record", None)
        return force_str(record) if record is not None else self._object_repr

    @object_repr.setter
    def object_repr(self, name):
        self._object_repr = name


class CheckedResource(resources.ModelResource):
    """Every import is checked like a form: each row's model validation (so a
    link must be a web address, and so on), in bounds, formulas unescaped.
    Categories may be written as codes or as their labels."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True

    @classmethod
    def saved_in_bulk(cls):
        return False

    @classmethod
    def row_limit(cls):
        """The most rows a file of this sheet may have: saved row by row, a
        sheet must stay within IMPORT_TIME_LIMIT with fewer."""
        return MAX_IMPORT_ROWS if cls.saved_in_bulk() else MAX_IMPORT_ROWS_ONE_BY_ONE

    def get_row_result_class(self):
        return RowOfFile

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if django_field.choices:
            field.widget = CategoryWidget(django_field)
        elif isinstance(django_field, models.DateField):
            field.widget = IsoDateWidget(format="%Y-%m-%d")
        return field

    def before_import(self, dataset, **kwargs):
        # The admin's form refuses a long file before parsing; this covers every other caller.
        # The clock starts first: the library reads the rows even after this refuses the file.
        self.started, self.rows_not_reached = time.monotonic(), 0
        if len(dataset) > self.row_limit():
            raise too_many_rows(len(dataset), self.row_limit())
        super().before_import(dataset, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        # Past the time limit the remaining rows are not even read: the import
        # is refused whole in after_import, while the worker still has time to say so.
        if time.monotonic() - getattr(self, "started", time.monotonic()) > IMPORT_TIME_LIMIT:
            self.rows_not_reached += 1
            not_reached = self.get_row_result_class()()
            not_reached.import_type = RowResult.IMPORT_TYPE_SKIP
            return not_reached
        return super().import_row(row, instance_loader, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if getattr(self, "rows_not_reached", 0):
            raise ImportTookTooLong(len(dataset) - self.rows_not_reached, len(dataset))

    def before_import_row(self, row, **kwargs):
        # No database stores a NUL character in text (PostgreSQL refuses the
        # whole statement): say which cell holds one, as for any bad value.
        holding_nul = [name for name, value in row.items() if isinstance(value, str) and "\x00" in value]
        if holding_nul:
            raise ValidationError(
                {
                    name: _("This cell holds a NUL character (0x00), which no record can store: remove it.")
                    for name in holding_nul
                }
            )
        # Exports escape cells a spreadsheet would run as formulas; take that escape off again.
        for name, value in row.items():
            row[name] = from_spreadsheet(value)
        super().before_import_row(row, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        instance._change_reason = str(_("Bulk import"))
        super().save_instance(instance, is_create, row, **kwargs)


class VersionedResource(CheckedResource):
    """Rows of records that carry a version (``facts.VersionedSave``). The
    export gives each row's version; an import row that changes a record
    must give the version it was exported at, and is refused if the record
    changed since. The record is locked from that check to the save, and the
    save itself is conditional on the version, so no concurrent save is lost."""

    version = fields.Field(attribute="version", column_name="version", readonly=True)

    def get_instance(self, instance_loader, row):
        instance = super().get_instance(instance_loader, row)
        if instance is not None:
            # Locked until the import's transaction ends, as a form locks its record.
            instance = type(instance).objects.select_for_update(no_key=True).get(pk=instance.pk)
        return instance

    def import_instance(self, instance, row, **kwargs):
        if not instance._state.adding:
            exported = str(row.get("version") or "").strip()
            if not is_a_number(exported):
                raise ValidationError(
                    {
                        "version": _(
                            "This row changes an existing record (id %(id)s) but does not say which version "
                            "of it the file was made from, so it could undo someone's newer change. Export "
                            "the sheet again and make your change in the new file."
                        )
                        % {"id": instance.pk}
                    }
                )
            if int(exported) != instance.version:
                raise ValidationError(
                    {
                        "version": _(
                            "This record (id %(id)s) was changed after the file was exported (version "
                            "%(exported)s in the file, %(stored)s now), and importing the row would undo "
                            "that change. %(changes)s Export the sheet again and make your change in the new file."
                        )
                        % {
                            "id": instance.pk,
                            "exported": exported,
                            "stored": instance.version,
                            "changes": changed_meanwhile(instance, int(exported)),
                        }
                    }
                )
        super().import_instance(instance, row, **kwargs)


class SourceResource(CheckedResource):
    class Meta(CheckedResource.Meta):
        model = Source
        exclude = ["origin"]


class TreatyResource(VersionedResource):
    source = source_column()

    class Meta(CheckedResource.Meta):
        model = Treaty
        exclude = ["verified_by", "origin"]


class StateResource(VersionedResource):
    source = source_column()

    class Meta(CheckedResource.Meta):
        model = State
        exclude = ["verified_by", "origin"]


class FactResource(VersionedResource):
    """Rows of facts, checked as their forms would check them and saved as
    ``save_change_by`` saves them (a draft for an Editor), in bulk.

    The records the file changes are read, and locked, in one query before
    the first row. Each row is cleaned as it is read, but for the rules that
    ask the database: those are asked for all the file's rows at once at the
    end (``constraint_errors_in_turn``), and the facts are then created and
    updated in bulk, each with its history version and, where the public
    record changed, its public change. Facts with a rule across sibling rows
    (a state's treaty actions) are saved row by row instead, so that each
    row is checked against the file's earlier ones."""

    source = source_column()

    class Meta(CheckedResource.Meta):
        exclude = ["publication", "draft_of", "sent_back_note", "verified_by", "origin"]

    @classmethod
    def saved_in_bulk(cls):
        return cls._meta.model.clean_across_rows is ReviewedFact.clean_across_rows

    def before_import(self, dataset, **kwargs):
        self.waiting = []  # rows checked, waiting for the end of the file
        self.stored, self.row_changing = {}, {}
        super().before_import(dataset, **kwargs)  # the row limit first
        if self.saved_in_bulk() and "id" in dataset.headers:
            self.stored = self.lock_stored(dataset["id"])

    def lock_stored(self, ids):
        """The stored records the rows name, locked until the import's
        transaction ends (as a form locks its record, see
        ``VersionedSave.lock_stored_version``): one query per 500 rows."""
        pks = sorted({int(pk) for pk in (str(value or "").strip() for value in ids) if is_a_number(pk)})
        stored = {}
        # With the related records the sheet's columns and the preview's diff
        # show, which stay unlocked: a fact's save locks only the fact.
        related = [name for name, field in self.fields.items() if isinstance(field.widget, LookupWidget)]
        rows = self._meta.model.objects.select_related(*related).select_for_update(no_key=True, of=("self",))
        for start in range(0, len(pks), 500):
            stored.update(rows.in_bulk(pks[start : start + 500]))
        return stored

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._meta = copy.copy(self._meta)  # this import's own: whether a row's changes are shown is per row

    def get_instance(self, instance_loader, row):
        if not self.saved_in_bulk():
            return super().get_instance(instance_loader, row)
        pk = str(row.get("id") or "").strip()
        stored = self.stored.get(int(pk)) if is_a_number(pk) else None
        if stored is None:
            stored = super().get_instance(instance_loader, row)  # an id written some other way, or none
            if stored is None:
                return None
            self.stored[stored.pk] = stored
        if stored.pk in self.row_changing:
            # Saved in turn, the second row would find the record changed by the first.
            raise ValidationError(
                {
                    "id": _(
                        "Row %(row)s of this file already changes this record (id %(id)s): put both changes in one row."
                    )
                    % {"row": self.row_changing[stored.pk], "id": stored.pk}
                }
            )
        self.row_changing[stored.pk] = self.row_number
        return copy.copy(stored)  # the stored copy stays as it was, for the list of changes

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not self.saved_in_bulk() or import_validation_errors or instance._state.adding:
            return super().skip_row(instance, original, row, import_validation_errors)
        return not columns_changed(self.stored[instance.pk], instance)  # an unchanged row saves nothing

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not self.saved_in_bulk():
            super().validate_instance(instance, import_validation_errors, validate_unique)
            instance.clean_across_rows()
            return
        # Model.full_clean, less the queries: a related record a lookup column
        # found was read from the database by this import, and the database
        # rules are asked at the end for every row at once.
        errors = dict(import_validation_errors or {})
        looked_up = {
            name
            for name, field in self.fields.items()
            if isinstance(field.widget, LookupWidget) and getattr(instance, f"{name}_id", None) is not None
        }
        try:
            instance.full_clean(exclude={*errors, *looked_up}, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            # A refused row is rare: it gets the whole check at once, every problem in one message.
            try:
                instance.validate_constraints(exclude={name for name in errors if name != NON_FIELD_ERRORS})
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.saved_in_bulk():
            self.waiting.append(WaitingRow(instance, kwargs["row_number"], row))
            return
        instance.save_change_by(kwargs["user"], _("Bulk import"))

    def import_row(self, row, instance_loader, **kwargs):
        self.row_number = kwargs.get("row_number")
        if self.saved_in_bulk():
            # The import page shows the changes of the preview's first rows; the
            # library's diff of every row (a deep copy and a text diff each)
            # would cost most of each row's time. ``skip_row`` needs no diff.
            self._meta.skip_diff = not (kwargs.get("dry_run") and self.row_number <= PREVIEW_ROWS)
        row_result = super().import_row(row, instance_loader, **kwargs)
        if getattr(self, "waiting", None) and self.waiting[-1].number == self.row_number:
            self.waiting[-1].result = row_result
        return row_result

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        self.save_waiting_rows(result, kwargs["user"], kwargs.get("dry_run", False))

    def save_waiting_rows(self, result, user, dry_run):
        """Check the file's rows against the database's rules, then save them,
        in bulk. A preview (``dry_run``) stops after the check: the saves would
        be rolled back, and the confirmation, in a transaction of its own,
        checks and saves again (a save made meanwhile is still refused)."""
        if not self.waiting:
            return
        model = self._meta.model
        publish = model.may_publish(user)
        for waiting in self.waiting:
            waiting.fact.sent_back_note = ""  # revised: waiting for review again
            if waiting.fact._state.adding:
                waiting.fact.publication = Publication.PUBLISHED if publish else Publication.DRAFT
            # An Editor's change to a published fact is checked as that fact
            # would be, and saved as a draft of it, which holds no key.
            waiting.drafted = not publish and not waiting.fact._state.adding and waiting.fact.is_published
        refusals = model.constraint_errors_in_turn(
            [waiting.fact for waiting in self.waiting], holds_key=[not waiting.drafted for waiting in self.waiting]
        )
        pending = set(
            model.objects.filter(draft_of_id__in=[waiting.fact.pk for waiting in self.waiting if waiting.drafted])
            .values_list("draft_of_id", flat=True)
            .distinct()
        )
        for waiting, refusal in zip(self.waiting, refusals, strict=True):
            if waiting.drafted and waiting.fact.pk in pending:
                refusal = ValidationError(DRAFT_PENDING, code="draft_pending").update_error_dict(
                    refusal.error_dict if refusal else {}
                )
                refusal = ValidationError(refusal)
            if refusal is not None:
                waiting.refuse(refusal, result)
        if result.has_validation_errors():
            result.invalid_rows.sort(key=lambda invalid: invalid.number)
            return  # the whole file is refused: nothing to save
        if dry_run:
            return
        created, changed = [], []
        for waiting in self.waiting:
            if waiting.drafted:
                waiting.make_draft()
            if waiting.fact._state.adding:
                created.append(waiting.fact)
            else:
                waiting.fact.version = self.stored[waiting.fact.pk].version + 1
                changed.append(waiting.fact)
        reason, now = str(_("Bulk import")), timezone.now()
        history = {"batch_size": 500, "default_user": user, "default_change_reason": reason, "default_date": now}
        try:
            model.objects.bulk_create(created, batch_size=500)
            # Locked since before the first row: no one else changed them meanwhile.
            for columns, facts in self.by_columns_changed(changed).items():
                model.objects.bulk_update(facts, columns, batch_size=500)
        except IntegrityError as error:
            # The database still holds every rule: a save made since the check took a key.
            raise ChangedDuringImport from error
        model.history.bulk_history_create(created, **history)
        model.history.bulk_history_create(changed, update=True, **history)
        record_published_additions([fact for fact in created if fact.is_published], now, reason)
        record_published_changes([(self.stored[fact.pk], fact) for fact in changed if fact.is_published], now, reason)
        for waiting in self.waiting:
            waiting.result.object_id = waiting.fact.pk

    def by_columns_changed(self, changed):
        """The changed facts grouped by the columns they change: an update
        writes only those (Django's bulk update costs rows times columns)."""
        groups = defaultdict(list)
        for fact in changed:
            groups[columns_changed(self.stored[fact.pk], fact)].append(fact)
        return groups


def columns_changed(stored, changed):
    return tuple(
        field.attname
        for field in changed._meta.concrete_fields
        if getattr(changed, field.attname) != getattr(stored, field.attname)
    )


@dataclass
class WaitingRow:
    """A fact read from the file, new or changed, checked against the
    database's rules and saved with the file's other facts at the end."""

    fact: models.Model
    number: int
    row: dict
    result: RowResult = None
    drafted: bool = False

    def refuse(self, error, result):
        """Count the row refused, as if its own check had refused it."""
        result.totals[self.result.import_type] -= 1
        self.result.import_type, self.result.validation_error = RowResult.IMPORT_TYPE_INVALID, error
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
        result.append_invalid_row(self.number, self.row, error)

    def make_draft(self):
        """Turn the changed copy of a published fact into a new draft of it, as ``save_change_by`` does."""
        fact = self.fact
        fact.draft_of_id, fact.pk = fact.pk, None
        fact._state.adding = True
        fact.publication, fact.version = Publication.DRAFT, 1


class StateFactResource(FactResource):
    state = fields.Field(
        "state",
        "state",
        LookupWidget(
            State,
            "iso3",
            also=["name", "iso2"],
            missing=_(
                "No tracked state “%(value)s”: write its ISO3 code (for example PHL) or its name as the site does."
            ),
        ),
    )


class TreatyActionResource(StateFactResource):
    treaty = fields.Field(
        "treaty",
        "treaty",
        LookupWidget(
            Treaty,
            "slug",
            also=["short_name"],
            missing=_("No treaty “%(value)s”: write its short code (rome-statute) or its short name."),
        ),
    )

    class Meta(FactResource.Meta):
        model = TreatyAction


class CoalitionAskResource(TreatyActionResource):
    """An ask names its state and its treaty as a treaty action does."""

    class Meta(FactResource.Meta):
        model = CoalitionAsk


class PositionStatementResource(StateFactResource):
    class Meta(FactResource.Meta):
        model = PositionStatement

    def before_import_row(self, row, **kwargs):
        # Whose words a position rests on is read from its source, never
        # assumed: as the admin's form asks, so does every row of a sheet.
        if not str(row.get("whose_words") or "").strip():
            raise ValidationError(
                {
                    "whose_words": _(
                        "Say whose words the position rests on: %(choices)s (a column whose_words; an export has it)."
                    )
                    % {"choices": ", ".join(WhoseWords.values)}
                }
            )
        super().before_import_row(row, **kwargs)


class WrittenSubmissionResource(StateFactResource):
    class Meta(FactResource.Meta):
        model = WrittenSubmission


class TimelineEventResource(FactResource):
    class Meta(FactResource.Meta):
        model = TimelineEvent
