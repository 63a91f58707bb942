"""Filters for the public table of states. They live in the query string, so a
filtered view is a link, and the CSV export takes the same string."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from states.choices import (
    ChangeKind,
    ConventionPosition,
    RecordKind,
    SubmissionStatus,
    Subregion,
    TreatyStatus,
    UNRegionalGroup,
    Verification,
)
from states.models import PublishedChange, State

# How a page number is written in a query string, read alike by the pages
# and the API. ASCII digits only: \d and int() would also take "٢" or "²".
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


# The blank choice of every filter menu: no filter.
ANY = _("Any")

# Sort keys accepted in ?sort=, each a function of a Standing. "-key" reverses.
SORT_KEYS = {
    "name": lambda standing: standing.state.local_name,
    "subregion": lambda standing: (standing.state.get_subregion_display(), standing.state.local_name),
    "status": lambda standing: (list(TreatyStatus).index(standing.treaty_status), standing.state.local_name),
    "position": lambda standing: (list(ConventionPosition).index(standing.position), standing.state.local_name),
    "submission": lambda standing: (list(SubmissionStatus).index(standing.submission), standing.state.local_name),
    "verified": lambda standing: (standing.last_verified is None, standing.last_verified, standing.state.local_name),
}


def is_sort_key(sort):
    return sort.removeprefix("-") in SORT_KEYS


def sort_standings(standings, sort):
    return sorted(standings, key=SORT_KEYS[sort.removeprefix("-")], reverse=sort.startswith("-"))


class StateFilter(django_filters.FilterSet):
    """Filters on the stored fields run in SQL; those on derived standing
    (status, position, submission, verification) run on the standings."""

    q = django_filters.CharFilter(method="search", label=_("Name or ISO code"))
    subregion = django_filters.ChoiceFilter(empty_label=ANY, choices=Subregion.choices, label=_("Subregion"))
    un_regional_group = django_filters.ChoiceFilter(
        empty_label=ANY, choices=UNRegionalGroup.choices, label=_("UN regional group")
    )
    in_counting_rule = django_filters.ChoiceFilter(
        empty_label=ANY,
        field_name="in_icc_asia_pacific",
        choices=[("yes", _("In the ICC Asia-Pacific count")), ("no", _("Outside the count"))],
        method="counting_rule",
        label=_("Counting rule"),
    )
    status = django_filters.ChoiceFilter(
        empty_label=ANY, choices=TreatyStatus.choices, method="by_standing", label=_("Rome Statute")
    )
    position = django_filters.ChoiceFilter(
        empty_label=ANY, choices=ConventionPosition.choices, method="by_standing", label=_("Position")
    )
    submission = django_filters.ChoiceFilter(
        empty_label=ANY, choices=SubmissionStatus.choices, method="by_standing", label=_("Written comments")
    )
    verification = django_filters.ChoiceFilter(
        empty_label=ANY, choices=Verification.choices, method="by_standing", label=_("Least-verified fact")
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(iso3__iexact=value) | Q(iso2__iexact=value))

    def counting_rule(self, queryset, name, value):
        return queryset.filter(in_icc_asia_pacific=(value == "yes"))

    def by_standing(self, queryset, name, value):
        # Applied by ``filter_standings`` once standings are computed.
        return queryset

    def filter_standings(self, standings):
        wanted = {
            name: self.form.cleaned_data.get(name)
            for name in ("status", "position", "submission", "verification")
            if self.form.cleaned_data.get(name)
        }
        attributes = {
            "status": "treaty_status",
            "position": "position",
            "submission": "submission",
            "verification": "verification",
        }
        return [
            standing
            for standing in standings
            if all(getattr(standing, attributes[name]) == value for name, value in wanted.items())
        ]


class PublishedChangeFilter(django_filters.FilterSet):
    """Filters for /changes/, in the query string like the table's."""

    state = django_filters.ModelChoiceFilter(
        queryset=State.objects.all(), to_field_name="iso3", empty_label=ANY, label=_("State")
    )
    record_kind = django_filters.ChoiceFilter(empty_label=ANY, choices=RecordKind.choices, label=_("Kind of record"))
    kind = django_filters.ChoiceFilter(empty_label=ANY, choices=ChangeKind.choices, label=_("Change"))

    class Meta:
        model = PublishedChange
        fields = ["state", "record_kind", "kind"]
