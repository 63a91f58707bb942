"""The staff side. Editors draft, publishers review and publish; every save
says why; a save based on a stale copy is refused; bulk import is all or
nothing. The public pages read published facts only."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from states.models import (
    ROME_STATUTE,
    ConventionPosition,
    PositionStatement,
    Source,
    State,
    SubmissionStatus,
    TimelineEvent,
    Treaty,
    TreatyAction,
    Verification,
    WrittenSubmission,
    check_in_date_order,
)
from states.spreadsheets import make_dataset_safe

VERIFICATION_FIELDS = ("source", "verification", "last_verified_on")

# An address typed without a scheme is taken as https (Django 6's default).
URLS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}

admin.site.site_header = _("CAH Tracker staff")
admin.site.site_title = _("CAH Tracker staff")
admin.site.index_title = _("Records")


def is_publisher(user):
    return TreatyAction.may_publish(user)


# --- Forms: a reason for every change, and no silent overwrite ---------------


def changed_meanwhile(instance, seen_version):
    """Describe what others saved since ``seen_version``, from the history."""
    history = instance.history.order_by("history_date", "history_id")
    seen = history.filter(version=seen_version).last()
    latest = history.last()
    if seen is None or latest is None or seen.pk == latest.pk:
        return _("Another save happened meanwhile.")
    delta = latest.diff_against(seen)
    changes = "; ".join(
        f"{instance._meta.get_field(change.field).verbose_name}: “{change.old}” → “{change.new}”"
        for change in delta.changes
        if change.field != "version"
    )
    who = latest.history_user or _("someone")
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M")
    return _("%(who)s saved it at %(when)s (reason: “%(reason)s”). Changed meanwhile: %(changes)s.") % {
        "who": who,
        "when": when,
        "reason": latest.history_change_reason or "—",
        "changes": changes or _("no field you can edit"),
    }


class VersionCheckedForm(forms.ModelForm):
    """Refuses a save if the record changed since the form was opened.

    The form keeps what the user typed, so nothing is lost: they can compare,
    reload, and apply their change again on top of the latest version.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored version, not the instance's: a revert form shows an old copy.
        if self.instance.pk and hasattr(self.instance, "stored_version"):
            self.fields["seen_version"].initial = self.instance.stored_version
        if "source" in self.fields:
            self.fields["source"].error_messages["required"] = _(
                "Every fact needs its source: choose one, or add the source first (the + button)."
            )

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.stored_version:
            raise ValidationError(
                _(
                    "Not saved: this record was changed by someone else after you opened it. %(changes)s "
                    "Your edits are still in the form. Open the record again to see the latest version, "
                    "then make your change on top of it."
                ),
                params={"changes": changed_meanwhile(self.instance, seen)},
                code="changed_meanwhile",
            )
        pending = getattr(self.instance, "pending_drafts", None)
        if self.instance.pk and pending is not None and self.has_changed() and pending.exists():
            raise ValidationError(
                _("A draft change to this fact is already waiting for review. Edit or publish that draft instead."),
                code="draft_pending",
            )
        return cleaned


class ReasonedForm(VersionCheckedForm):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=100,
        help_text=_("Shown in the history, and on the public list of changes once published."),
    )


# --- Spreadsheet safety -----------------------------------------------------------


# The library's own escaping strips only a leading "="; these escape all four.
class SafeCSV(base_formats.CSV):
    def _escape_formulae(self, dataset):
        make_dataset_safe(dataset)


class SafeXLSX(base_formats.XLSX):
    def _escape_formulae(self, dataset):
        make_dataset_safe(dataset)


# --- Shared behaviour of the fact admins -------------------------------------


class StaffAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """History (with revert), bulk import/export, a required reason for each save."""

    form = ReasonedForm
    formfield_overrides = URLS_ASSUME_HTTPS
    readonly_fields = ["verified_by"]
    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [SafeCSV, SafeXLSX]

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)


class FactAdmin(StaffAdmin):
    """For facts that go through review: editors' saves become drafts."""

    readonly_fields = ["publication", "draft_of", "verified_by"]
    actions = ["publish", "mark_verified"]

    def save_model(self, request, obj, form, change):
        if obj.save_change_by(request.user, form.cleaned_data["change_reason"]):
            messages.info(
                request,
                _("Saved as a draft. The public keeps seeing the published version until a publisher publishes it."),
            )

    def has_publish_permission(self, request):
        return self.model.may_publish(request.user)

    @admin.action(description=_("Publish the selected drafts"), permissions=["publish"])
    def publish(self, request, queryset):
        published = 0
        for draft in queryset.drafts():
            reason = draft.history.values_list("history_change_reason", flat=True).first() or _("Published")
            try:
                draft.publish(reason=reason)
                published += 1
            except ValidationError as error:
                messages.error(
                    request,
                    _("Not published: %(fact)s. %(error)s") % {"fact": draft, "error": " ".join(error.messages)},
                )
        if published:
            messages.success(request, ngettext("Published %d draft.", "Published %d drafts.", published) % published)

    @admin.action(description=_("Mark verified against the primary record (today, by me)"), permissions=["change"])
    def mark_verified(self, request, queryset):
        drafted = 0
        for fact in queryset:
            fact.mark_verified(request.user)
            drafted += fact.save_change_by(request.user, _("Verified against the primary record"))
        messages.success(request, _("Marked %(count)d fact(s) verified.") % {"count": queryset.count()})
        if drafted:
            messages.info(request, _("%(count)d of them await a publisher's review.") % {"count": drafted})


# --- Import and export: natural keys, drafts for editors ---------------------


class FactResource(resources.ModelResource):
    """Rows name their source by address; a user's import follows the same
    review rules as their edits (an editor's rows become drafts)."""

    source = fields.Field("source", "source", widgets.ForeignKeyWidget(Source, "url"))

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        exclude = ["publication", "draft_of", "verified_by", "version"]

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


# --- The admins ---------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(StaffAdmin):
    list_display = ["title", "publisher", "url", "accessed_on"]
    search_fields = ["title", "publisher", "url"]
    readonly_fields = []


class FactInline(admin.StackedInline):
    form = VersionCheckedForm
    formfield_overrides = URLS_ASSUME_HTTPS
    extra = 0
    readonly_fields = ["publication"]
    autocomplete_fields = ["source"]


class TreatyActionFormSet(forms.BaseInlineFormSet):
    """Checks a state's actions together with those entered beside them, so a
    signature and a ratification can be recorded in one save."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.checked_with_siblings = True
        return form

    def clean(self):
        super().clean()
        # Model instances without a primary key are unhashable: key forms by id().
        form_of = {}
        for form in self.forms:
            if form in self.deleted_forms or not getattr(form, "cleaned_data", None):
                continue
            action = form.instance
            # A pending draft is checked again when it is published.
            if action.pk and not action.is_published:
                continue
            if action.treaty_id and action.date and action.action_type:
                form_of[id(action)] = form
        entered = [form.instance for form in form_of.values()]
        saved = []
        if self.instance.pk:
            saved = list(
                TreatyAction.objects.published()
                .filter(state=self.instance)
                .exclude(pk__in=[action.pk for action in entered if action.pk])
            )
        changed = {key for key, form in form_of.items() if form.has_changed()}

        def is_changed(action):
            return id(action) in changed

        treaties = {action.treaty_id: action.treaty for action in entered}
        for treaty_id, treaty in treaties.items():
            actions = [action for action in entered + saved if action.treaty_id == treaty_id]
            for action, error in check_in_date_order(treaty, actions, is_changed):
                form = form_of[id(action)]
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)


class TreatyActionInline(FactInline):
    model = TreatyAction
    formset = TreatyActionFormSet
    fields = [
        ("treaty", "action_type", "date", "later_effective_date"),
        ("depositary_notification", "publication"),
        VERIFICATION_FIELDS,
        "seen_version",
    ]


class PositionStatementInline(FactInline):
    model = PositionStatement
    fields = [
        ("date", "date_precision"),
        "forum",
        "summary",
        "quote",
        ("position", "publication"),
        VERIFICATION_FIELDS,
        "seen_version",
    ]


class WrittenSubmissionInline(FactInline):
    model = WrittenSubmission
    fields = [
        ("status", "submitted_on", "publication"),
        ("document_symbol", "document_url"),
        VERIFICATION_FIELDS,
        "seen_version",
    ]


class StandingChangeList(ChangeList):
    """Adds each listed state's derived standing today, in a fixed number of queries."""

    def get_results(self, request):
        super().get_results(request)
        treaty = Treaty.objects.filter(slug=ROME_STATUTE).first()
        if treaty is None:
            return
        standings = State.objects.filter(pk__in=[state.pk for state in self.result_list]).standings(treaty)
        by_pk = {standing.state.pk: standing for standing in standings}
        for state in self.result_list:
            state.standing = by_pk.get(state.pk)


@admin.register(State)
class StateAdmin(StaffAdmin):
    """Staff work on one state at a time: its actions, statements and submission inline."""

    list_display = [
        "name",
        "iso3",
        "rome_statute_status",
        "current_position",
        "weakest_verification",
        "last_verified",
        "in_icc_asia_pacific",
    ]
    list_filter = ["in_icc_asia_pacific", "un_regional_group", "subregion", "un_membership", "verification"]
    search_fields = ["name", "iso2", "iso3"]
    fieldsets = [
        (None, {"fields": ["name", ("iso2", "iso3")]}),
        (_("Groups"), {"fields": ["un_regional_group", "subregion", "un_membership", "in_icc_asia_pacific"]}),
        (_("Source"), {"fields": [VERIFICATION_FIELDS, "verified_by", "notes"]}),
        (_("Save"), {"fields": ["change_reason", "seen_version"]}),
    ]
    autocomplete_fields = ["source"]
    inlines = [TreatyActionInline, PositionStatementInline, WrittenSubmissionInline]

    def get_changelist(self, request, **kwargs):
        return StandingChangeList

    def get_readonly_fields(self, request, obj=None):
        # A state's own fields are public as soon as saved, so only publishers
        # change them; editors use the page to draft changes to its facts.
        if is_publisher(request.user):
            return super().get_readonly_fields(request, obj)
        return [f.name for f in State._meta.fields if f.editable and f.name != "id"] + ["verified_by"]

    def _standing(self, state, attribute):
        standing = getattr(state, "standing", None)
        return getattr(standing, attribute).label if standing else "—"

    @admin.display(description=_("Rome Statute today"))
    def rome_statute_status(self, state):
        return self._standing(state, "treaty_status")

    @admin.display(description=_("Position today"))
    def current_position(self, state):
        return self._standing(state, "position")

    @admin.display(description=_("Least-verified fact"))
    def weakest_verification(self, state):
        return self._standing(state, "verification")

    @admin.display(description=_("All facts verified since"))
    def last_verified(self, state):
        standing = getattr(state, "standing", None)
        return standing.last_verified if standing and standing.last_verified else _("not yet")

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data["change_reason"]
        drafted = 0
        for obj in formset.save(commit=False):
            drafted += obj.save_change_by(request.user, reason)
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        if drafted:
            messages.info(
                request,
                ngettext(
                    "%d change was saved as a draft for a publisher to review.",
                    "%d changes were saved as drafts for a publisher to review.",
                    drafted,
                )
                % drafted,
            )


@admin.register(Treaty)
class TreatyAdmin(StaffAdmin):
    list_display = ["short_name", "adopted_on", "entered_into_force_on"]
    prepopulated_fields = {"slug": ["short_name"]}
    autocomplete_fields = ["source"]


@admin.register(TreatyAction)
class TreatyActionAdmin(FactAdmin):
    resource_classes = [TreatyActionResource]
    list_display = ["state", "treaty", "action_type", "date", "publication", "verification", "last_verified_on"]
    list_filter = ["publication", "treaty", "action_type", "verification"]
    list_select_related = ["state", "treaty"]
    search_fields = ["state__name", "state__iso3", "depositary_notification"]
    date_hierarchy = "date"
    autocomplete_fields = ["state", "source"]


@admin.register(PositionStatement)
class PositionStatementAdmin(FactAdmin):
    resource_classes = [PositionStatementResource]
    list_display = ["state", "date", "forum", "position", "publication", "verification", "last_verified_on"]
    list_filter = ["publication", "position", "verification", "date_precision"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__iso3", "forum", "summary", "quote"]
    date_hierarchy = "date"
    autocomplete_fields = ["state", "source"]


@admin.register(WrittenSubmission)
class WrittenSubmissionAdmin(FactAdmin):
    resource_classes = [WrittenSubmissionResource]
    list_display = ["state", "status", "submitted_on", "document_symbol", "publication", "verification"]
    list_filter = ["publication", "status", "verification"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__iso3", "document_symbol"]
    autocomplete_fields = ["state", "source"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(FactAdmin):
    resource_classes = [TimelineEventResource]
    list_display = ["date", "date_precision", "topic", "event", "publication", "verification"]
    list_filter = ["publication", "topic", "verification"]
    search_fields = ["event", "document_symbol"]
    autocomplete_fields = ["source"]


# --- Research queue -------------------------------------------------------------


def with_admin_links(facts):
    return [(fact, reverse(f"admin:states_{fact._meta.model_name}_change", args=[fact.pk])) for fact in facts]


def research_queue(request):
    """What staff should research or check next (staff only, via admin_view)."""
    treaty = Treaty.objects.filter(slug=ROME_STATUTE).first()
    standings = State.objects.standings(treaty) if treaty else []
    a_year_ago = timezone.localdate() - datetime.timedelta(days=365)
    fact_models = [TreatyAction, PositionStatement, WrittenSubmission, TimelineEvent]
    shown = 200  # per list; the heading gives the full count
    # What each fact's name reads, fetched with it.
    named = {
        TreatyAction: ["state", "treaty"],
        PositionStatement: ["state"],
        WrittenSubmission: ["state"],
        TimelineEvent: [],
    }

    def listing(querysets):
        return [
            (
                model._meta.verbose_name_plural,
                with_admin_links(queryset.select_related(*named[model])[:shown]),
                queryset.count(),
            )
            for model, queryset in querysets
        ]

    context = {
        **admin.site.each_context(request),
        "title": _("Research queue"),
        "position_not_researched": [s.state for s in standings if s.position == ConventionPosition.NOT_YET_RESEARCHED],
        "submission_not_researched": [
            s.state for s in standings if s.submission == SubmissionStatus.NOT_YET_RESEARCHED
        ],
        "drafts": listing((model, model.objects.drafts()) for model in fact_models),
        "never_primary": listing(
            (model, model.objects.published().exclude(verification=Verification.PRIMARY)) for model in fact_models
        ),
        "stale": listing(
            (model, model.objects.published().filter(last_verified_on__lt=a_year_ago)) for model in fact_models
        ),
    }
    return render(request, "admin/research_queue.html", context)
