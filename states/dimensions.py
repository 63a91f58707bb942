"""What the tracker measures, declared once.

A dimension is one thing every state stands somewhere on: its Rome Statute
status, its position on a convention, its written comments. Each is declared
here with its code (the name in addresses, CSV columns and the API, which
partners already use), its label, its categories in the order legends and
counts give them, each category's colour and texture, how a state's category
and the fact it rests on are read from its ``Standing``, and which category
means that nobody has looked yet. The figures count by them
(``rules.Figures.counts``), and the map's layers (``states.maps``) and the
embeds (``states.embeds``) read them here.

Plain Python over standings already built: no queries.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from states.choices import (
    COUNTED_TREATY_STATUSES,
    ConventionPosition,
    Evidence,
    SubmissionStatus,
    TreatyStatus,
)

# (fill colour, texture) of the drawing of a category nobody has researched.
NOT_YET_RESEARCHED_STYLE = ("#f4f4f4", "lines")
# ... and of "not yet open for signature": plain, as nothing is missing.
NOT_YET_OPEN_STYLE = ("#ececec", "solid")


@dataclass(frozen=True)
class Dimension:
    """One thing every state stands somewhere on, and how it is counted."""

    code: str  # in addresses (?map=), CSV columns and the API
    label: str
    short_label: str  # the table's filter menu
    description: str  # for partners, in the API's schema (English, as the schema is)
    categories: tuple  # what figures count and legends show, in order
    category_of: Callable  # standing -> the category it is counted and drawn in
    fact_of: Callable  # standing -> the fact the category rests on (None: none recorded)
    styles: Mapping = field(default_factory=dict)  # category -> (fill colour, texture)
    status_of: Callable = None  # standing -> its own status, finer than the category (default: the category)
    statuses: tuple = ()  # every status, in order (default: the categories)
    not_yet_researched: object = None  # the category that claims nothing: nobody has looked
    parameter: str = ""  # its name in the table's ?filter and ?sort= (default: the code)
    csv_name: str = ""  # its status column in the CSV (default: the code)
    csv_extras: tuple = ()  # more CSV columns, each (name, function of a standing and a date)
    treaty: object = None  # the Treaty of a treaty's own dimension (instrument_dimension)

    def status(self, standing):
        return (self.status_of or self.category_of)(standing)

    @property
    def all_statuses(self):
        return self.statuses or self.categories

    @property
    def query_name(self):
        return self.parameter or self.code

    @property
    def csv_column(self):
        return self.csv_name or self.code

    def style(self, category):
        return self.styles.get(category, NOT_YET_RESEARCHED_STYLE)

    def rests_on_primary_record(self, standing):
        """Whether a state's category rests on a fact verified against the
        primary record ("not yet researched" claims nothing, so it needs none)."""
        if self.category_of(standing) == self.not_yet_researched:
            return True
        return Evidence.of(self.fact_of(standing)) == Evidence.PRIMARY


ROME_STATUTE = Dimension(
    code="rome_statute",
    label=_("Rome Statute status"),
    short_label=_("Rome Statute"),
    description="Its Rome Statute status on that date.",
    categories=tuple(COUNTED_TREATY_STATUSES),
    category_of=lambda standing: standing.treaty_status.counted_as,
    status_of=lambda standing: standing.treaty_status,
    statuses=tuple(TreatyStatus),
    fact_of=lambda standing: standing.treaty_status_fact,
    parameter="status",
    csv_name="rome_statute_status",
    csv_extras=(
        ("rome_statute_detail", lambda standing, as_of: standing.treaty_status_detail),
        ("entry_into_force", lambda standing, as_of: standing.treaty_record.entry_into_force or ""),
    ),
    styles={
        TreatyStatus.STATE_PARTY: ("#1f5fa6", "solid"),
        TreatyStatus.JOINED_NOT_IN_FORCE: ("#7cc3ee", "dots"),
        TreatyStatus.SIGNATORY: ("#f2b134", "hatch"),
        TreatyStatus.WITHDRAWN: ("#e0673a", "cross"),
        TreatyStatus.NON_PARTY: ("#d9d9d9", "solid"),
    },
)

POSITION = Dimension(
    code="position",
    label=_("Position on a convention"),
    short_label=_("Position"),
    description="Its position on a convention: from its latest assessed statement.",
    categories=tuple(ConventionPosition),
    category_of=lambda standing: standing.position,
    fact_of=lambda standing: standing.position_fact,
    csv_extras=(
        # Whose words the label rests on: the state's own, a report of them, or an assessment.
        ("position_whose_words", lambda standing, as_of: getattr(standing.position_fact, "whose_words", "")),
    ),
    styles={
        ConventionPosition.SUPPORTS: ("#2a9d75", "solid"),
        ConventionPosition.SUPPORTS_WITH_RESERVATIONS: ("#7cc3ee", "hatch"),
        ConventionPosition.NON_COMMITTAL: ("#f2e15b", "dots"),
        ConventionPosition.OPPOSES_OR_SCEPTICAL: ("#e0673a", "cross"),
        ConventionPosition.NO_PUBLIC_POSITION: ("#a6a6a6", "lines"),
    },
    not_yet_researched=ConventionPosition.NOT_YET_RESEARCHED,
)

SUBMISSION = Dimension(
    code="submission",
    label=_("Written comments (res. 77/249)"),
    short_label=_("Written comments"),
    description="Whether it sent written comments under UNGA resolution 77/249.",
    categories=tuple(SubmissionStatus),
    category_of=lambda standing: standing.submission,
    fact_of=lambda standing: standing.submission_fact,
    styles={
        SubmissionStatus.MADE: ("#2a9d75", "solid"),
        SubmissionStatus.NOT_MADE: ("#e0673a", "cross"),
    },
    not_yet_researched=SubmissionStatus.NOT_YET_RESEARCHED,
)

# Every dimension, by code, in the order pages offer them.
DIMENSIONS = {dimension.code: dimension for dimension in (ROME_STATUTE, POSITION, SUBMISSION)}
DECLARED_CODES = frozenset(DIMENSIONS)


def instrument_dimension(treaty):
    """The dimension of a treaty besides the Rome Statute (the Kampala
    amendments, the Ljubljana–The Hague Convention, any treaty staff add):
    a state's status under it (``Standing.instruments``), counted as the
    Rome Statute's is, and "not yet researched" until someone has looked
    (``Treaty.every_state_researched``). Built from the treaty's row: a new
    treaty needs no entry here."""
    slug = treaty.slug
    code = slug.replace("-", "_")
    if code in DECLARED_CODES:  # a treaty staff named "position" must not replace the position's layer
        code = f"treaty_{code}"
    # An amendment states join without signing (the Kampala amendments) has no signatories to count.
    researched = tuple(s for s in COUNTED_TREATY_STATUSES if treaty.has_signature_step or s != TreatyStatus.SIGNATORY)
    if not treaty.is_open:
        categories = (TreatyStatus.NOT_YET_OPEN,)  # every state, until staff record its adoption
    elif treaty.every_state_researched:
        categories = researched
    else:
        categories = (TreatyStatus.NOT_YET_RESEARCHED, *researched)
    return Dimension(
        code=code,
        label=treaty.local_name,
        short_label=treaty.local_name,
        description=f"Its status under the {treaty.short_name} on that date.",
        categories=categories,
        category_of=lambda standing: standing.instrument(slug).status.counted_as,
        status_of=lambda standing: standing.instrument(slug).status,
        statuses=tuple(TreatyStatus),
        fact_of=lambda standing: standing.instrument(slug).fact,
        styles={**ROME_STATUTE.styles, TreatyStatus.NOT_YET_OPEN: NOT_YET_OPEN_STYLE},
        not_yet_researched=TreatyStatus.NOT_YET_RESEARCHED,
        csv_name=f"{code}_status",
        treaty=treaty,
    )


def instrument_dimensions(treaties):
    """A dimension per treaty of ``treaties``, by code, in their order."""
    dimensions = [instrument_dimension(treaty) for treaty in treaties]
    return {dimension.code: dimension for dimension in dimensions}


def tracked_dimensions(standings):
    """Every dimension the standings can be shown on, by code: the declared
    ones, then one per other treaty the standings hold a record of, in the
    treaties' order. No query: the treaties come with the standings."""
    others = [record.treaty for record in standings[0].other_records] if standings else []
    return {**DIMENSIONS, **instrument_dimensions(others)}


# --- Where to push: the next step each state could take ----------------------------


@dataclass(frozen=True)
class NextStep:
    """A list of the states at one next step, read from one dimension: those
    whose category there is one of ``categories``. ``ask`` is what the step
    is, in a reader's words; the list is computed, never typed in."""

    code: str  # in addresses (#anchors), the CSV and the API
    label: str  # who is on the list
    ask: str  # the step, as the coalition would put it to a state
    dimension: Dimension
    categories: tuple
    treaty_slug: str  # the instrument whose asks (``CoalitionAsk``) go with the step

    def takes(self, standing):
        return self.dimension.category_of(standing) in self.categories


NEXT_STEPS = (
    NextStep(
        code="ratify_rome_statute",
        label=_("Signed the Rome Statute, not yet a party"),
        ask=_("Ratify the Rome Statute"),
        dimension=ROME_STATUTE,
        categories=(TreatyStatus.SIGNATORY,),
        treaty_slug="rome-statute",
    ),
    NextStep(
        code="accede_rome_statute",
        label=_("Not a party to the Rome Statute: never joined, or withdrew"),
        ask=_("Accede to the Rome Statute"),
        dimension=ROME_STATUTE,
        categories=(TreatyStatus.NON_PARTY, TreatyStatus.WITHDRAWN),
        treaty_slug="rome-statute",
    ),
    NextStep(
        code="state_a_position",
        label=_("No position on a convention on record, or a non-committal one"),
        ask=_("Support a convention at the conference"),
        dimension=POSITION,
        categories=(
            ConventionPosition.NOT_YET_RESEARCHED,
            ConventionPosition.NO_PUBLIC_POSITION,
            ConventionPosition.NON_COMMITTAL,
        ),
        treaty_slug="cah-convention",
    ),
    NextStep(
        code="written_comments",
        label=_("No written comments on the draft articles on record"),
        ask=_("Submit written comments on the draft articles"),
        dimension=SUBMISSION,
        categories=(SubmissionStatus.NOT_YET_RESEARCHED, SubmissionStatus.NOT_MADE),
        treaty_slug="cah-convention",  # written comments on the convention's draft articles
    ),
)


def instrument_next_step(dimension):
    """For a tracked treaty states sign before they ratify, once it is open:
    its signatories not yet party (the Ljubljana–The Hague Convention's)."""
    treaty = dimension.treaty
    if not (treaty and treaty.is_open and treaty.has_signature_step):
        return None
    return NextStep(
        code=f"ratify_{dimension.code}",
        label=_("Signed the %(treaty)s, not yet a party") % {"treaty": treaty.local_name},
        ask=_("Ratify the %(treaty)s") % {"treaty": treaty.local_name},
        dimension=dimension,
        categories=(TreatyStatus.SIGNATORY,),
        treaty_slug=treaty.slug,
    )


def next_steps(dimensions):
    """Every next step for ``dimensions`` (``tracked_dimensions``): the declared
    ones, then one per open treaty with a signature step."""
    treaties = (dimension for code, dimension in dimensions.items() if code not in DECLARED_CODES)
    extra = (instrument_next_step(dimension) for dimension in treaties)
    return [*NEXT_STEPS, *(step for step in extra if step)]
