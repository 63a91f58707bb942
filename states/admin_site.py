"""The staff site: Django's admin with the research queue as one of its pages.

``states.apps.StaffAdminConfig`` (in INSTALLED_APPS in place of
django.contrib.admin) makes it the default site, so ``admin.site`` and
``@admin.register`` mean this site.
"""

from django.contrib import admin
from django.db.models import Case, When
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from states.choices import ConventionPosition, CorrectionStatus, SubmissionStatus
from states.models import (
    CorrectionReport,
    PositionStatement,
    State,
    TimelineEvent,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)

# What each kind of fact's name reads, fetched with it.
NAMED_BY = {
    TreatyAction: ["state", "treaty"],
    PositionStatement: ["state"],
    WrittenSubmission: ["state"],
    TimelineEvent: [],
}
SHOWN_PER_LIST = 200  # the heading gives the full count


def queue_listing(querysets):
    """[(kind of fact, [(fact, its admin link)], how many)] for each (model, queryset)."""
    return [
        (
            model._meta.verbose_name_plural,
            [
                (fact, reverse(f"admin:states_{model._meta.model_name}_change", args=[fact.pk]))
                for fact in queryset.select_related(*NAMED_BY[model])[:SHOWN_PER_LIST]
            ],
            queryset.count(),
        )
        for model, queryset in querysets
    ]


class StaffAdminSite(admin.AdminSite):
    site_header = _("CAH Tracker staff")
    site_title = _("CAH Tracker staff")
    index_title = _("Records")

    def get_urls(self):
        return [
            path("research-queue/", self.admin_view(self.research_queue), name="research_queue"),
            *super().get_urls(),
        ]

    def research_queue(self, request):
        """What staff should research or check next, and drafts waiting for review."""
        standings = State.objects.standings(Treaty.objects.rome_statute())
        context = {
            **self.each_context(request),
            "title": _("Research queue"),
            "position_not_researched": [
                s.state for s in standings if s.position == ConventionPosition.NOT_YET_RESEARCHED
            ],
            "submission_not_researched": [
                s.state for s in standings if s.submission == SubmissionStatus.NOT_YET_RESEARCHED
            ],
            "drafts": queue_listing((model, model.objects.drafts()) for model in NAMED_BY),
            "never_primary": queue_listing(
                (model, model.objects.published().never_checked_against_primary()) for model in NAMED_BY
            ),
            "corrections": CorrectionReport.objects.select_related("state").order_by(
                Case(When(status=CorrectionStatus.NEW, then=0), default=1), "-submitted_at"
            )[:SHOWN_PER_LIST],
            "new_corrections": CorrectionReport.objects.filter(status=CorrectionStatus.NEW).count(),
            "stale": queue_listing((model, model.objects.published().due_for_reverification()) for model in NAMED_BY),
        }
        return render(request, "admin/research_queue.html", context)
