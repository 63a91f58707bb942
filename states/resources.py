"""Bulk import and export of facts (django-import-export).

Rows name their state by ISO3 code, their treaty by its short code and their
source by its address. An import follows the same rules as an edit: each row
is validated like a form (one-row rules and the rules across sibling rows),
and an editor's rows become drafts. Exports open safely in a spreadsheet.
"""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from states.models import PositionStatement, Source, State, TimelineEvent, Treaty, TreatyAction, WrittenSubmission
from states.spreadsheets import MAX_IMPORT_ROWS, from_spreadsheet, make_dataset_safe, too_many_rows


# The library's own escaping strips only a leading "="; these escape all four.
class SafeCSV(base_formats.CSV):
    def _escape_formulae(self, dataset):
        make_dataset_safe(dataset)


class SafeXLSX(base_formats.XLSX):
    def _escape_formulae(self, dataset):
        make_dataset_safe(dataset)


class CheckedResource(resources.ModelResource):
    """Every import is checked like a form: each row's model validation (so a
    link must be a web address, and so on), in bounds, formulas unescaped."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True

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


class SourceResource(CheckedResource):
    class Meta(CheckedResource.Meta):
        model = Source


class TreatyResource(CheckedResource):
    source = fields.Field("source", "source", widgets.ForeignKeyWidget(Source, "url"))

    class Meta(CheckedResource.Meta):
        model = Treaty
        exclude = ["verified_by", "version"]


class StateResource(CheckedResource):
    source = fields.Field("source", "source", widgets.ForeignKeyWidget(Source, "url"))

    class Meta(CheckedResource.Meta):
        model = State
        exclude = ["verified_by", "version"]


class FactResource(CheckedResource):
    source = fields.Field("source", "source", widgets.ForeignKeyWidget(Source, "url"))

    class Meta(CheckedResource.Meta):
        exclude = ["publication", "draft_of", "verified_by", "version"]

    def validate_instance(self, instance, *args, **kwargs):
        super().validate_instance(instance, *args, **kwargs)
        instance.clean_across_rows()

    def save_instance(self, instance, is_create, row, **kwargs):
        instance.save_change_by(kwargs["user"], _("Bulk import"))


class StateFactResource(FactResource):
    state = fields.Field("state", "state", widgets.ForeignKeyWidget(State, "iso3"))


class TreatyActionResource(StateFactResource):
    treaty = fields.Field("treaty", "treaty", widgets.ForeignKeyWidget(Treaty, "slug"))

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
