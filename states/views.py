"""Public pages. Each takes ``?as_of=YYYY-MM-DD`` (default today) where figures
depend on the date, and makes a fixed number of queries however many states."""

import csv
import datetime
import functools
import re

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from states.charts import cumulative_steps, stacked_bars
from states.choices import (
    COUNTED_TREATY_STATUSES,
    ConventionPosition,
    CountingRule,
    Publication,
    SubmissionStatus,
    Subregion,
    TimelineTopic,
    TreatyStatus,
    UNRegionalGroup,
    Verification,
)
from states.filters import StateFilter, sort_standings
from states.maps import MapLayer, asia_pacific_map, legend_entry
from states.models import PositionStatement, Source, State, TimelineEvent, Treaty, TreatyAction, WrittenSubmission
from states.rules import Figures
from states.spreadsheets import spreadsheet_safe

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HEADLINE_RULE = CountingRule.ICC_ASIA_PACIFIC
MAX_COMPARED = 8


def with_as_of(view):
    """Parse ``?as_of=`` for the view; a malformed date gets a 400 page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        value = request.GET.get("as_of", "").strip()
        if not value:
            as_of = timezone.localdate()
        else:
            try:
                if not ISO_DATE.fullmatch(value):
                    raise ValueError(value)
                as_of = datetime.date.fromisoformat(value)
            except ValueError:
                return render(request, "bad_as_of.html", {"value": value}, status=400)
        return view(request, *args, as_of=as_of, **kwargs)

    return wrapper


def rome_statute():
    """The treaty behind the figures; the pages that need it are 404 until the seed data is loaded."""
    treaty = Treaty.objects.rome_statute()
    if treaty is None:
        raise Http404("The Rome Statute is not in the database yet (run manage.py load_seed).")
    return treaty


# The inline map makes this page large; it holds no secret (no form token),
# so compressing it is safe from BREACH-style attacks.
@gzip_page
@require_GET
@with_as_of
def overview(request, as_of):
    treaty = rome_statute()
    standings = State.objects.standings(treaty, as_of)  # every tracked state, for the map
    figures = Figures(standings, HEADLINE_RULE)
    layer = request.GET.get("map", MapLayer.ROME_STATUTE)
    if layer not in MapLayer.values:
        layer = MapLayer.ROME_STATUTE
    return render(
        request,
        "overview.html",
        {
            "as_of": as_of,
            "rule": figures.rule,
            "figures": figures,
            "map": asia_pacific_map(standings, layer, figures),
            "map_keep": {"map": layer} if "map" in request.GET else {},
            "as_of_param": as_of.isoformat() if "as_of" in request.GET else "",
            "parties_chart": cumulative_steps(figures.states_parties_over_time(), as_of),
            "subregion_chart": stacked_bars(
                [(subregion.label, counts) for subregion, counts in figures.treaty_status_by_subregion.items()],
                COUNTED_TREATY_STATUSES,
            ),
            "subregion_legend": [legend_entry(value) for value in COUNTED_TREATY_STATUSES],
            "position_chart": stacked_bars(
                [(value.label, {value: count}) for value, count in figures.position_counts.items()],
                ConventionPosition,
                label_width=290,
            ),
        },
    )


def filtered_standings(request, as_of):
    """The table's rows: the query string's filters and sort, applied."""
    treaty = rome_statute()
    state_filter = StateFilter(request.GET, queryset=State.objects.all())
    standings = (
        state_filter.filter_standings(state_filter.qs.standings(treaty, as_of)) if state_filter.is_valid() else []
    )
    sort = request.GET.get("sort", "name")
    return state_filter, sort_standings(standings, sort), sort


@require_GET
@with_as_of
def state_list(request, as_of):
    state_filter, standings, sort = filtered_standings(request, as_of)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(
        request,
        "states/list.html",
        {
            "as_of": as_of,
            "filter": state_filter,
            "standings": standings,
            "sort": sort,
            "query_without_sort": query.urlencode(),
            "query": request.GET.urlencode(),
            "columns": [
                ("name", _("State")),
                ("subregion", _("Subregion")),
                ("status", _("Rome Statute")),
                ("position", _("Position")),
                ("submission", _("Written comments")),
                ("verified", _("Last verified")),
            ],
        },
    )


def coded(name, category_of):
    """Two CSV columns for a category: its stable code, and beside it its label in words."""
    return [
        (name, lambda standing, as_of: category_of(standing).value),
        (f"{name}_label", lambda standing, as_of: category_of(standing).label),
    ]


def sourced(name, fact_of):
    """Two CSV columns for the fact a category rests on: its source's address and its verification."""

    def source(standing, as_of):
        fact = fact_of(standing)
        return fact.source.url if fact else ""

    def verification(standing, as_of):
        fact = fact_of(standing)
        return fact.verification if fact else ""

    return [(f"{name}_source", source), (f"{name}_verification", verification)]


# The CSV's columns, each (name, value for a standing on a date).
CSV_COLUMNS = [
    ("iso3", lambda standing, as_of: standing.state.iso3),
    ("name", lambda standing, as_of: standing.state.name),
    ("in_counting_rule", lambda standing, as_of: "yes" if standing.state.in_icc_asia_pacific else "no"),
    *coded("un_regional_group", lambda standing: UNRegionalGroup(standing.state.un_regional_group)),
    *coded("subregion", lambda standing: Subregion(standing.state.subregion)),
    *coded("rome_statute_status", lambda standing: standing.treaty_status),
    ("rome_statute_detail", lambda standing, as_of: standing.treaty_status_detail),
    *sourced("rome_statute", lambda standing: standing.treaty_status_fact),
    ("entry_into_force", lambda standing, as_of: standing.treaty_record.entry_into_force or ""),
    *coded("position", lambda standing: standing.position),
    *sourced("position", lambda standing: standing.position_fact),
    *coded("submission", lambda standing: standing.submission),
    *sourced("submission", lambda standing: standing.submission_fact),
    *coded("verification", lambda standing: standing.verification),
    ("last_verified", lambda standing, as_of: standing.last_verified or ""),
    ("as_of", lambda standing, as_of: as_of.isoformat()),
]


@require_GET
@with_as_of
def state_list_csv(request, as_of):
    state_filter, standings, _sort = filtered_standings(request, as_of)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cah-tracker-states-{as_of.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(name for name, _value in CSV_COLUMNS)
    for standing in standings:
        writer.writerow(spreadsheet_safe(value(standing, as_of)) for _name, value in CSV_COLUMNS)
    return response


@require_GET
@with_as_of
def state_detail(request, iso3, as_of):
    if iso3 != iso3.upper():
        target = redirect("states:detail", iso3=iso3.upper(), permanent=True)
        if request.GET:
            target["Location"] += "?" + request.GET.urlencode()
        return target
    state = get_object_or_404(State.objects.select_related("source"), iso3=iso3)
    treaty = rome_statute()
    standing = State.objects.filter(pk=state.pk).standings(treaty, as_of)[0]
    return render(
        request,
        "states/detail.html",
        {"as_of": as_of, "state": state, "standing": standing, "treaty": treaty, "timeline": standing.timeline()},
    )


@require_GET
@with_as_of
def compare(request, as_of):
    codes = []
    for value in request.GET.getlist("states"):
        codes += [code.strip().upper() for code in value.split(",") if code.strip()]
    codes = list(dict.fromkeys(codes))[:MAX_COMPARED]
    treaty = rome_statute()
    found = {s.state.iso3: s for s in State.objects.filter(iso3__in=codes).standings(treaty, as_of)}
    return render(
        request,
        "compare.html",
        {
            "as_of": as_of,
            "standings": [found[code] for code in codes if code in found],
            "unknown": [code for code in codes if code not in found],
            "choices": State.objects.values_list("iso3", "name"),
            "chosen": codes,
            "max_compared": MAX_COMPARED,
        },
    )


@require_GET
@with_as_of
def convention(request, as_of):
    figures = State.objects.figures(as_of=as_of, rule=HEADLINE_RULE)
    return render(
        request,
        "convention.html",
        {
            "as_of": as_of,
            "rule": figures.rule,
            "figures": figures,
            "events": TimelineEvent.objects.published()
            .filter(topic=TimelineTopic.CAH_CONVENTION)
            .select_related("source"),
            "by_position": [
                (legend_entry(position, len(states)), states, figures.position_evidence[position])
                for position, states in figures.states_by_position().items()
            ],
        },
    )


@require_GET
def about(request):
    states = State.objects.only(*{field for rule in CountingRule for field in rule.criteria})
    return render(
        request,
        "about.html",
        {
            "statuses": TreatyStatus,
            "positions": ConventionPosition,
            "submissions": SubmissionStatus,
            "verifications": Verification,
            "rules": [(rule, sum(rule.includes(state) for state in states)) for rule in CountingRule],
            # Only sources that back something the public can see.
            "sources": Source.objects.backing_public_facts().order_by("publisher", "title"),
            "treaty": Treaty.objects.rome_statute(),
        },
    )


@require_GET
def accessibility(request):
    return render(request, "accessibility.html")


CHANGES_PER_PAGE = 50
CHANGE_TYPES = {"+": _("Added"), "~": _("Changed"), "-": _("Removed")}


def describe_change(record):
    """What a history record is about, in a line, from the record's own fields."""
    model = record.instance_type
    if model is TreatyAction:
        return f"{record.state.name}: {record.treaty.short_name}, {record.get_action_type_display()} ({record.date})"
    if model is PositionStatement:
        return f"{record.state.name}: {_('statement of')} {record.date} ({record.get_position_display()})"
    if model is WrittenSubmission:
        return f"{record.state.name}: {_('written comments')}, {record.get_status_display()}"
    if model is TimelineEvent:
        return f"{_('Convention timeline')}: {record.event[:120]}"
    if model is State:
        return f"{record.name}: {_('groups and codes')}"
    return f"{_('Treaty')}: {record.short_name}"


@require_GET
def changes(request):
    """Published changes, newest first, with dates and reasons (never who made them).

    One query per kind of record, whatever the page: each kind's newest
    changes up to the end of this page are merged, and the page sliced out.
    """
    page_number = request.GET.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
    enough = page_number * CHANGES_PER_PAGE
    histories = [
        TreatyAction.history.filter(publication=Publication.PUBLISHED).select_related("state", "treaty"),
        PositionStatement.history.filter(publication=Publication.PUBLISHED).select_related("state"),
        WrittenSubmission.history.filter(publication=Publication.PUBLISHED).select_related("state"),
        TimelineEvent.history.filter(publication=Publication.PUBLISHED),
        State.history.all(),
        Treaty.history.all(),
    ]
    records = []
    for history in histories:
        records += history.order_by("-history_date", "-history_id")[:enough]
    records.sort(key=lambda record: record.history_date, reverse=True)
    start = (page_number - 1) * CHANGES_PER_PAGE
    shown = [
        {
            "when": record.history_date,
            "type": CHANGE_TYPES[record.history_type],
            "what": describe_change(record),
            "reason": record.history_change_reason or "",
        }
        for record in records[start:enough]
    ]
    return render(
        request,
        "changes.html",
        {
            "changes": shown,
            "page_number": page_number,
            "has_next": len(records) > enough,
        },
    )
