"""Bulk import and export of facts (django-import-export).

Rows name their state by ISO3 code, their treaty by its short code and their
source by its address. An import follows the same rules as an edit: each row
is validated like a form (one-row rules and the rules across sibling rows),
and an editor's rows become drafts. Exports carry each record's version, and
an import that would change a record changed since its export is refused
whole, as a stale form is. Exports open safely in a spreadsheet.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from states.facts import is_a_number
from states.forms import changed_meanwhile
from states.models import PositionStatement, Source, State, TimelineEvent, Treaty, TreatyAction, WrittenSubmission
from states.spreadsheets import MAX_IMPORT_ROWS, from_spreadsheet, make_dataset_safe, too_many_rows


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
        if len(dataset) > MAX_IMPORT_ROWS:
            raise too_many_rows(len(dataset))
        super().before_import(dataset, **kwargs)

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
    source = source_column()

    class Meta(CheckedResource.Meta):
        exclude = ["publication", "draft_of", "sent_back_note", "verified_by", "origin"]

    def validate_instance(self, instance, *args, **kwargs):
        super().validate_instance(instance, *args, **kwargs)
        instance.clean_across_rows()

    def save_instance(self, instance, is_create, row, **kwargs):
        instance.save_change_by(kwargs["user"], _("Bulk import"))


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
