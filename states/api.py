"""The read-only JSON API for partners, at /api/v1/ (Django REST framework;
the OpenAPI schema and its documentation come from drf-spectacular).

It reads what the public pages read, through the same code: published
records only, standings and figures from ``State.objects.standings`` and
``Figures``. Dates come as ``?as_of=YYYY-MM-DD`` (today by default); a
parameter that cannot be read gets a 400 whose JSON names it and says why.
"""

import re

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from states import page_cache
from states.choices import (
    CountingRule,
    TimelineTopic,
    TreatyStatus,
    Verification,
    WhoseWords,
)
from states.dimensions import DIMENSIONS, POSITION, ROME_STATUTE, instrument_dimensions
from states.filters import PAGE_NUMBER, StateFilter
from states.models import (
    CoalitionAsk,
    PositionStatement,
    PublishedChange,
    Source,
    State,
    TimelineEvent,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)
from states.rules import as_of_from_query

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The date the standing or figures are for, as YYYY-MM-DD (default: today).",
)


def as_of_from(request):
    """``?as_of=`` as a date (today when absent); a 400 naming the parameter when unreadable."""
    value = request.query_params.get("as_of", "")
    try:
        return as_of_from_query(value)
    except ValueError as error:
        raise ValidationError(
            {"as_of": [f"“{value.strip()[:40]}” is not a date: give it as YYYY-MM-DD, for example 2023-04-13."]}
        ) from error


class Pages(PageNumberPagination):
    """Pages of 100 (page_size up to 500); a page or page size that cannot be
    read is a 400 that says so, not a silent default or a bare 404."""

    page_size = 100
    max_page_size = 500
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if not value:
            return self.page_size
        if not PAGE_NUMBER.fullmatch(value) or int(value) > self.max_page_size:
            raise ValidationError({"page_size": [f"Give a number of results from 1 to {self.max_page_size}."]})
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        value = request.query_params.get(self.page_query_param, "")
        if value and not PAGE_NUMBER.fullmatch(value):
            raise ValidationError({"page": ["Give a page number: 1, 2, 3…"]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise ValidationError({"page": ["There is no such page: " + str(error.detail)]}) from error


# --- Serializers -------------------------------------------------------------------------


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["url", "title", "publisher", "accessed_on"]


class FactFields(serializers.ModelSerializer):
    """What every fact says of its evidence."""

    source = SourceSerializer(help_text="The public, canonical page that backs this fact.")

    class Meta:
        fields = ["source", "verification", "last_verified_on", "public_note"]


class TreatyActionSerializer(FactFields):
    treaty = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The treaty's short code.")

    class Meta(FactFields.Meta):
        model = TreatyAction
        fields = [
            "treaty",
            "action_type",
            "date",
            "later_effective_date",
            "depositary_notification",
            *FactFields.Meta.fields,
        ]


class PositionStatementSerializer(FactFields):
    class Meta(FactFields.Meta):
        model = PositionStatement
        fields = [
            "date",
            "date_precision",
            "forum",
            "summary",
            "quote",
            "quote_language",
            "position",
            "whose_words",
            *FactFields.Meta.fields,
        ]


class WrittenSubmissionSerializer(FactFields):
    class Meta(FactFields.Meta):
        model = WrittenSubmission
        fields = [
            "status",
            "submitted_on",
            "submitted_on_precision",
            "document_symbol",
            "document_url",
            *FactFields.Meta.fields,
        ]


class DimensionStatusField(serializers.ChoiceField):
    """A standing's status in one dimension (states.dimensions), under the
    name its CSV column has (rome_statute_status, position, submission)."""

    def __init__(self, dimension):
        super().__init__([(status.value, status.label) for status in dimension.all_statuses], read_only=True)
        self.dimension, self.help_text = dimension, dimension.description

    def get_attribute(self, standing):
        return self.dimension.status(standing)


class InstrumentStatusSerializer(serializers.Serializer):
    """Where a state stands under one more tracked treaty on the date (``Standing.instruments``)."""

    treaty = serializers.CharField(source="treaty.slug", help_text="The treaty's short code.")
    status = serializers.ChoiceField(
        TreatyStatus.choices,
        help_text=(
            "Its status under the treaty on that date; not_yet_researched where nobody has checked, "
            "not_yet_open while the treaty is not adopted."
        ),
    )
    entry_into_force = serializers.DateField(
        source="record.entry_into_force",
        allow_null=True,
        help_text="When the treaty entered into force for it, by the treaty's rule (null if it has not, or unknown).",
    )


class InstrumentSerializer(InstrumentStatusSerializer):
    """The same, with the state's actions under the treaty."""

    actions = TreatyActionSerializer(
        source="record.actions", many=True, help_text="Its published actions, oldest first."
    )


class StandingSerializer(serializers.Serializer):
    """Where a state stands on the date asked for, as the public pages say it:
    as_of, each dimension's status (states.dimensions) under the name the CSV
    gives it, with the Rome Statute's detail and entry into force after its
    own, then how well checked its facts are."""

    as_of = serializers.DateField(help_text="The date this standing is for.")
    rome_statute_detail = serializers.CharField(
        source="treaty_status_detail", help_text="The status in a sentence, with its dates."
    )
    entry_into_force = serializers.DateField(
        source="treaty_record.entry_into_force",
        allow_null=True,
        help_text="When the Rome Statute entered into force for it (art. 126(2)), if it has.",
    )
    verification = serializers.ChoiceField(
        Verification.choices, help_text="The weakest verification among the facts behind this standing."
    )
    last_verified = serializers.DateField(
        allow_null=True, help_text="The day by which every one of its facts had been checked (null: not yet)."
    )
    position_whose_words = serializers.ChoiceField(
        WhoseWords.choices,
        source="position_fact.whose_words",
        allow_null=True,
        default=None,
        help_text=(
            "Whose words the position rests on: the state's own, a report of them, or an assessment "
            "(an analyst's, or the coalition's own). Null while not yet researched."
        ),
    )
    instruments = InstrumentStatusSerializer(
        many=True, read_only=True, help_text="Its status under each other tracked treaty, in the treaties' order."
    )

    def get_fields(self):
        # DRF's hook for fields built at run time: one per dimension, in the registry's order.
        declared = super().get_fields()
        fields = {"as_of": declared.pop("as_of")}
        for dimension in DIMENSIONS.values():
            fields[dimension.csv_column] = DimensionStatusField(dimension)
            if dimension is ROME_STATUTE:
                fields |= {name: declared.pop(name) for name in ("rome_statute_detail", "entry_into_force")}
            if dimension is POSITION:
                fields["position_whose_words"] = declared.pop("position_whose_words")
        return fields | declared


class StateSerializer(serializers.ModelSerializer):
    standing = serializers.SerializerMethodField(help_text="Where it stands on the date asked for.")
    page = serializers.SerializerMethodField(help_text="Its page on the public site.")

    class Meta:
        model = State
        fields = ["iso3", "iso2", "name", "un_regional_group", "subregion", "un_membership", "in_icc_asia_pacific"]
        fields += ["standing", "page"]

    @extend_schema_field(StandingSerializer)
    def get_standing(self, state):
        return StandingSerializer(self.context["standings"][state.pk]).data

    def get_page(self, state) -> str:
        return self.context["request"].build_absolute_uri(state.get_absolute_url())


class CoalitionAskSerializer(FactFields):
    treaty = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The instrument, by its code.")

    class Meta(FactFields.Meta):
        model = CoalitionAsk
        fields = ["treaty", "ask", "asked_on", *FactFields.Meta.fields]


# A state's record in the API holds its newest statements, a bounded answer
# however long its history; /api/v1/statements/ has every one, in pages.
STATEMENTS_IN_DETAIL = 20


class StatementSerializer(PositionStatementSerializer):
    state = serializers.SlugRelatedField(slug_field="iso3", read_only=True, help_text="The state, by its ISO3 code.")

    class Meta(PositionStatementSerializer.Meta):
        fields = ["state", *PositionStatementSerializer.Meta.fields]


class StateDetailSerializer(StateSerializer):
    treaty_actions = serializers.SerializerMethodField(help_text="Its published Rome Statute actions, oldest first.")
    instruments = serializers.SerializerMethodField(
        help_text="Its standing under each other tracked treaty (the Kampala amendments, the Ljubljana–The Hague "
        "Convention), on that date."
    )
    statements = serializers.SerializerMethodField(
        help_text=f"Its newest published statements on a convention (up to {STATEMENTS_IN_DETAIL}), oldest first; "
        "statements_url lists every one, a page at a time."
    )
    statements_count = serializers.SerializerMethodField(help_text="How many published statements it has in all.")
    statements_url = serializers.SerializerMethodField(help_text="Every one of its published statements, in pages.")
    written_submission = serializers.SerializerMethodField(help_text="Its written comments, if researched (else null).")
    asks = serializers.SerializerMethodField(
        help_text="What the coalition asks of it under each instrument, made by that date: advocacy, never a figure."
    )
    next_steps = serializers.SerializerMethodField(
        help_text="The codes of the next steps it is at on that date, as /api/v1/next-steps/ lists them."
    )

    class Meta(StateSerializer.Meta):
        fields = [
            *StateSerializer.Meta.fields,
            "treaty_actions",
            "instruments",
            "statements",
            "statements_count",
            "statements_url",
            "written_submission",
            "asks",
            "next_steps",
        ]

    def standing_of(self, state):
        return self.context["standings"][state.pk]

    @extend_schema_field(TreatyActionSerializer(many=True))
    def get_treaty_actions(self, state):
        record = self.standing_of(state).treaty_record
        return TreatyActionSerializer(record.actions if record else [], many=True).data

    @extend_schema_field(InstrumentSerializer(many=True))
    def get_instruments(self, state):
        return InstrumentSerializer(self.standing_of(state).instruments, many=True).data

    @extend_schema_field(PositionStatementSerializer(many=True))
    def get_statements(self, state):
        newest = state.statements_newest_first()[:STATEMENTS_IN_DETAIL]
        return PositionStatementSerializer(list(newest)[::-1], many=True).data

    def get_statements_count(self, state) -> int:
        return self.standing_of(state).statement_checks.count

    def get_statements_url(self, state) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:statements") + f"?state={state.iso3}")

    def get_next_steps(self, state) -> list[str]:
        return [step.code for step in self.standing_of(state).next_steps()]

    @extend_schema_field(CoalitionAskSerializer(many=True))
    def get_asks(self, state):
        asks = CoalitionAsk.objects.of_each_state(self.standing_of(state).as_of).get(state.pk, [])
        return CoalitionAskSerializer(asks, many=True).data

    @extend_schema_field(WrittenSubmissionSerializer(allow_null=True))
    def get_written_submission(self, state):
        submission = self.standing_of(state).written_submission
        return WrittenSubmissionSerializer(submission).data if submission else None


class FiguresSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rule = serializers.ChoiceField(CountingRule.choices, help_text="The counting rule: which states are counted.")
    total = serializers.IntegerField(help_text="How many states the rule counts.")
    states_parties = serializers.IntegerField(help_text="States Parties to the Rome Statute on that date.")
    rome_statute = serializers.DictField(
        child=serializers.IntegerField(), help_text="How many states are in each Rome Statute category."
    )
    positions = serializers.DictField(child=serializers.IntegerField(), help_text="How many states hold each position.")
    written_comments = serializers.DictField(
        child=serializers.IntegerField(), help_text="How many states are in each written-comments category."
    )


class TreatySerializer(serializers.ModelSerializer):
    source = SourceSerializer()

    class Meta:
        model = Treaty
        fields = [
            "slug",
            "short_name",
            "title",
            "adopted_on",
            "outlook",
            "entered_into_force_on",
            "entry_into_force_period",
            "entry_into_force_period_unit",
            "withdrawal_period_months",
            "depositary_record_url",
            *FactFields.Meta.fields,
        ]


class TimelineEventSerializer(FactFields):
    class Meta(FactFields.Meta):
        model = TimelineEvent
        fields = ["date", "date_precision", "topic", "event", "document_symbol", *FactFields.Meta.fields]


class PublishedChangeSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(
        slug_field="iso3",
        read_only=True,
        allow_null=True,
        help_text="The state's ISO3 code (null: not about one state).",
    )

    class Meta:
        model = PublishedChange
        fields = ["made_at", "kind", "record_kind", "title", "what_changed", "reason", "state"]


# --- Views ----------------------------------------------------------------------------------


class KeptForReaders:
    """A view's JSON kept like a public page (states/page_cache.py): per data
    version, release, day and address, here and in Redis, with an ETag for a
    304. Looked up only once DRF's throttle has counted the request, so the
    limit per reader holds for kept answers too. ``reads`` names the query
    parameters the view reads: any other is dropped first, as for a page, so
    made-up parameters cost neither a render nor room in the cache. Only a 200
    is kept: a 400 for a malformed parameter is worked out each time."""

    reads = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # the throttle: a 429 is raised here, before any lookup
        self.data_version = None
        if not settings.PUBLIC_PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return
        if not page_cache.canonical(request._request, self.reads):
            return  # an as_of that is no date: the view's 400
        self.data_version = page_cache.data_version()
        page_cache.this_request_reads(self.data_version)
        stored = page_cache.stored_page(request._request, self.data_version)
        if stored is not None:
            # DRF calls the handler named by the method next: this one answers with the kept bytes.
            self.get = self.head = lambda *args, **kwargs: stored

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "data_version", None) is None or not isinstance(response, Response):
            return response  # not kept, or the kept bytes already
        response.render()
        return page_cache.kept_public(request._request, self.data_version, response)


PAGINATED = ("page", "page_size")


class StandingsMixin:
    """Serializer context with each listed state's standing on ``as_of``, in a fixed number of queries."""

    def standings_context(self, states):
        standings = State.objects.filter(pk__in=[state.pk for state in states]).standings(
            Treaty.objects.rome_statute_or_404(), as_of_from(self.request)
        )
        return {"request": self.request, "standings": {standing.state.pk: standing for standing in standings}}


# The table's filters (states.filters.StateFilter), described for the schema.
STATE_FILTERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.STR,
        # The treaty menu's choices are the treaties in the database: no fixed list for the schema.
        enum=[str(code) for code, _label in the_filter.extra["choices"]] if the_filter.extra.get("choices") else None,
        description=f"{the_filter.label}" + (": any part of the name, or the ISO code" if name == "q" else "."),
    )
    for name, the_filter in StateFilter.base_filters.items()
]


@extend_schema(parameters=[AS_OF, *STATE_FILTERS], summary="Every tracked state, with where it stands on a date")
class StateList(KeptForReaders, StandingsMixin, generics.ListAPIView):
    """Filters as on /states/: q (name or ISO code), subregion, un_regional_group,
    in_counting_rule, status, position, submission, verification."""

    serializer_class = StateSerializer
    pagination_class = Pages
    queryset = State.objects.order_by("name")
    reads = ("as_of", *StateFilter.base_filters, *PAGINATED)

    def list(self, request, *args, **kwargs):
        as_of = as_of_from(request)
        instruments = instrument_dimensions(Treaty.objects.besides_rome_statute())  # before the standings
        state_filter = StateFilter(request.query_params, queryset=self.get_queryset(), instruments=instruments)
        if not state_filter.is_valid():
            raise ValidationError(state_filter.errors)
        treaty = Treaty.objects.rome_statute_or_404()
        if state_filter.filters_standings:  # which states match is known once every state's standing is
            standings = state_filter.filter_standings(state_filter.qs.standings(treaty, as_of))
            page = self.paginate_queryset([standing.state for standing in standings])
        else:  # the page's states first, then only their standings
            page = self.paginate_queryset(state_filter.qs)
            standings = State.objects.filter(pk__in=[state.pk for state in page]).standings(treaty, as_of)
        context = {"request": request, "standings": {standing.state.pk: standing for standing in standings}}
        return self.get_paginated_response(StateSerializer(page, many=True, context=context).data)


@extend_schema(parameters=[AS_OF], summary="One state: its standing on a date, and its dated, sourced records")
class StateDetail(KeptForReaders, StandingsMixin, generics.RetrieveAPIView):
    reads = ("as_of",)
    serializer_class = StateDetailSerializer

    def retrieve(self, request, iso3):
        state = get_object_or_404(State, iso3=iso3.upper())
        return Response(StateDetailSerializer(state, context=self.standings_context([state])).data)


@extend_schema(
    parameters=[
        AS_OF,
        OpenApiParameter(
            "rule",
            OpenApiTypes.STR,
            enum=CountingRule.values,
            description="Which states are counted (default: icc_asia_pacific, the headline figures').",
        ),
    ],
    responses=FiguresSerializer,
    summary="The headline figures for a counting rule and date",
)
class FiguresView(KeptForReaders, APIView):
    reads = ("as_of", "rule")

    def get(self, request):
        rule = request.query_params.get("rule") or CountingRule.ICC_ASIA_PACIFIC
        if rule not in CountingRule.values:
            raise ValidationError({"rule": [f"Not a counting rule: use one of {', '.join(CountingRule.values)}."]})
        as_of = as_of_from(request)
        figures = State.objects.standings(Treaty.objects.rome_statute_or_404(), as_of).figures(rule)
        return Response(
            FiguresSerializer(
                {
                    "as_of": as_of,
                    "rule": figures.rule,
                    "total": figures.total,
                    "states_parties": figures.states_parties,
                    "rome_statute": figures.treaty_status_counts,
                    "positions": figures.position_counts,
                    "written_comments": figures.submission_counts,
                }
            ).data
        )


class StateAtAStepSerializer(serializers.Serializer):
    iso3 = serializers.CharField(source="state.iso3")
    name = serializers.CharField(source="state.name")
    page = serializers.SerializerMethodField(help_text="The state's public page.")
    status = serializers.SerializerMethodField(help_text="Its status on the step's dimension, as the CSV codes it.")
    evidence = serializers.SerializerMethodField(help_text="How strong the fact behind that status is.")
    coalition_ask = serializers.SerializerMethodField(help_text="The coalition's ask of it under the step's treaty.")

    def get_page(self, standing) -> str:
        return self.context["request"].build_absolute_uri(standing.state.get_absolute_url())

    def get_status(self, standing) -> str:
        return str(self.context["at_step"].step.dimension.status(standing))

    def get_evidence(self, standing) -> str:
        return str(self.context["at_step"].evidence_of(standing))

    def get_coalition_ask(self, standing) -> str | None:
        ask = self.context["at_step"].ask_of(standing)
        return ask.ask if ask else None


class NextStepSerializer(serializers.Serializer):
    code = serializers.CharField(source="step.code")
    label = serializers.CharField(source="step.label", help_text="Who is on the list.")
    ask = serializers.CharField(source="step.ask", help_text="The step, as the coalition puts it to a state.")
    dimension = serializers.CharField(source="step.dimension.code", help_text="What the list is read from.")
    categories = serializers.ListField(
        source="step.categories", child=serializers.CharField(), help_text="The statuses that put a state on it."
    )
    count = serializers.SerializerMethodField(help_text="How many states are on the list.")
    evidence = serializers.DictField(child=serializers.IntegerField(), help_text="How many rest on each strength.")
    states = serializers.SerializerMethodField()

    def get_count(self, at_step) -> int:
        return len(at_step.standings)

    @extend_schema_field(StateAtAStepSerializer(many=True))
    def get_states(self, at_step):
        context = {**self.context, "at_step": at_step}
        return StateAtAStepSerializer(at_step.standings, many=True, context=context).data


class NextStepsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rule = serializers.ChoiceField(CountingRule.choices, help_text="The counting rule: which states are listed.")
    steps = NextStepSerializer(many=True)


@extend_schema(parameters=[AS_OF], responses=NextStepsSerializer, summary="Where to push: the states at each next step")
class NextStepsView(KeptForReaders, APIView):
    """The lists of /next-steps/: for each next step, the states of the headline
    count at it on a date, each with the strength of the fact behind it."""

    reads = ("as_of",)

    def get(self, request):
        as_of = as_of_from(request)
        figures = State.objects.figures(as_of=as_of, rule=CountingRule.ICC_ASIA_PACIFIC)
        steps = figures.next_steps(CoalitionAsk.objects.by_state_and_treaty(as_of))
        found = {"as_of": as_of, "rule": figures.rule, "steps": steps}
        return Response(NextStepsSerializer(found, context={"request": request}).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema. ``?version=`` names the downloaded file in a
    response header, so only a plain version is taken; anything else (a line
    break, say) is a 400 that says so."""

    def _get_version_parameter(self, request):
        version = request.GET.get("version")
        if version is not None and not re.fullmatch(r"[A-Za-z0-9._-]{1,20}", version):
            raise ValidationError({"version": ["A version is written with letters, digits, dots and dashes only."]})
        return super()._get_version_parameter(request)


class ApiDocsView(SpectacularSwaggerSplitView):
    """The API's documentation page (Swagger UI, served from this site)."""

    def options(self, request, *args, **kwargs):
        # DRF's OPTIONS answer renders through this page's HTML template, which fails: say what is allowed.
        return HttpResponse(status=204, headers={"Allow": "GET, HEAD, OPTIONS"})


class EndpointsSerializer(serializers.Serializer):
    states = serializers.URLField(help_text="Every tracked state with its standing (filters: see the docs).")
    statements = serializers.URLField(help_text="Every published statement on a convention, by state (?state=PHL).")
    figures = serializers.URLField(help_text="The headline figures for a counting rule and date.")
    next_steps = serializers.URLField(help_text="Where to push: the states at each next step on a date.")
    treaties = serializers.URLField(help_text="The treaties followed, with the rules that date their effect.")
    timeline = serializers.URLField(help_text="The milestones of each treaty process.")
    sources = serializers.URLField(help_text="The public sources behind the published facts.")
    changes = serializers.URLField(help_text="Every change to the public record, newest first.")
    schema = serializers.URLField(help_text="This API's OpenAPI schema.")
    docs = serializers.URLField(help_text="This API's documentation, from its schema.")


# The API's endpoints, by their URL names (cahtracker/urls.py), as the root lists them.
ENDPOINTS = ["states", "statements", "figures", "next_steps", "treaties", "timeline", "sources", "changes", "schema"]


@extend_schema(summary="The API's endpoints, its schema and its documentation", responses=EndpointsSerializer)
class ApiRoot(KeptForReaders, APIView):
    """Where a partner starts: every endpoint of this API, its schema and its documentation."""

    def get(self, request):
        links = {name: request.build_absolute_uri(reverse(f"api:{name}")) for name in ENDPOINTS}
        links["docs"] = request.build_absolute_uri(reverse("api_docs"))
        return Response(EndpointsSerializer(links).data)


@extend_schema(summary="The treaties followed, with the rules that date their effect")
class TreatyList(KeptForReaders, generics.ListAPIView):
    reads = PAGINATED
    serializer_class = TreatySerializer
    queryset = Treaty.objects.select_related("source")
    pagination_class = Pages


@extend_schema(summary="The convention's timeline: dated, sourced events")
class TimelineList(KeptForReaders, generics.ListAPIView):
    reads = PAGINATED
    serializer_class = TimelineEventSerializer
    queryset = TimelineEvent.objects.published().filter(topic=TimelineTopic.CAH_CONVENTION).select_related("source")
    pagination_class = Pages


@extend_schema(summary="The sources behind what the public sees")
class SourceList(KeptForReaders, generics.ListAPIView):
    reads = PAGINATED
    serializer_class = SourceSerializer
    queryset = Source.objects.backing_public_facts().order_by("publisher", "title")
    pagination_class = Pages


@extend_schema(
    parameters=[OpenApiParameter("state", OpenApiTypes.STR, description="Only this state's, by its ISO3 code.")],
    summary="Published statements on a convention, by state and date",
)
class StatementList(KeptForReaders, generics.ListAPIView):
    reads = ("state", *PAGINATED)
    serializer_class = StatementSerializer
    pagination_class = Pages

    def get_queryset(self):
        statements = (
            PositionStatement.objects.published()
            .select_related("state", "source")
            .order_by("state__name", "date", "pk")
        )
        code = self.request.query_params.get("state", "")
        if not code:
            return statements
        if not re.fullmatch(r"[A-Za-z]{3}", code):
            raise ValidationError({"state": ["Give a state's ISO3 code, for example PHL."]})
        return statements.filter(state__iso3=code.upper())


@extend_schema(summary="Published changes, newest first, with their reasons (never staff names)")
class ChangeList(KeptForReaders, generics.ListAPIView):
    reads = PAGINATED
    serializer_class = PublishedChangeSerializer
    queryset = PublishedChange.objects.select_related("state").order_by("-made_at", "-pk")
    pagination_class = Pages


# --- The schema's words --------------------------------------------------------------------

# What each field means, for fields whose model gives no help text (the schema
# must describe every field); the same name means the same thing everywhere.
FIELD_DESCRIPTIONS = {
    "as_of": "The date the figures are for.",
    "count": "How many results there are in all.",
    "next": "The address of the next page (null on the last).",
    "previous": "The address of the previous page (null on the first).",
    "results": "The results on this page.",
    "iso3": "ISO 3166-1 alpha-3 code, for example PHL.",
    "iso2": "ISO 3166-1 alpha-2 code, for example PH.",
    "name": "The state's short name, as the site writes it.",
    "un_regional_group": "Its UN regional group.",
    "subregion": "Its UN M49 subregion.",
    "un_membership": "Whether it is a UN member state, an observer state or neither.",
    "date": "The date, to the precision date_precision gives (a date known to the month is its 1st).",
    "forum": "Where the statement was made (a meeting, a letter, a publication).",
    "summary": "What the statement says, in a sentence or two.",
    "quote": "Its words, where they are short enough to quote.",
    "verification": "How far this fact has been checked: against the primary record, a secondary source, or not yet.",
    "made_at": "When the change was published.",
    "kind": "What the change did to the public record.",
    "record_kind": "The kind of record that changed.",
    "title": "The record's title.",
    "what_changed": "The fields that changed, in words (empty when a record was added or removed).",
    "reason": "The reason staff gave for the change.",
    "url": "The page's address.",
    "publisher": "Who publishes the page.",
    "topic": "The timeline the event belongs to.",
    "event": "What happened.",
    "document_symbol": "The UN document symbol, if any.",
    "source": "The public page that backs this record.",
    "slug": "The treaty's short code, used in addresses and imports.",
    "short_name": "The treaty's short name.",
    "adopted_on": "The day the treaty was adopted; null while it is being negotiated (not yet open for signature).",
    "outlook": "For a treaty not yet adopted: what comes next (for example: conference 2028–2029).",
    "entry_into_force_period_unit": "The unit of the entry-into-force period (days or months).",
    "action_type": "What the state did: signature, ratification, accession, withdrawal, and so on.",
    "status": "The finding on written comments.",
    "position": "The position the statement takes on a convention.",
    "date_precision": "How much of the date the source gives: the day, the month or the year.",
    "submitted_on": "When the written comments were submitted, as far as known (see submitted_on_precision).",
    "document_url": "The address of the document with the comments, if public.",
}


def describe_every_field(result, generator, request, public):
    """drf-spectacular postprocessing hook: give each field without a description its meaning."""
    for component in result.get("components", {}).get("schemas", {}).values():
        for name, field in component.get("properties", {}).items():
            if not field.get("description"):
                field["description"] = FIELD_DESCRIPTIONS.get(name) or str(field.get("title", name)).capitalize() + "."
    return result
