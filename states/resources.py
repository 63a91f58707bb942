"""Bulk import and export of facts (django-import-export).

Rows name their state by ISO3 code, their treaty by its short code and their
source by its address. An import follows the same rules as an edit: each row
is validated like a form (one-row rules and the rules across sibling rows),
and an editor's rows become drafts. Exports carry each record's version, and
an import that would change a record changed since its export is refused
whole, as a stale form is. Exports open safely in a spreadsheet.

Speed: new rows of a fact are checked and saved in bulk (``FactResource``),
so a file of new statements at the row limit takes seconds; rows that change
stored records go one by one, as a form's save does. Whatever the file, an
import that has not finished within IMPORT_TIME_LIMIT stops and is undone
whole, with a message, before the server's timeout would kill it.
"""

import time
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import RowResult

from states.changelog import record_published_additions
from states.choices import Publication
from states.facts import ReviewedFact, is_a_number
from states.forms import changed_meanwhile
from states.models import PositionStatement, Source, State, TimelineEvent, Treaty, TreatyAction, WrittenSubmission
from states.spreadsheets import (
    IMPORT_TIME_LIMIT,
    MAX_IMPORT_ROWS,
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
        for code, label in self.field.flatchoices:
            if text.casefold() in (str(code).casefold(), str(label).casefold()):
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


class CheckedResource(resources.ModelResource):
    """Every import is checked like a form: each row's model validation (so a
    link must be a web address, and so on), in bounds, formulas unescaped.
    Categories may be written as codes or as their labels."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if django_field.choices:
            field.widget = CategoryWidget(django_field)
        return field

    def before_import(self, dataset, **kwargs):
        # The admin's form refuses a long file before parsing; this covers every other caller.
        # The clock starts first: the library reads the rows even after this refuses the file.
        self.started, self.rows_not_reached = time.monotonic(), 0
        if len(dataset) > MAX_IMPORT_ROWS:
            raise too_many_rows(len(dataset))
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
    """Rows of facts. A row that changes a stored fact is checked and saved
    as its form would be (``save_change_by``: a draft for an Editor), one by
    one. New rows are checked as they are read, except for the rules that
    ask the database; those are asked for all the new rows at once at the
    end (``constraint_errors_of_new_records``), and the new facts are saved
    in bulk: each with its first history version, and, for a Publisher, its
    public change. Facts with a rule across sibling rows (a state's treaty
    actions) are saved row by row, so each row is checked against the
    file's earlier ones."""

    source = source_column()

    class Meta(CheckedResource.Meta):
        exclude = ["publication", "draft_of", "sent_back_note", "verified_by", "origin"]

    def before_import(self, dataset, **kwargs):
        self.new_rows = []  # waiting for the end of the file
        super().before_import(dataset, **kwargs)

    def saved_in_bulk(self, instance):
        no_sibling_rules = self._meta.model.clean_across_rows is ReviewedFact.clean_across_rows
        return instance._state.adding and no_sibling_rules

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not self.saved_in_bulk(instance):
            super().validate_instance(instance, import_validation_errors, validate_unique)
            instance.clean_across_rows()
            return
        # Model.full_clean, less the queries: a related record a lookup column
        # found was read from the database by this import, and the database
        # rules are asked at the end for every new row at once.
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
        instance._saved_in_bulk = True

    def save_instance(self, instance, is_create, row, **kwargs):
        if getattr(instance, "_saved_in_bulk", False):
            self.new_rows.append(NewRow(instance, kwargs["row_number"], row))
            return
        instance.save_change_by(kwargs["user"], _("Bulk import"))

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if getattr(self, "new_rows", None) and self.new_rows[-1].number == kwargs.get("row_number"):
            self.new_rows[-1].result = row_result
        return row_result

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        self.save_new_rows(result, kwargs["user"])

    def save_new_rows(self, result, user):
        """Check the file's new facts against the database's rules, then save them, in bulk."""
        if not self.new_rows:
            return
        model = self._meta.model
        facts = [new_row.fact for new_row in self.new_rows]
        publish = model.may_publish(user)
        for fact in facts:
            fact.publication = Publication.PUBLISHED if publish else Publication.DRAFT
            fact.sent_back_note = ""
        refusals = model.constraint_errors_of_new_records(facts)
        for new_row, refusal in zip(self.new_rows, refusals, strict=True):
            if refusal is not None:
                new_row.refuse(refusal, result)
        if result.has_validation_errors():
            result.invalid_rows.sort(key=lambda invalid: invalid.number)
            return  # the whole file is refused: nothing to save
        reason, now = str(_("Bulk import")), timezone.now()
        try:
            model.objects.bulk_create(facts, batch_size=500)
        except IntegrityError as error:
            # The database still holds every rule: a save made since the check took a key.
            raise ChangedDuringImport from error
        model.history.bulk_history_create(
            facts, batch_size=500, default_user=user, default_change_reason=reason, default_date=now
        )
        if publish:
            record_published_additions(facts, now, reason)
        for new_row in self.new_rows:
            new_row.result.object_id = new_row.fact.pk


@dataclass
class NewRow:
    """A new fact read from the file, checked against the database's rules
    and saved with the file's other new facts at the end."""

    fact: models.Model
    number: int
    row: dict
    result: RowResult = None

    def refuse(self, error, result):
        """Count the row refused, as if its own check had refused it."""
        result.totals[self.result.import_type] -= 1
        self.result.import_type, self.result.validation_error = RowResult.IMPORT_TYPE_INVALID, error
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
        result.append_invalid_row(self.number, self.row, error)


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


class PositionStatementResource(StateFactResource):
    class Meta(FactResource.Meta):
        model = PositionStatement


class WrittenSubmissionResource(StateFactResource):
    class Meta(FactResource.Meta):
        model = WrittenSubmission


class TimelineEventResource(FactResource):
    class Meta(FactResource.Meta):
        model = TimelineEvent
