from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from states.models import (
    PositionStatement,
    Source,
    State,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)

VERIFICATION_FIELDS = ("source", "verification", "last_verified_on")

# An address typed without a scheme is taken as https (Django 6's default).
URLS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_ASSUME_HTTPS
    list_display = ["title", "publisher", "url", "accessed_on"]
    search_fields = ["title", "publisher", "url"]


class TreatyActionInline(admin.TabularInline):
    model = TreatyAction
    extra = 0
    fields = ["treaty", "action_type", "date", "later_effective_date", "depositary_notification", *VERIFICATION_FIELDS]
    autocomplete_fields = ["source"]


class PositionStatementInline(admin.StackedInline):
    model = PositionStatement
    extra = 0
    fields = [("date", "date_precision"), "forum", "summary", "quote", "position", VERIFICATION_FIELDS]
    autocomplete_fields = ["source"]


class WrittenSubmissionInline(admin.StackedInline):
    formfield_overrides = URLS_ASSUME_HTTPS
    model = WrittenSubmission
    extra = 0
    fields = [("status", "submitted_on"), ("document_symbol", "document_url"), VERIFICATION_FIELDS]
    autocomplete_fields = ["source"]


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    """Staff work on one state at a time: its actions, statements and submission inline."""

    list_display = ["name", "iso3", "un_regional_group", "subregion", "in_icc_asia_pacific", "verification"]
    list_filter = ["in_icc_asia_pacific", "un_regional_group", "subregion", "un_membership", "verification"]
    search_fields = ["name", "iso2", "iso3"]
    fieldsets = [
        (None, {"fields": ["name", ("iso2", "iso3")]}),
        (_("Groups"), {"fields": ["un_regional_group", "subregion", "un_membership", "in_icc_asia_pacific"]}),
        (_("Source"), {"fields": [VERIFICATION_FIELDS, "notes"]}),
    ]
    autocomplete_fields = ["source"]
    inlines = [TreatyActionInline, PositionStatementInline, WrittenSubmissionInline]


@admin.register(Treaty)
class TreatyAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_ASSUME_HTTPS
    list_display = ["short_name", "adopted_on", "entered_into_force_on"]
    prepopulated_fields = {"slug": ["short_name"]}
    autocomplete_fields = ["source"]


@admin.register(TreatyAction)
class TreatyActionAdmin(admin.ModelAdmin):
    list_display = ["state", "treaty", "action_type", "date", "verification", "last_verified_on"]
    list_filter = ["treaty", "action_type", "verification"]
    list_select_related = ["state", "treaty"]
    search_fields = ["state__name", "state__iso3", "depositary_notification"]
    date_hierarchy = "date"
    autocomplete_fields = ["state", "source"]


@admin.register(PositionStatement)
class PositionStatementAdmin(admin.ModelAdmin):
    list_display = ["state", "date", "forum", "position", "verification", "last_verified_on"]
    list_filter = ["position", "verification", "date_precision"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__iso3", "forum", "summary", "quote"]
    date_hierarchy = "date"
    autocomplete_fields = ["state", "source"]


@admin.register(WrittenSubmission)
class WrittenSubmissionAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_ASSUME_HTTPS
    list_display = ["state", "status", "submitted_on", "document_symbol", "verification"]
    list_filter = ["status", "verification"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__iso3", "document_symbol"]
    autocomplete_fields = ["state", "source"]
