"""Public pages. Each takes ``?as_of=YYYY-MM-DD`` (default today) where figures
depend on the date, and makes a fixed number of queries however many states."""

import csv
import functools
import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage

from states.addresses import client_address_for_limits
from states.charts import cumulative_steps, stacked_bars
from states.choices import (
    COUNTED_TREATY_STATUSES,
    ConventionPosition,
    CountingRule,
    SubmissionStatus,
    Subregion,
    TimelineTopic,
    TreatyStatus,
    UNRegionalGroup,
    Verification,
)
from states.dataset import RESOURCES, citation, data_package
from states.dataset import version as dataset_version
from states.dimensions import DIMENSIONS, ROME_STATUTE, instrument_dimensions, tracked_dimensions
from states.embeds import embeddable_figures
from states.filters import (
    PAGE_NUMBER,
    PublishedChangeFilter,
    StateFilter,
    is_sort_key,
    sort_keys,
    sort_standings,
)
from states.forms import CONTROL_CHARACTERS, CorrectionForm
from states.maps import MapView, asia_pacific_map, legend_entry, map_signature, patterns
from states.models import CoalitionAsk, CorrectionReport, PublishedChange, Source, State, TimelineEvent, Treaty
from states.page_cache import cached_public_page
from states.per_version import kept as per_version
from states.per_version import version_of_this_request
from states.rules import as_of_from_query, list_in_words, list_separator
from states.spreadsheets import spreadsheet_safe

logger = logging.getLogger(__name__)
HEADLINE_RULE = CountingRule.ICC_ASIA_PACIFIC
MAX_COMPARED = 8


def with_as_of(view):
    """Parse ``?as_of=`` for the view; a malformed date gets a 400 page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        value = request.GET.get("as_of", "")
        try:
            as_of = as_of_from_query(value)
        except ValueError:
            return render(request, "bad_as_of.html", {"value": value.strip()}, status=400)
        return view(request, *args, as_of=as_of, **kwargs)

    return wrapper


def refuse_parameter(request, name, expected):
    """A 400 page for a query-string value this page cannot read: it says what
    the page accepts and links to the page without the value."""
    query = request.GET.copy()
    value = query.pop(name, [""])[-1]
    without = request.path + (f"?{query.urlencode()}" if query else "")
    context = {"name": name, "value": value, "expected": expected, "without": without}
    return render(request, "bad_parameter.html", context, status=400)


def one_of(values):
    """What a parameter accepts, its codes marked as codes (they read the same in every language)."""
    codes = format_html_join(list_separator(), '<code translate="no">{}</code>', ((value,) for value in values))
    return mark_safe(conditional_escape(_("It accepts one of: %(values)s.")) % {"values": codes})


# The inline map makes this page large (every cached public page is sent
# compressed: states.page_cache.compressed).
@cached_public_page(reads=("as_of", "map", "view"))
@require_safe
@with_as_of
def overview(request, as_of):
    treaty = Treaty.objects.rome_statute_or_404()
    standings = State.objects.standings(treaty, as_of)  # every tracked state, for the map
    figures = standings.figures(HEADLINE_RULE)
    layers = tracked_dimensions(standings)  # a layer per dimension, by its code
    layer = request.GET.get("map") or ROME_STATUTE.code
    if layer not in layers:
        return refuse_parameter(request, "map", one_of(layers))
    view = request.GET.get("view") or MapView.WHOLE_REGION
    if view not in MapView.values:
        return refuse_parameter(request, "view", one_of(MapView.values))
    # What the map's links keep: the date (as read) and the layer and view chosen.
    kept = {"as_of": as_of.isoformat()} if "as_of" in request.GET else {}
    kept |= {name: value for name, value in (("map", layer), ("view", view)) if name in request.GET}

    def map_link(**changes):
        return "?" + urlencode({**kept, **changes}) + "#map"

    def draw_map():
        drawn = asia_pacific_map(standings, layer, figures, view)
        context = {"map": drawn, "figures": figures}
        return (
            drawn,
            render_to_string("includes/map_drawing.html", context),
            render_to_string("includes/map_caption.html", context),
        )

    def frame_map():
        # Placing the names and drawing the shapes is most of the page's work, and it
        # depends only on each state's category (and the data version and language):
        # drawn once for every date on which the map looks the same.
        drawn, drawing, caption = per_version.get(
            ("map drawing", get_language(), layer, view, map_signature(standings, layer, figures)), draw_map
        )
        context = {
            "map": drawn,
            "map_drawing": drawing,
            "map_caption": caption,
            "as_of": as_of,
            "layer_links": [(code, dimension.label, map_link(map=code)) for code, dimension in layers.items()],
            "view_links": [(value, label, map_link(view=value)) for value, label in MapView.choices],
        }
        return drawn, render_to_string("includes/map.html", context)

    # The map in its frame (its date, its links), once per data version, date and choice.
    drawn_map, map_markup = per_version.get(
        ("map", get_language(), as_of, layer, view, tuple(sorted(kept.items()))), frame_map
    )

    def draw_figures():
        parties_over_time = figures.states_parties_over_time
        context = {
            "as_of": as_of,
            "rule": figures.rule,
            "figures": figures,
            "parties_over_time": parties_over_time,
            "parties_charts": [
                ("wide", cumulative_steps(parties_over_time, as_of)),
                ("narrow", cumulative_steps(parties_over_time, as_of, width=360, year_ticks=4)),
            ],
            "subregion_chart": stacked_bars(
                [(subregion.label, counts) for subregion, counts in figures.treaty_status_by_subregion.items()],
                COUNTED_TREATY_STATUSES,
            ),
            "subregion_legend": [legend_entry(value) for value in COUNTED_TREATY_STATUSES],
            # The other tracked treaties, each counted as the Rome Statute is (or said not yet open).
            "instruments": [
                {"dimension": dimension, "treaty": dimension.treaty, "evidence": figures.evidence(dimension)}
                for dimension in layers.values()
                if dimension.treaty
            ],
            "position_chart": stacked_bars(
                [(value.label, {value: count}) for value, count in figures.position_counts.items()],
                ConventionPosition,
            ),
        }
        return render_to_string("includes/overview_figures.html", context)

    return render(
        request,
        "overview.html",
        {
            "as_of": as_of,
            "rule": figures.rule,
            "figures": figures,
            "map": drawn_map,
            "map_markup": map_markup,
            # Below the map, the same whatever the map shows.
            "figures_markup": per_version.get(("overview figures", get_language(), as_of), draw_figures),
            "map_keep": {name: value for name, value in kept.items() if name != "as_of"},
            "embeds": [
                embed_snippets(
                    request,
                    reverse("states:embed_figure", args=["rome-statute-parties"]),
                    _("States Parties to the Rome Statute"),
                    150,
                ),
                embed_snippets(request, reverse("states:embed_map") + f"?layer={layer}", layers[layer].label, 520),
            ],
            "badge_url": request.build_absolute_uri(reverse("states:embed_badge", args=["rome-statute-parties"])),
        },
    )


# What /states/ and its CSV read from the query string.
STATE_LIST_READS = (*StateFilter.base_filters, "sort", "as_of")


def filtered_standings(request, as_of, instruments):
    """The table's rows: the query string's filters and sort, applied (none
    when a filter's value is not one it offers: the form says why)."""
    treaty = Treaty.objects.rome_statute_or_404()
    state_filter = StateFilter(request.GET, queryset=State.objects.all(), instruments=instruments)
    standings = (
        state_filter.filter_standings(state_filter.qs.standings(treaty, as_of)) if state_filter.is_valid() else []
    )
    sort = request.GET.get("sort") or "name"
    return state_filter, sort_standings(standings, sort, sort_keys(instruments)), sort


def refuse_unknown_sort(request, instruments):
    """A 400 naming the sort keys if ``?sort=`` is none of them (one per other treaty too), else None."""
    keys = sort_keys(instruments)
    if is_sort_key(request.GET.get("sort") or "name", keys):
        return None
    return refuse_parameter(request, "sort", one_of(sorted(keys) + [f"-{key}" for key in sorted(keys)]))


@cached_public_page(reads=STATE_LIST_READS)
@require_safe
@with_as_of
def state_list(request, as_of):
    # Read before the standings, so that each is a treaty the standings hold.
    instruments = instrument_dimensions(Treaty.objects.besides_rome_statute())
    if refused := refuse_unknown_sort(request, instruments):
        return refused
    state_filter, standings, sort = filtered_standings(request, as_of, instruments)
    # The status under the treaty chosen in the menu, as a column of its own.
    chosen = instruments.get(state_filter.form.cleaned_data.get("treaty")) if state_filter.is_valid() else None
    query = request.GET.copy()
    query.pop("sort", None)
    return render(
        request,
        "states/list.html",
        {
            "as_of": as_of,
            "filter": state_filter,
            "standings": standings,
            "rows": [(standing, chosen.status(standing) if chosen else None) for standing in standings],
            "chosen": chosen,
            "sort": sort,
            "query_without_sort": query.urlencode(),
            "query": request.GET.urlencode(),
            "columns": [
                ("name", _("State")),
                ("subregion", _("Subregion")),
                ("status", _("Rome Statute")),
                ("position", _("Position")),
                ("submission", _("Written comments")),
                *([(chosen.code, chosen.label)] if chosen else []),
                ("verified", _("Last verified")),
            ],
        },
        status=200 if state_filter.is_valid() else 400,
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


def csv_columns(dimensions):
    """The CSV's columns, each (name, value for a standing on a date): the
    state's, then for each dimension (states.dimensions) its status in code
    and words, its own extra columns and the source and verification of the
    fact its status rests on, then how well checked the state's facts are."""
    return [
        ("iso3", lambda standing, as_of: standing.state.iso3),
        ("name", lambda standing, as_of: standing.state.local_name),
        ("in_counting_rule", lambda standing, as_of: "yes" if standing.state.in_icc_asia_pacific else "no"),
        *coded("un_regional_group", lambda standing: UNRegionalGroup(standing.state.un_regional_group)),
        *coded("subregion", lambda standing: Subregion(standing.state.subregion)),
        *(
            column
            for dimension in dimensions.values()
            for column in [
                *coded(dimension.csv_column, dimension.status),
                *dimension.csv_extras,
                *sourced(dimension.code, dimension.fact_of),
            ]
        ),
        *coded("verification", lambda standing: standing.verification),
        ("last_verified", lambda standing, as_of: standing.last_verified or ""),
        ("as_of", lambda standing, as_of: as_of.isoformat()),
    ]


@cached_public_page(reads=STATE_LIST_READS)
@require_safe
@with_as_of
def state_list_csv(request, as_of):
    # Every treaty's columns, whichever rows the filters leave. Read before the
    # standings, so that each column's treaty is one the standings hold.
    instruments = instrument_dimensions(Treaty.objects.besides_rome_statute())
    if refused := refuse_unknown_sort(request, instruments):
        return refused
    state_filter, standings, _sort = filtered_standings(request, as_of, instruments)
    if not state_filter.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in state_filter.errors.items()]
        return HttpResponse("\n".join(problems) + "\n", status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cah-tracker-states-{as_of.isoformat()}.csv"'
    asks = CoalitionAsk.objects.of_each_state(as_of)  # the coalition's asks, by state: one query for every row
    *columns, as_of_column = csv_columns({**DIMENSIONS, **instruments})
    columns += [
        ("next_steps", lambda standing, as_of: " | ".join(step.code for step in standing.next_steps())),
        (
            "coalition_asks",
            lambda standing, as_of: " | ".join(
                f"{ask.treaty.slug}: {ask.ask}" for ask in asks.get(standing.state.pk, [])
            ),
        ),
        as_of_column,
    ]
    writer = csv.writer(response)
    writer.writerow(name for name, _value in columns)
    for standing in standings:
        writer.writerow(spreadsheet_safe(value(standing, as_of)) for _name, value in columns)
    return response


# A state's timeline grows with its record: a page of it at a time, the newest first shown.
TIMELINE_PER_PAGE = 10


@cached_public_page(reads=("as_of", "timeline"))
@require_safe
@with_as_of
def state_detail(request, iso3, as_of):
    if iso3 != iso3.upper():
        target = redirect("states:detail", iso3=iso3.upper(), permanent=True)
        if request.GET:
            target["Location"] += "?" + request.GET.urlencode()
        return target
    treaty = Treaty.objects.rome_statute_or_404()
    standing = State.objects.standing_of(iso3, treaty, as_of)
    state = standing.state
    # Page 1 is the newest entries; each page reads oldest first, as the whole timeline does.
    timeline = Paginator(standing.timeline, TIMELINE_PER_PAGE)
    number = request.GET.get("timeline") or "1"
    if not PAGE_NUMBER.fullmatch(number) or int(number) > timeline.num_pages:
        expected = _("It accepts a page number from 1 to %(last)d.") % {"last": timeline.num_pages}
        return refuse_parameter(request, "timeline", expected)
    timeline_page = timeline.page(number)
    kept = {"as_of": as_of.isoformat()} if "as_of" in request.GET else {}

    entries = timeline_page.object_list[::-1]

    def draw_timeline():
        context = {"timeline": entries, "as_of": as_of, "state": state, "treaty": treaty}
        return render_to_string("includes/timeline_entries.html", context)

    # The entries read the date only where one is still to come on it.
    still_to_come = any(entry.date > as_of for entry in entries)
    timeline_markup = per_version.get(
        ("timeline", get_language(), state.pk, timeline_page.number, as_of if still_to_come else None), draw_timeline
    )

    def timeline_link(page_number):
        return "?" + urlencode({**kept, "timeline": page_number}) + "#timeline-title"

    return render(
        request,
        "states/detail.html",
        {
            "as_of": as_of,
            "state": state,
            "standing": standing,
            "treaty": treaty,
            "timeline": entries,
            "timeline_markup": timeline_markup,
            "timeline_page": timeline_page,
            "timeline_entries": (
                timeline.count - timeline_page.end_index() + 1,
                timeline.count - timeline_page.start_index() + 1,
            ),
            "earlier_entries": timeline_link(timeline_page.next_page_number()) if timeline_page.has_next() else "",
            "later_entries": timeline_link(timeline_page.previous_page_number())
            if timeline_page.has_previous()
            else "",
            "asks": CoalitionAsk.objects.of_each_state(as_of).get(state.pk, []),
            "embeds": [
                embed_snippets(request, reverse("states:embed_state", args=[state.iso3]), state.local_name, 170)
            ],
        },
    )


@cached_public_page(reads=("states", "as_of"))
@require_safe
@with_as_of
def compare(request, as_of):
    codes = []
    for value in request.GET.getlist("states"):
        codes += [code.strip().upper() for code in value.split(",") if code.strip()]
    codes = list(dict.fromkeys(codes))[:MAX_COMPARED]
    treaty = Treaty.objects.rome_statute_or_404()
    found = {s.state.iso3: s for s in State.objects.filter(iso3__in=codes).standings(treaty, as_of)}
    unknown = [code for code in codes if code not in found]  # the page says which, and answers 400
    return render(
        request,
        "compare.html",
        {
            "as_of": as_of,
            "standings": [found[code] for code in codes if code in found],
            "unknown": unknown,
            "choices": sorted(State.objects.only("iso3", "name"), key=lambda state: state.local_name),
            "chosen": codes,
            "max_compared": MAX_COMPARED,
        },
        status=400 if unknown else 200,
    )


@cached_public_page(reads=("as_of",))
@require_safe
@with_as_of
def convention(request, as_of):
    figures = State.objects.figures(as_of=as_of, rule=HEADLINE_RULE)
    positions_over_time = figures.positions_over_time
    return render(
        request,
        "convention.html",
        {
            "as_of": as_of,
            "rule": figures.rule,
            "figures": figures,
            "patterns": patterns(),
            "position_legend": [legend_entry(position) for position in ConventionPosition],
            "positions_over_time": positions_over_time,
            "positions_chart": stacked_bars(
                [(date_format(day, "j F Y"), counts) for day, counts in positions_over_time], ConventionPosition
            ),
            "events": TimelineEvent.objects.published()
            .filter(topic=TimelineTopic.CAH_CONVENTION)
            .select_related("source"),
            "by_position": [
                (legend_entry(position, len(states)), states, figures.position_evidence[position])
                for position, states in figures.states_by_position().items()
            ],
        },
    )


@cached_public_page(reads=("as_of",))
@require_safe
@with_as_of
def next_steps(request, as_of):
    """Where to push: the states at each next step on ``as_of``, computed from the records."""
    figures = State.objects.figures(as_of=as_of, rule=HEADLINE_RULE)
    steps = figures.next_steps(CoalitionAsk.objects.by_state_and_treaty(as_of))
    return render(request, "next_steps.html", {"as_of": as_of, "rule": figures.rule, "steps": steps})


# The columns of the next steps' CSV: a row per state at each step.
NEXT_STEP_COLUMNS = ("step", "ask", "iso3", "state", "category", "evidence", "coalition_ask", "as_of")


@cached_public_page(reads=("as_of",))
@require_safe
@with_as_of
def next_steps_csv(request, as_of):
    figures = State.objects.figures(as_of=as_of, rule=HEADLINE_RULE)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cah-tracker-next-steps-{as_of.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(NEXT_STEP_COLUMNS)
    for at_step in figures.next_steps(CoalitionAsk.objects.by_state_and_treaty(as_of)):
        for standing, status, evidence, ask in at_step.rows:
            row = (
                at_step.step.code,
                at_step.step.ask,
                standing.state.iso3,
                standing.state.name,
                status,
                evidence,
                ask.ask if ask else "",
                as_of.isoformat(),
            )
            writer.writerow(spreadsheet_safe(value) for value in row)
    return response


@cached_public_page
@require_safe
def about(request):
    states = State.objects.only("iso3", "name", *{field for rule in CountingRule for field in rule.criteria})
    outside_headline_count = sorted(
        (state.local_name for state in states if not HEADLINE_RULE.includes(state)), key=str.casefold
    )
    return render(
        request,
        "about.html",
        {
            "statuses": TreatyStatus,
            "positions": ConventionPosition,
            "submissions": SubmissionStatus,
            "verifications": Verification,
            "rules": [(rule, sum(rule.includes(state) for state in states)) for rule in CountingRule],
            "outside_headline_count": list_in_words(outside_headline_count),
            # Only sources that back something the public can see.
            "sources": Source.objects.backing_public_facts().order_by("publisher", "title"),
            "treaty": Treaty.objects.rome_statute(),
        },
    )


@cached_public_page
@require_safe
def accessibility(request):
    return render(request, "accessibility.html")


ROBOTS = "User-agent: *\nDisallow: /admin/\n"


@require_safe
def robots_txt(request):
    """For crawlers: everything public may be indexed, the staff site not. (It touches
    no database, so the benchmark uses it as the trivial view.)"""
    sitemap = f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}\n"
    return HttpResponse(ROBOTS + sitemap, content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says: the site's icon is an SVG."""
    return redirect(static("favicon.svg"), permanent=True)


@require_safe
def healthz(request):
    """For load balancers: 200 when the database and the cache answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        checks["database"] = f"unavailable: {error.__class__.__name__}"
    try:
        cache.set("healthz", "ok", timeout=10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "unavailable: no answer"
    except Exception as error:  # any cache backend error means the cache is down
        checks["cache"] = f"unavailable: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


# --- Corrections from readers ---------------------------------------------------

# How many corrections the form takes in an hour: from one network address,
# and from everyone (a wave from many addresses); staff are mailed about the
# first few of each hour, and find the rest in the research queue.
CORRECTIONS_PER_ADDRESS = 5
CORRECTIONS_FROM_EVERYONE = 60
CORRECTION_MAILS_PER_HOUR = 10
REFERENCE = re.compile(r"C-\d{5,}")


def everyone(group, request):
    return "everyone"


def limit_reached(request):
    """Which limit this correction would go past ("address" or "everyone"),
    or None; counting it, atomically (django-ratelimit's count in the shared
    cache). While the cache is unavailable, only the limit for everyone
    holds, counted from the reports saved in the past hour."""
    limits = [
        ("address", client_address_for_limits, CORRECTIONS_PER_ADDRESS),
        ("everyone", everyone, CORRECTIONS_FROM_EVERYONE),
    ]
    try:
        for name, key, per_hour in limits:
            usage = get_usage(request, group=f"corrections-{name}", key=key, rate=f"{per_hour}/h", increment=True)
            if usage["should_limit"]:
                return name
    except Exception:  # any cache backend's error: Redis is a cache, not a dependency
        logger.warning("Corrections counted from the database: the cache is unavailable", exc_info=True)
        if CorrectionReport.objects.sent_in_the_past_hour().count() >= CORRECTIONS_FROM_EVERYONE:
            return "everyone"
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def report_correction(request):
    """The public correction form; ``?state=PHL&fact=...`` prefill it from the page a reader came from."""
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if not form.is_valid():
            return render(request, "corrections/form.html", {"form": form}, status=400)
        limit = limit_reached(request)  # counts only reports that would be saved: a typo costs a reader nothing
        if limit is not None:
            return render(request, "corrections/too_many.html", {"limit": limit}, status=429)
        report = form.save()
        tell_staff_about(report)
        return redirect(f"{reverse('states:correction_sent')}?reference={report.reference}")
    fact = CONTROL_CHARACTERS.sub("", request.GET.get("fact", ""))[:300]
    form = CorrectionForm(initial={"state": request.GET.get("state", "").upper(), "fact": fact})
    return render(request, "corrections/form.html", {"form": form})


@require_safe
def correction_sent(request):
    reference = request.GET.get("reference", "")
    if not REFERENCE.fullmatch(reference):
        raise Http404("No such reference.")
    return render(request, "corrections/sent.html", {"reference": reference})


def tell_staff_about(report):
    """Email the staff who may handle corrections (the console by default, see EMAIL_BACKEND).
    A mail failure is logged; the reader's report is already saved."""
    staff = User.objects.filter(is_active=True, is_staff=True).exclude(email="")
    recipients = [user.email for user in staff if user.has_perm("states.change_correctionreport")]
    this_hour = CorrectionReport.objects.sent_in_the_past_hour().count()
    if not recipients or this_hour > CORRECTION_MAILS_PER_HOUR:
        return  # a wave of reports waits in the research queue rather than flooding everyone's mail
    # Staff work in English, whatever the language of the page the reader wrote from.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Correction %(reference)s from a reader") % {"reference": report.reference}
        body = render_to_string(
            "corrections/email.txt",
            {"report": report, "last_mail_this_hour": this_hour == CORRECTION_MAILS_PER_HOUR},
        )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # any backend error: the report is saved and shows in the research queue
        logger.exception("Could not email staff about correction %s", report.reference)


CHANGES_PER_PAGE = 50


@cached_public_page(reads=(*PublishedChangeFilter.base_filters, "page"))
@require_safe
def changes(request):
    """Published changes, newest first, with what changed and the reason
    staff gave (never who made them); filtered by state and kind."""
    change_filter = PublishedChangeFilter(request.GET, queryset=PublishedChange.objects.select_related("state"))
    changes = change_filter.qs if change_filter.is_valid() else PublishedChange.objects.none()
    paginator = Paginator(changes, CHANGES_PER_PAGE)
    number = request.GET.get("page") or "1"
    if not PAGE_NUMBER.fullmatch(number) or int(number) > paginator.num_pages:
        expected = _("It accepts a page number from 1 to %(last)d.") % {"last": paginator.num_pages}
        return refuse_parameter(request, "page", expected)
    page = paginator.page(number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "changes.html",
        {
            "filter": change_filter,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "query_without_page": query.urlencode(),
        },
        status=200 if change_filter.is_valid() else 400,
    )


# --- For partner sites: embeds ------------------------------------------------------


def embeddable_figure(name, figures):
    known = embeddable_figures(tracked_dimensions(figures.standings))
    if name not in known:
        raise Http404("No such figure. Known figures: " + ", ".join(known))
    return known[name]


@cached_public_page(reads=("as_of",))
@require_safe
@with_as_of
def embed_figure(request, name, as_of):
    """One headline figure, with its counting rule, date, evidence and a link back, to frame on another site."""
    figures = State.objects.figures(Treaty.objects.rome_statute_or_404(), as_of, HEADLINE_RULE)
    figure = embeddable_figure(name, figures)
    context = {
        "as_of": as_of,
        "figure": figure,
        "count": figure.count(figures),
        "evidence": figure.evidence(figures),
        "rule": figures.rule,
        "total": figures.total,
        "source_page": request.build_absolute_uri(reverse("states:overview") + f"?as_of={as_of.isoformat()}"),
    }
    return render(request, "embed/figure.html", context)


@cached_public_page(reads=("as_of",))
@require_safe
@with_as_of
def embed_figure_badge(request, name, as_of):
    """The same figure as a small SVG badge (an image, for a README or a newsletter)."""
    figures = State.objects.figures(Treaty.objects.rome_statute_or_404(), as_of, HEADLINE_RULE)
    figure = embeddable_figure(name, figures)
    count, label = str(figure.count(figures)), str(figure.label)
    response = render(
        request,
        "embed/badge.svg",
        {
            "count": count,
            "label": label,
            "as_of": as_of,
            "count_width": 14 + 9 * len(count),
            "label_width": 12 + 7 * len(label),
        },
        content_type="image/svg+xml; charset=utf-8",
    )
    return response


@cached_public_page(reads=("layer", "as_of"))
@require_safe
@with_as_of
def embed_map(request, as_of):
    """The map alone, one layer, with its legend and a link back, to frame on another site."""
    standings = State.objects.standings(Treaty.objects.rome_statute_or_404(), as_of)
    layers = tracked_dimensions(standings)
    layer = request.GET.get("layer") or ROME_STATUTE.code
    if layer not in layers:
        return refuse_parameter(request, "layer", one_of(layers))
    figures = standings.figures(HEADLINE_RULE)
    context = {
        "as_of": as_of,
        "figures": figures,
        "map": asia_pacific_map(standings, layer, figures),
        "source_page": request.build_absolute_uri(
            reverse("states:overview") + "?" + urlencode({"as_of": as_of.isoformat(), "map": layer}) + "#map"
        ),
    }
    return render(request, "embed/map.html", context)


@cached_public_page(reads=("as_of",))
@require_safe
@with_as_of
def embed_state(request, iso3, as_of):
    """A state's standing in a few lines, to frame on another site."""
    standing = State.objects.standing_of(iso3.upper(), Treaty.objects.rome_statute_or_404(), as_of)
    state = standing.state
    source_page = request.build_absolute_uri(state.get_absolute_url() + f"?as_of={as_of.isoformat()}")
    return render(request, "embed/state.html", {"as_of": as_of, "standing": standing, "source_page": source_page})


def embed_snippets(request, path, title, height):
    """What a partner copies into their page: the embed's absolute address, a title and a height for its <iframe>."""
    url = request.build_absolute_uri(path)
    return {"url": url, "title": title, "height": height}


# --- The whole dataset --------------------------------------------------------------


def site_url(request):
    return request.build_absolute_uri("/").rstrip("/")


@cached_public_page
@require_safe
def dataset(request):
    """What the download holds, its version, licence and how to cite it."""
    data_version = dataset_version()
    return render(
        request,
        "data.html",
        {"version": data_version, "citation": citation(site_url(request), data_version), "resources": RESOURCES},
    )


@cached_public_page
@require_safe
def dataset_download(request):
    """The package, streamed from the file built for this data version (not
    kept in the page cache, which holds whole responses in memory)."""
    package, data_version = data_package(site_url(request), version_of_this_request())
    stamp = (data_version or "unreleased").replace(":", "")
    return FileResponse(
        package, as_attachment=True, filename=f"cah-tracker-{stamp}.zip", content_type="application/zip"
    )
