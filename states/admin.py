"""The staff's ModelAdmins. Editors draft, publishers review and publish;
every save says why and lands in the history; a save based on a stale copy is
refused; bulk import is all or nothing. The public pages read published facts
only. Forms are in ``states.forms``, import/export in ``states.resources``, the
research queue in ``states.admin_site``."""

import logging

import tablib
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, models, transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from states.admin_site import set_password_link
from states.changelog import differing_fields, shown
from states.dimensions import DIMENSIONS
from states.facts import DraftChangedMeanwhile, is_a_number
from states.forms import (
    BoundedImportForm,
    ChangeReasonForm,
    ReviewedFactForm,
    SpreadsheetExportForm,
    TreatyActionFormSet,
    VersionCheckedForm,
    changed_meanwhile,
)
from states.models import (
    CoalitionAsk,
    CorrectionReport,
    PositionStatement,
    SeedRow,
    Source,
    State,
    TimelineEvent,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)
from states.resources import (
    CoalitionAskResource,
    PositionStatementResource,
    SafeCSV,
    SafeXLSX,
    SourceResource,
    StateResource,
    TimelineEventResource,
    TreatyActionResource,
    TreatyResource,
    WrittenSubmissionResource,
)
from states.spreadsheets import make_dataset_safe

VERIFICATION_FIELDS = ("source", "verification", "last_verified_on")
# The public note is shown with the fact; the research note never leaves the staff side.
NOTE_FIELDS = ("public_note", "research_note")

logger = logging.getLogger(__name__)

# An address typed without a scheme is taken as https (Django 6's default).
URLS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


# --- What every staff page shares ------------------------------------------------


def without_reason(fields):
    """A fieldset's fields less the change reason (a field may be a tuple of fields on one line)."""
    kept = []
    for field in fields:
        if isinstance(field, tuple | list):
            field = tuple(name for name in field if name != "change_reason")
            if field:
                kept.append(field)
        elif field != "change_reason":
            kept.append(field)
    return kept


# Bookkeeping a staff member never edits, left out of the history's list of changes.
NOT_SHOWN_IN_HISTORY = {"id", "version", "draft_of"}


def changes_in_words(model, older, newer):
    return [
        {"field": capfirst(field.verbose_name), "old": shown(field, old), "new": shown(field, new)}
        for field, old, new in differing_fields(model, older, newer, NOT_SHOWN_IN_HISTORY)
    ]


def compared(published, draft):
    """Each field staff edit, as (label, published value, proposed value,
    differs), in the words the public pages use, not codes."""
    rows = []
    for field in type(draft)._meta.concrete_fields:
        if not field.editable or field.name == "id":
            continue
        proposed = shown(field, getattr(draft, field.attname))
        before = shown(field, getattr(published, field.attname)) if published else None
        rows.append(
            {
                "label": capfirst(field.verbose_name),
                "published": before,
                "proposed": proposed,
                "differs": published is not None and before != proposed,
            }
        )
    # What changed first: it is what a reviewer reads the page for.
    return sorted(rows, key=lambda row: not row["differs"])


# --- Two saves at the same moment ----------------------------------------------------

# PostgreSQL's deadlock_detected and serialization_failure: the transaction
# was rolled back whole, so running the request again is safe.
LOCK_CONFLICTS = {"40P01", "40001"}

LOCK_CONFLICT_MESSAGE = _(
    "Not saved: someone else saved the same records at the same moment, and the database could "
    "not apply both. Nothing of yours was saved, and your edits are still in the form: open the "
    "record again in another tab to see what changed, then save again."
)


def is_lock_conflict(error):
    return getattr(error.__cause__, "sqlstate", None) in LOCK_CONFLICTS


def refusing(form_class, message=LOCK_CONFLICT_MESSAGE):
    """The form, refusing to save with ``message`` and keeping what the user
    typed (the change form shows it again)."""

    class Refusing(form_class):
        def clean(self):
            super().clean()  # every other error is shown too
            raise ValidationError(message, code="refused")

    Refusing.__name__ = form_class.__name__
    return Refusing


def broken_rule(error):
    """The message of the named database constraint an IntegrityError broke,
    or None. A form checks each rule before saving, but a rule that depends
    on what the save itself decides (a statement's uniqueness among the
    published ones, when the save publishes it) is only met by the database."""
    text = str(error)
    # SQLite names the columns of a unique rule instead of the rule: "UNIQUE constraint failed: t.a, t.b".
    columns = set(text.partition("UNIQUE constraint failed: ")[2].split(", "))
    for model in apps.get_app_config("states").get_models():
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            same_columns = fields and columns == {
                f"{model._meta.db_table}.{model._meta.get_field(name).column}" for name in fields
            }
            # PostgreSQL quotes the rule's name; SQLite ends its message with it.
            named = f'"{constraint.name}"' in text or text.endswith(f": {constraint.name}")
            if named or same_columns:
                return _("Not saved: %(rule)s Nothing of yours was saved; your input is still in the form.") % {
                    "rule": constraint.get_violation_error_message()
                }
    return None


def refuse_an_id_that_is_not_a_number(*ids):
    """django-simple-history looks ids up as they come in the address: "abc",
    or "²" (a digit to str.isdigit, not to int), was a 500."""
    if not all(is_a_number(str(value)) for value in ids):
        raise Http404(_("There is no record or version with that number."))


def what_moved(draft, reviewed):
    """In words, what changed in a draft (or the fact it changes) since a
    publisher opened it, ``reviewed`` being the ``review_token`` they saw."""
    seen_draft, _dot, seen_published = reviewed.partition(".")
    parts = []
    if is_a_number(seen_draft) and int(seen_draft) != draft.version:
        parts.append(_("The draft: %(changes)s") % {"changes": changed_meanwhile(draft, int(seen_draft))})
    if draft.draft_of_id and is_a_number(seen_published) and int(seen_published) != draft.draft_of.version:
        parts.append(
            _("The published fact: %(changes)s") % {"changes": changed_meanwhile(draft.draft_of, int(seen_published))}
        )
    return " ".join(str(part) for part in parts)


class IdsOnlyAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks the chosen record up again to draw
    it; a posted value that is no id (a tampered form) made that lookup a 500,
    rather than the field's own "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [choice for choice in value if is_a_number(choice)], attr)


class AutocompleteByIdOnly:
    """For admins and inlines with autocomplete_fields: see IdsOnlyAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = IdsOnlyAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AskedNotAssumed:
    """Choices staff must make for each record, offered with nothing chosen
    rather than the model's default: whose words a position rests on is read
    from its source, never assumed."""

    asked = ("whose_words",)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name in self.asked:
            kwargs["choices"] = [("", "---------"), *db_field.choices]
            kwargs["initial"] = None
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class OutOfRangeLookupsRefused:
    """The change list filters by whatever the address names (?state=5); a
    number past what the database holds was a 500 rather than the admin's own
    "invalid lookup" page."""

    def changelist_view(self, request, extra_context=None):
        # Refused before any query: on PostgreSQL the error would also end the transaction.
        numbers = [value.removeprefix("-") for value in request.GET.values() if value.removeprefix("-").isdigit()]
        if not all(is_a_number(number) for number in numbers):
            if ERROR_FLAG in request.GET:
                raise Http404(_("There is no record with that number."))
            return redirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)


class AuditedAdmin(OutOfRangeLookupsRefused, AutocompleteByIdOnly, ImportExportModelAdmin, SimpleHistoryAdmin):
    """Every save gives a reason and lands in the history (with revert); bulk import and export.

    Every write view runs again once if the database chose it as the loser
    of a deadlock; if it loses twice, the user gets a clear refusal, the
    change form with their input still in it (``retried_on_lock_conflict``).
    """

    form = ChangeReasonForm
    object_history_form_template = "admin/states/object_history_form.html"
    formfield_overrides = URLS_ASSUME_HTTPS
    readonly_fields = ["verified_by"]
    import_form_class = BoundedImportForm
    export_form_class = SpreadsheetExportForm
    import_template_name = "admin/states/import.html"
    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [SafeCSV, SafeXLSX]

    def get_valid_export_item_pks(self, request):
        # django-import-export 4.4 calls this itself on every "export selected", then warns
        # that it is deprecated; the same records, without the warning.
        return self.model._default_manager.values_list("pk", flat=True)

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)

    def retried_on_lock_conflict(self, view, request, *args, keep_input=False, **kwargs):
        """``view``, run again once if it lost a deadlock. If it loses twice: a
        form view (``keep_input``) shows the form again with the user's input
        and a refusal; any other view says so and goes back."""
        refusal = LOCK_CONFLICT_MESSAGE
        for attempt in (1, 2):
            try:
                return view(request, *args, **kwargs)
            except OperationalError as error:
                if not is_lock_conflict(error):
                    raise
                logger.warning("Lock conflict on %s (attempt %d of 2)", request.path, attempt, exc_info=error)
            except IntegrityError as error:
                refusal = broken_rule(error)
                if refusal is None:
                    raise
                logger.warning("A database rule refused a save on %s", request.path, exc_info=error)
                break
        if keep_input:
            request.refusal = refusal
            return view(request, *args, **kwargs)
        messages.error(request, refusal)
        return redirect(request.get_full_path())

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "refusal", None):
            return refusing(form, request.refusal)
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self.retried_on_lock_conflict(
            super().changeform_view, request, object_id, form_url, extra_context, keep_input=True
        )

    def changelist_view(self, request, extra_context=None):
        # Admin actions (publish, withdraw, mark verified, bulk delete) post here.
        return self.retried_on_lock_conflict(super().changelist_view, request, extra_context)

    def process_import(self, request, **kwargs):
        try:
            return self.retried_on_lock_conflict(super().process_import, request, **kwargs)
        except (OSError, ValueError, IndexError, UnicodeError):
            # A confirmation naming a stored file that is gone (confirmed twice,
            # or made up) or a format that is not one of the list.
            logger.warning("An import confirmation that cannot be read", exc_info=True)
            messages.error(
                request,
                _(
                    "Nothing was imported: this confirmation no longer matches a previewed file (each "
                    "preview is confirmed once). Upload the file again."
                ),
            )
            info = self.opts.app_label, self.opts.model_name
            return redirect(f"admin:{info[0]}_{info[1]}_import")

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: one refused row leaves the whole file unapplied.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        """The confirmed import: if any row is refused now (a record changed
        since the preview, say), nothing was applied, and the page lists why."""
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        if result.invalid_rows or (result.has_errors() and not result.base_errors):
            messages.error(request, _("Nothing was imported: these rows were refused. Fix them and import again."))
        else:
            messages.error(request, _("Nothing was imported."))
        for error in result.base_errors:
            messages.error(request, str(error.error))
        for line, errors in result.row_errors():
            for error in errors:
                messages.error(request, _("Row %(row)s: %(error)s") % {"row": line, "error": error.error})
        for invalid in result.invalid_rows:
            for field, field_messages in invalid.error_dict.items():
                messages.error(
                    request,
                    _("Row %(row)s, %(field)s: %(error)s")
                    % {"row": invalid.number, "field": field, "error": " ".join(map(str, field_messages))},
                )
        info = self.opts.app_label, self.opts.model_name
        return redirect(f"admin:{info[0]}_{info[1]}_import")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        template = path(
            "import/template.csv",
            self.admin_site.admin_view(self.import_template),
            name=f"{info[0]}_{info[1]}_import_template",
        )
        return [template, *super().get_urls()]

    def import_template(self, request):
        """A CSV with the sheet's columns and one example row (a record already
        here, without its id and version, so importing it as it is would add a copy)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0]()
        records = self.model.objects.all()
        if hasattr(records, "published"):
            records = records.published()
        exported = resource.export(queryset=records.order_by("pk")[:1])
        # A new row has no id, and no version to check. (Built anew: tablib's
        # subset of a sheet with no rows, as when nothing is published yet, is None.)
        columns = [header for header in exported.headers if header not in {"id", "version"}]
        dataset = tablib.Dataset(headers=columns)
        for row in exported.dict:
            dataset.append([row[column] for column in columns])
        make_dataset_safe(dataset)
        response = HttpResponse(dataset.csv, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.opts.model_name}-import-template.csv"'
        return response

    def get_import_context_data(self, **kwargs):
        info = self.opts.app_label, self.opts.model_name
        template_url = reverse(f"admin:{info[0]}_{info[1]}_import_template")
        return {**super().get_import_context_data(**kwargs), "import_template_url": template_url}

    def get_fieldsets(self, request, obj=None):
        # The reason is asked for next to the Save buttons (admin/states/change_form.html).
        return [
            (name, {**options, "fields": without_reason(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
            if without_reason(options["fields"])
        ]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The history page's "Changes", in the words and labels the public pages
        # use ("Position: Supports → Non-committal"), not field names and codes.
        newer = None
        for older in historical_records:  # newest first
            if newer is not None:
                newer.history_delta_changes = changes_in_words(self.model, older, newer)
            newer = older

    def has_import_permission(self, request):
        # An import adds rows and changes existing ones: it needs both permissions.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_revert_permission(self, request, obj=None):
        """A revert saves an old version as a new change: it takes what a change takes."""
        return self.has_change_permission(request, obj)

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_revert_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        refuse_an_id_that_is_not_a_number(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        refuse_an_id_that_is_not_a_number(object_id, version_id)
        # django-simple-history checks only the view permission, for showing and saving alike.
        if request.method == "POST" and not self.has_revert_permission(
            request, self.get_object(request, unquote(object_id))
        ):
            raise PermissionDenied
        return self.retried_on_lock_conflict(
            self._history_form_view, request, object_id, version_id, extra_context, keep_input=True
        )

    def _history_form_view(self, request, object_id, version_id, extra_context=None):
        with transaction.atomic():  # as the change form: the version check holds the row until saved
            return super().history_form_view(request, object_id, version_id, extra_context)


class ReviewedFactAdmin(AuditedAdmin):
    """For facts that go through review: editors' saves become drafts."""

    form = ReviewedFactForm
    readonly_fields = ["publication", "draft_of", "verified_by"]
    actions = ["publish", "withdraw", "mark_verified"]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        review = path(
            "<path:object_id>/review/", self.admin_site.admin_view(self.review_view), name=f"{info[0]}_{info[1]}_review"
        )
        return [review, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        fact = self.get_object(request, unquote(object_id))
        if fact is not None and not fact.is_published:
            proposal = fact.proposal
            extra_context = {
                **(extra_context or {}),
                "review": {
                    "published": fact.draft_of,
                    "proposal": proposal,
                    "reason": fact.proposal_reason if proposal else "",
                    "token": fact.review_token,
                    "sent_back_note": fact.sent_back_note,
                    "comparison": compared(fact.draft_of, fact),
                    "may_publish": self.model.may_publish(request.user),
                    "action_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[fact.pk]),
                },
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, object_id):
        """A publisher's decision on a draft, from its page: publish it, or send it back with a note."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.model.may_publish(request.user):
            raise PermissionDenied
        draft = self.get_object(request, unquote(object_id))
        if draft is None or draft.is_published:
            messages.warning(request, _("That draft is no longer waiting for review."))
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        here = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[draft.pk])
        if request.POST.get("decision") == "send_back":
            note = request.POST.get("note", "").strip()
            if not note:
                messages.error(request, _("Not sent back: say in the note what the editor should change."))
                return redirect(here)
            draft.send_back(note[:2000], request.user)
            messages.success(request, _("Sent back to its editor with your note."))
            return redirect("admin:waiting_for_review")
        reviewed = request.POST.get("reviewed", "")
        if not reviewed:
            messages.error(
                request, _("Not published: the form does not say which version you reviewed. Read it again.")
            )
            return redirect(here)
        try:
            published = draft.publish(by=request.user, reviewed=reviewed)
        except DraftChangedMeanwhile as error:
            messages.error(request, f"{error.messages[0]} {what_moved(error.draft, error.reviewed)}")
            return redirect(here)
        except ValidationError as error:
            messages.error(request, _("Not published: %(error)s") % {"error": " ".join(error.messages)})
            return redirect(here)
        messages.success(request, _("Published. The public pages show it now."))
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[published.pk]))

    def save_model(self, request, obj, form, change):
        # (A second draft of one fact is refused by the form first: VersionCheckedForm.)
        if obj.save_change_by(request.user, form.cleaned_data["change_reason"]):
            messages.info(
                request,
                _("Saved as a draft. The public keeps seeing the published version until a publisher publishes it."),
            )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if hasattr(response, "context_data"):
            # What the preview says becomes of the rows: drafts for review, or public at once.
            response.context_data["publishes_at_once"] = self.model.may_publish(request.user)
        return response

    def has_publish_permission(self, request):
        return self.model.may_publish(request.user)

    @admin.action(description=_("Publish the selected drafts"), permissions=["publish"])
    def publish(self, request, queryset):
        """First a page that shows each draft as it will be published, then
        publish, from that page, exactly what it showed: each draft's
        ``review_token`` goes with the confirmation, and a draft that changed
        since is left unpublished."""
        drafts = list(queryset.drafts().select_related("draft_of").order_by("pk"))
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "admin/states/confirm_publish.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Publish these drafts?"),
                    "opts": self.opts,
                    "reviews": [
                        {
                            "draft": draft,
                            "token": draft.review_token,
                            "reason": draft.proposal_reason,
                            "published": draft.draft_of,
                            "comparison": compared(draft.draft_of, draft),
                        }
                        for draft in drafts
                    ],
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        published = 0
        for draft in drafts:
            reviewed = request.POST.get(f"reviewed_{draft.pk}", "")
            try:
                if not reviewed:
                    raise ValidationError(_("it was not on the page you confirmed."))
                draft.publish(by=request.user, reviewed=reviewed)
                published += 1
            except DraftChangedMeanwhile as error:
                messages.error(
                    request,
                    _("Not published: %(fact)s. %(error)s")
                    % {"fact": draft, "error": f"{error.messages[0]} {what_moved(error.draft, error.reviewed)}"},
                )
            except ValidationError as error:
                messages.error(
                    request,
                    _("Not published: %(fact)s. %(error)s") % {"fact": draft, "error": " ".join(error.messages)},
                )
        if published:
            messages.success(request, ngettext("Published %d draft.", "Published %d drafts.", published) % published)
        elif not drafts:
            messages.warning(request, _("Nothing was published: none of the selected facts is a draft."))

    @admin.action(description=_("Withdraw the selected facts from the public record"), permissions=["publish"])
    def withdraw(self, request, queryset):
        withdrawn = 0
        for fact in queryset.published():
            try:
                fact.withdraw(reason=_("Withdrawn from the public record by a publisher"))
                withdrawn += 1
            except ValidationError as error:
                messages.error(
                    request, _("Not withdrawn: %(fact)s. %(error)s") % {"fact": fact, "error": " ".join(error.messages)}
                )
        messages.success(
            request,
            ngettext(
                "Withdrew %d fact: it is a draft again, and the public list of changes shows its removal.",
                "Withdrew %d facts: they are drafts again, and the public list of changes shows their removal.",
                withdrawn,
            )
            % withdrawn,
        )

    @admin.action(description=_("Mark verified against the primary record (today, by me)"), permissions=["change"])
    def mark_verified(self, request, queryset):
        drafted = marked = 0
        for fact in queryset:
            fact.mark_verified(request.user)
            try:
                drafted += fact.save_change_by(request.user, _("Verified against the primary record"))
                marked += 1
            except ValidationError as error:
                messages.error(
                    request, _("Not marked: %(fact)s. %(error)s") % {"fact": fact, "error": " ".join(error.messages)}
                )
        messages.success(request, _("Marked %(count)d fact(s) verified.") % {"count": marked})
        if drafted:
            messages.info(request, _("%(count)d of them await a publisher's review.") % {"count": drafted})


# --- The admins ---------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    """Sources are public as soon as saved (every "Source" link): editors add
    new ones for their drafts, and only publishers change or delete one."""

    resource_classes = [SourceResource]
    list_display = ["title", "publisher", "url", "accessed_on"]
    search_fields = ["title", "publisher", "url"]
    readonly_fields = []


class FactInline(AutocompleteByIdOnly, admin.StackedInline):
    form = VersionCheckedForm
    formfield_overrides = URLS_ASSUME_HTTPS
    extra = 0
    readonly_fields = ["publication"]
    autocomplete_fields = ["source"]


class TreatyActionInline(FactInline):
    model = TreatyAction
    formset = TreatyActionFormSet
    fields = [
        ("treaty", "action_type", "date", "later_effective_date"),
        ("depositary_notification", "publication"),
        VERIFICATION_FIELDS,
        NOTE_FIELDS,
        "seen_version",
    ]


class PositionStatementInline(AskedNotAssumed, FactInline):
    model = PositionStatement
    fields = [
        ("date", "date_precision"),
        "forum",
        "summary",
        ("quote", "quote_language"),
        ("position", "whose_words", "publication"),
        VERIFICATION_FIELDS,
        NOTE_FIELDS,
        "seen_version",
    ]


class WrittenSubmissionInline(FactInline):
    model = WrittenSubmission
    fields = [
        ("status", "submitted_on", "submitted_on_precision", "publication"),
        ("document_symbol", "document_url"),
        VERIFICATION_FIELDS,
        NOTE_FIELDS,
        "seen_version",
    ]


class StandingChangeList(ChangeList):
    """Adds each listed state's derived standing today, in a fixed number of queries."""

    def get_results(self, request):
        super().get_results(request)
        treaty = Treaty.objects.rome_statute()
        if treaty is None:
            return
        standings = State.objects.filter(pk__in=[state.pk for state in self.result_list]).standings(treaty)
        by_pk = {standing.state.pk: standing for standing in standings}
        for state in self.result_list:
            state.standing = by_pk.get(state.pk)


def status_today(dimension):
    """A column of the states' list: each state's status today in one dimension (states.dimensions)."""

    @admin.display(description=format_lazy("{} today", dimension.short_label))
    def column(state):
        standing = getattr(state, "standing", None)
        return dimension.status(standing).label if standing else "—"

    column.__name__ = f"{dimension.code}_today"
    return column


@admin.register(State)
class StateAdmin(AuditedAdmin):
    """Staff work on one state at a time: its actions, statements and submission inline."""

    list_display = [
        "name",
        "iso3",
        *(status_today(dimension) for dimension in DIMENSIONS.values()),
        "weakest_verification",
        "last_verified",
        "in_icc_asia_pacific",
    ]
    list_filter = ["in_icc_asia_pacific", "un_regional_group", "subregion", "un_membership", "verification"]
    search_fields = ["name", "iso2", "iso3"]
    fieldsets = [
        (None, {"fields": ["name", ("iso2", "iso3")]}),
        (_("Groups"), {"fields": ["un_regional_group", "subregion", "un_membership", "in_icc_asia_pacific"]}),
        (_("Source"), {"fields": [VERIFICATION_FIELDS, "verified_by", NOTE_FIELDS]}),
        (_("Save"), {"fields": ["change_reason", "seen_version"]}),
    ]
    autocomplete_fields = ["source"]
    inlines = [TreatyActionInline, PositionStatementInline, WrittenSubmissionInline]
    resource_classes = [StateResource]

    def has_revert_permission(self, request, obj=None):
        # Editors may open a state's page (for its facts) but not change its own fields.
        return State.may_publish(request.user)

    def save_model(self, request, obj, form, change):
        # A save of the page that changed only its facts leaves the state's own
        # row alone: no new version of it, and no entry that could carry the
        # reason given for a draft (each fact is saved on its own, in save_formset).
        if change and not set(form.changed_data) - {"change_reason", "seen_version"}:
            return
        super().save_model(request, obj, form, change)

    def get_changelist(self, request, **kwargs):
        return StandingChangeList

    def get_readonly_fields(self, request, obj=None):
        # A state's own fields are public as soon as saved, so only those who
        # may publish change them; editors use the page to draft its facts.
        if State.may_publish(request.user):
            return super().get_readonly_fields(request, obj)
        return [f.name for f in State._meta.fields if f.editable and f.name != "id"] + ["verified_by"]

    def _standing(self, state, attribute):
        standing = getattr(state, "standing", None)
        return getattr(standing, attribute).label if standing else "—"

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
class TreatyAdmin(AuditedAdmin):
    resource_classes = [TreatyResource]
    list_display = ["short_name", "adopted_on", "entered_into_force_on"]
    prepopulated_fields = {"slug": ["short_name"]}
    autocomplete_fields = ["source"]


@admin.register(TreatyAction)
class TreatyActionAdmin(ReviewedFactAdmin):
    resource_classes = [TreatyActionResource]
    list_display = ["state", "treaty", "action_type", "date", "publication", "verification", "last_verified_on"]
    list_filter = ["publication", "treaty", "action_type", "verification"]
    list_select_related = ["state", "treaty"]
    search_fields = ["state__name", "state__iso3", "depositary_notification"]
    date_hierarchy = "date"
    autocomplete_fields = ["state", "source"]


@admin.register(PositionStatement)
class PositionStatementAdmin(AskedNotAssumed, ReviewedFactAdmin):
    resource_classes = [PositionStatementResource]
    list_display = [
        "state",
        "date",
        "forum",
        "position",
        "whose_words",
        "publication",
        "verification",
        "last_verified_on",
    ]
    list_filter = ["publication", "position", "whose_words", "verification", "date_precision"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__iso3", "forum", "summary", "quote"]
    date_hierarchy = "date"
    autocomplete_fields = ["state", "source"]


@admin.register(WrittenSubmission)
class WrittenSubmissionAdmin(ReviewedFactAdmin):
    resource_classes = [WrittenSubmissionResource]
    list_display = ["state", "status", "submitted_on", "document_symbol", "publication", "verification"]
    list_filter = ["publication", "status", "verification"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__iso3", "document_symbol"]
    autocomplete_fields = ["state", "source"]


@admin.register(CoalitionAsk)
class CoalitionAskAdmin(ReviewedFactAdmin):
    resource_classes = [CoalitionAskResource]
    list_display = ["state", "treaty", "ask", "asked_on", "publication", "verification"]
    list_filter = ["publication", "treaty", "verification"]
    list_select_related = ["state", "treaty"]
    search_fields = ["state__name", "state__iso3", "ask"]
    autocomplete_fields = ["state", "source"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReviewedFactAdmin):
    resource_classes = [TimelineEventResource]
    list_display = ["date", "date_precision", "topic", "event", "publication", "verification"]
    list_filter = ["publication", "topic", "verification"]
    search_fields = ["event", "document_symbol"]
    autocomplete_fields = ["source"]


@admin.register(SeedRow)
class SeedRowAdmin(OutOfRangeLookupsRefused, admin.ModelAdmin):
    """The seed loader's ledger, to read: which seed row became which record.
    Only ``load_seed`` writes it (see the README's account of the seed)."""

    list_display = ["key", "record_kind", "record_id", "loaded_at"]
    list_filter = ["record_kind"]
    search_fields = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CorrectionReport)
class CorrectionReportAdmin(OutOfRangeLookupsRefused, admin.ModelAdmin):
    """Readers' corrections: staff read them and answer with a status and a
    reply note; what the reader wrote is never edited."""

    list_display = ["reference", "submitted_at", "state", "fact", "status"]
    list_filter = ["status"]
    list_select_related = ["state"]
    search_fields = ["fact", "what_is_wrong", "source_url", "state__name"]
    fields = ["submitted_at", "state", "fact", "what_is_wrong", "source_url", "email", "status", "reply_note"]
    readonly_fields = ["submitted_at", "state", "fact", "what_is_wrong", "source_url", "email"]
    formfield_overrides = URLS_ASSUME_HTTPS

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, report):
        return report.reference

    def has_add_permission(self, request):
        return False  # corrections come from readers, through the public form


# --- Staff accounts -------------------------------------------------------------


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(OutOfRangeLookupsRefused, UserAdmin):
    """Django's user admin, with a one-time link for a new member of staff
    to choose their own password (as ``manage.py create_staff_user`` prints)."""

    actions = ["make_set_password_link"]

    def has_set_password_link_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Make a one-time link to set the password"), permissions=["set_password_link"])
    def make_set_password_link(self, request, queryset):
        site_url = request.build_absolute_uri("/").rstrip("/")
        for user in queryset:
            messages.info(
                request,
                _("Link for %(user)s (it works once, within three days): %(link)s")
                % {"user": user.get_username(), "link": set_password_link(user, site_url)},
            )
