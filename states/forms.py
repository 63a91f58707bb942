"""The staff's forms: a reason for every change, no silent overwrite, and a
state's treaty actions checked together when entered together."""

import copy
import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm, SelectableFieldsExportForm

from states.facts import DRAFT_PENDING
from states.models import CorrectionReport, State, TreatyAction
from states.rules import TreatyRecord, check_in_date_order
from states.spreadsheets import check_import_file


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


def add_errors_by_field(form, error):
    """Put a model ValidationError on the form's fields, or on the form where
    the field is not on it."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


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
        if not self.instance.pk or not hasattr(self.instance, "lock_stored_version"):
            return cleaned  # a new record, or one without versions (a source)
        seen = cleaned.get("seen_version")
        if seen is None:
            raise ValidationError(
                _(
                    "Not saved: the form does not say which version of the record you opened, so "
                    "it cannot tell whether someone changed it since. Open the record again and make "
                    "your change there."
                ),
                code="version_missing",
            )
        # Locked until the save is done (the admin saves in one transaction).
        if seen != self.instance.lock_stored_version():
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
        if pending is not None and self.has_changed() and pending.exists():
            raise ValidationError(DRAFT_PENDING, code="draft_pending")
        # The save starts from the version the user opened, and the database
        # applies it only if that is still the stored one (VersionedSave): the
        # check above is for a clear message, this one cannot be raced.
        self.instance.version = seen
        return cleaned


class ChangeReasonForm(VersionCheckedForm):
    """The form of a record edited on its own page: it asks why."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=100,
        help_text=_("Shown in the history, and on the public list of changes once published."),
    )


class ReviewedFactForm(ChangeReasonForm):
    """A reviewed fact edited on its own page (change form and history revert):
    it is also checked against its sibling rows (``clean_across_rows``)."""

    def clean(self):
        cleaned = super().clean()
        # Checked once the record's own fields are valid (whatever else is wrong,
        # so an editor sees every problem at once).
        if not set(self.errors) - {"change_reason", "seen_version", NON_FIELD_ERRORS}:
            # The record as it would be saved, built on a copy: the form fills
            # in its own instance only after this method.
            record = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
            try:
                record.clean_across_rows()
            except ValidationError as error:
                add_errors_by_field(self, error)
        return cleaned


class TreatyActionFormSet(forms.BaseInlineFormSet):
    """Checks a state's actions together with those entered beside them, so a
    signature and a ratification can be recorded in one save."""

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
            prerequisite = None
            if treaty.open_only_to_parties_of_id:
                parent = treaty.open_only_to_parties_of
                under_parent = [action for action in entered + saved if action.treaty_id == parent.pk]
                prerequisite = TreatyRecord(parent, under_parent)
            for action, error in check_in_date_order(treaty, actions, is_changed, prerequisite):
                add_errors_by_field(form_of[id(action)], error)


WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


# Unicode's control characters (category Cc): terminal escapes, NUL, backspace, C1 codes.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def refuse_control_characters(text, allowed=""):
    """A reader's text as sent, or a clear refusal if it holds control
    characters (terminal escapes, say), which staff would otherwise see in
    their mail and the queue; line breaks and tabs only where ``allowed``."""
    if any(character not in allowed for character in CONTROL_CHARACTERS.findall(text)):
        raise ValidationError(
            _("This holds control characters (invisible codes such as terminal escapes). Please type it plainly."),
            code="control_characters",
        )
    return text


class CorrectionForm(forms.ModelForm):
    """A reader's correction. No account and no JavaScript. ``website`` is a
    honeypot: hidden from people, it is filled in only by bots."""

    state = forms.ModelChoiceField(
        queryset=State.objects.all(),
        to_field_name="iso3",
        required=False,
        empty_label=_("Not about one state"),
        label=_("State"),
    )
    source_url = forms.URLField(
        assume_scheme="https",
        max_length=500,
        label=_("Source that shows it"),
        help_text=_("A public page that shows what is right, for example the UN Treaty Collection."),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = CorrectionReport
        fields = ["state", "fact", "what_is_wrong", "source_url", "email"]
        widgets = {"what_is_wrong": forms.Textarea(attrs={"rows": 6, "maxlength": 2000})}
        labels = {"email": _("Your email (optional)")}
        help_texts = {
            "what_is_wrong": _("Say what the site shows, what you believe is right, and why."),
            "email": _("Only if you would like an answer. It is never shown on the site."),
        }

    def clean_fact(self):
        return refuse_control_characters(self.cleaned_data["fact"])

    def clean_email(self):
        return refuse_control_characters(self.cleaned_data["email"])

    def clean_what_is_wrong(self):
        text = refuse_control_characters(self.cleaned_data["what_is_wrong"].strip(), allowed="\n\r\t")
        if len(re.findall(r"\w", WEB_ADDRESS.sub("", text))) < 15:
            raise ValidationError(
                _("Please say in words what is wrong and what is right: links alone cannot be checked."),
                code="no_words",
            )
        return text

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(
                _("This report looks automated and was not sent. If you are a person, leave the last field empty."),
                code="honeypot",
            )
        return cleaned


class CsvFirst:
    """CSV chosen already in the list of file formats (XLSX is the other), rather than a blank to fill in."""

    def _init_formats(self, formats):
        super()._init_formats(formats)
        field = self.fields["format"]
        field.choices = [choice for choice in field.choices if choice[0] != ""]
        field.initial = "0"


class SpreadsheetExportForm(CsvFirst, SelectableFieldsExportForm):
    pass


class BoundedImportForm(CsvFirst, ImportForm):
    """The admin's import form, refusing a file too big to import before it
    is parsed: above its sheet's row limit (``CheckedResource.row_limit``)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.row_limit = min(resource.row_limit() for resource in resources)

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_import_file(upload, self.row_limit)
        return upload
