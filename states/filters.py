"""Filters for the public table of states. They live in the query string, so a
filtered view is a link, and the CSV export takes the same string."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from states.choices import (
    ChangeKind,
    RecordKind,
    Subregion,
    TreatyStatus,
    UNRegionalGroup,
    Verification,
)
from states.dimensions import DIMENSIONS
from states.models import PublishedChange, State

# How a page number is written in a query string, read alike by the pages
# and the API. ASCII digits only: \d and int() would also take "٢" or "²".
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


# The blank choice of every filter menu: no filter.
ANY = _("Any")


def by_dimension(dimension):
    """A sort key: the state's status in its dimension's order, then its name."""
    return lambda standing: (dimension.all_statuses.index(dimension.status(standing)), standing.state.local_name)


# Sort keys accepted in ?sort=, each a function of a Standing. "-key" reverses.
SORT_KEYS = {
    "name": lambda standing: standing.state.local_name,
    "subregion": lambda standing: (standing.state.get_subregion_display(), standing.state.local_name),
    **{dimension.query_name: by_dimension(dimension) for dimension in DIMENSIONS.values()},
    "verified": lambda standing: (standing.last_verified is None, standing.last_verified, standing.state.local_name),
}


def sort_keys(instruments):
    """The sort keys, with one per other treaty (``states.dimensions.instrument_dimensions``), by its code."""
    return {**SORT_KEYS, **{code: by_dimension(dimension) for code, dimension in instruments.items()}}


def is_sort_key(sort, keys):
    return sort.removeprefix("-") in keys


def sort_standings(standings, sort, keys):
    return sorted(standings, key=keys[sort.removeprefix("-")], reverse=sort.startswith("-"))


def with_a_menu_per_dimension(filterset):
    """Give the table's filters one menu per dimension (states.dimensions),
    named as partners' links name them (?status=, ?position=, ?submission=),
    between the stored fields' menus and the verification's: in the class's
    own filters, so the page cache keys on them too (``STATE_LIST_READS``)."""
    menus = {
        dimension.query_name: django_filters.ChoiceFilter(
            empty_label=ANY,
            choices=[(status.value, status.label) for status in dimension.all_statuses],
            method="by_standing",
            label=dimension.short_label,
        )
        for dimension in DIMENSIONS.values()
    }
    for menus_of in (filterset.declared_filters, filterset.base_filters):
        after = {name: menus_of.pop(name) for name in ("treaty", "treaty_status", "verification")}
        menus_of.update(menus)
        menus_of.update(after)
    return filterset


@with_a_menu_per_dimension
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
    # Any other tracked treaty, and the status under it: two fixed names
    # whatever the treaties, so that the page cache keys on them too.
    treaty = django_filters.ChoiceFilter(empty_label=ANY, choices=[], method="by_standing", label=_("Other treaty"))
    treaty_status = django_filters.ChoiceFilter(
        empty_label=ANY, choices=TreatyStatus.choices, method="by_standing", label=_("Status under it")
    )
    verification = django_filters.ChoiceFilter(
        empty_label=ANY, choices=Verification.choices, method="by_standing", label=_("Least-verified fact")
    )

    def __init__(self, data=None, queryset=None, *, instruments=None, **kwargs):
        """``instruments``: the other treaties' dimensions, by code
        (``states.dimensions.instrument_dimensions``), for the treaty menu."""
        super().__init__(data, queryset, **kwargs)
        self.instruments = instruments or {}
        self.filters["treaty"].extra["choices"] = [(code, d.label) for code, d in self.instruments.items()]

    def is_valid(self):
        valid = super().is_valid()
        if valid and self.form.cleaned_data.get("treaty_status") and not self.form.cleaned_data.get("treaty"):
            self.form.add_error("treaty_status", _("Choose the treaty this status is under, in “Other treaty”."))
            return False
        return valid

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(iso3__iexact=value) | Q(iso2__iexact=value))

    def counting_rule(self, queryset, name, value):
        return queryset.filter(in_icc_asia_pacific=(value == "yes"))

    def by_standing(self, queryset, name, value):
        # Applied by ``filter_standings`` once standings are computed.
        return queryset

    @property
    def filters_standings(self):
        """Whether a filter chosen reads the standings (a status, a position...),
        so that which states are listed is known only once every state's is computed."""
        return any(self.form.cleaned_data.get(name) for name in self.status_of())

    def status_of(self):
        """For each filter that reads the standings, what it reads of one."""
        status_of = {dimension.query_name: dimension.status for dimension in DIMENSIONS.values()}
        status_of["verification"] = lambda standing: standing.verification
        if treaty := self.form.cleaned_data.get("treaty"):
            status_of["treaty_status"] = self.instruments[treaty].status
        return status_of

    def filter_standings(self, standings):
        status_of = self.status_of()
        wanted = {name: value for name in status_of if (value := self.form.cleaned_data.get(name))}
        return [
            standing
            for standing in standings
            if all(status_of[name](standing) == value for name, value in wanted.items())
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
