"""The tracker's records: sources, states, treaties, dated treaty actions,
statements on a crimes-against-humanity convention, written submissions and
timeline events, each fact with its source and verification state, and the
QuerySets that select them.

Nothing here stores a status or a count: the rules that derive them live in
``states.rules`` (plain Python over these records), the categories in
``states.choices``, and what every fact carries (source, verification,
version, history, review) in ``states.facts``.
"""

import uuid
from collections import defaultdict
from datetime import timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, RegexValidator, URLValidator
from django.db import connections, models
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Lag, Upper
from django.http import Http404
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from states import rules, state_names
from states.choices import (
    CONSENT_TYPES,
    ChangeKind,
    ConventionPosition,
    CorrectionStatus,
    CountingRule,
    DatePrecision,
    EntryIntoForceRule,
    Origin,
    PeriodUnit,
    Publication,
    RecordKind,
    SubmissionStatus,
    Subregion,
    TimelineTopic,
    TreatyActionType,
    UNMembership,
    UNRegionalGroup,
    Verification,
    WhoseWords,
    choices_constraint,
)
from states.facts import (
    FactQuerySet,
    PartlyDated,
    ProposedHistory,
    ReviewedFact,
    SourcedFact,
    display_partial_date,
    last_day_of_period,
    origin_field,
    partial_date_starts_its_period,
)
from states.per_version import kept
from states.rules import Standing, Standings, StatementChecks, TreatyRecord

# --- Web addresses --------------------------------------------------------------

# Every address the public may follow is a web page: a "javascript:" or "data:"
# link would run in the reader's browser, and other schemes lead nowhere useful.
WEB_SCHEMES = ["http", "https"]
web_address_only = URLValidator(
    schemes=WEB_SCHEMES, message=_("Enter a web address starting with https:// or http://.")
)


def web_address_constraint(field, name, blank=False):
    """The database's side of ``web_address_only`` (a form or an import checks it first)."""
    condition = Q(**{f"{field}__startswith": "https://"}) | Q(**{f"{field}__startswith": "http://"})
    return models.CheckConstraint(
        condition=condition | Q(**{field: ""}) if blank else condition,
        name=name,
        violation_error_message=_("A link must be a web address (https:// or http://)."),
    )


# --- Sources ------------------------------------------------------------------


class SourceQuerySet(models.QuerySet):
    def backing_public_facts(self):
        """Sources that back something the public can see: a published fact,
        a state or a treaty. One EXISTS test per kind of record, so the cost
        grows with the sources, not with the facts times their joins."""
        published = [model.objects.published().filter(source=OuterRef("pk")) for model in REVIEWED_MODELS]
        always_public = [model.objects.filter(source=OuterRef("pk")) for model in (State, Treaty)]
        backs_something = Q()
        for facts in published + always_public:
            backs_something |= Exists(facts)
        return self.filter(backs_something)


class Source(models.Model):
    """A public, canonical address that backs a fact.

    Only canonical addresses are stored: mirrors that researchers read a page
    through are part of the research trail and never appear in the app.
    """

    url = models.URLField(_("URL"), max_length=500, unique=True, validators=[web_address_only])
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    accessed_on = models.DateField(
        _("date accessed"),
        null=True,
        blank=True,
        help_text=_("The day a researcher last read this page, if recorded."),
    )
    research_note = models.TextField(
        _("research note (staff only)"),
        blank=True,
        help_text=_("Never shown to the public: how this page was found or read, what remains to check."),
    )

    origin = origin_field()

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords(bases=[ProposedHistory])

    class Meta:
        ordering = ["title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            web_address_constraint("url", "source_url_is_a_web_address"),
            choices_constraint("origin", Origin, "source_origin_is_known"),
        ]

    def __str__(self):
        return self.title

    @property
    def full_title(self):
        """The record's whole title, as a reader would look for it (the list of changes)."""
        return _("Source: %(title)s") % {"title": self.title}


# --- States -------------------------------------------------------------------


class PublishedRecord:
    """What the standings of some states on any date are computed from, loaded
    together in five queries however many states and however long their
    history: the tracked treaties, the states' published treaty actions and
    written submissions, and of their statements only what the standings
    need, each change of position (for counts over time) and a summary of
    how well they are verified. The statements positions on a date rest on
    are one more query per date (``latest_assessed_statements``); a state's
    statements are read only where they are listed, a page at a time
    (``rules.Timeline``, ``State.statements_newest_first``)."""

    def __init__(self, states, treaties, actions, submissions, position_changes, statement_checks):
        self.states = states
        self.treaties = treaties  # every tracked treaty, in its order
        self.actions = actions  # by (state pk, treaty pk)
        self.submissions = submissions  # by state pk
        self.position_changes = position_changes  # by state pk: [(date, position)], oldest first
        self.statement_checks = statement_checks  # by state pk

    @classmethod
    def load(cls, states):
        ids = [state.pk for state in states]
        actions, submissions, position_changes = defaultdict(list), {}, defaultdict(list)
        for action in TreatyAction.objects.published().filter(state_id__in=ids).select_related("source"):
            actions[action.state_id, action.treaty_id].append(action)
        for submission in WrittenSubmission.objects.published().filter(state_id__in=ids).select_related("source"):
            submissions[submission.state_id] = submission
        statements = PositionStatement.objects.published().filter(state_id__in=ids)
        for state_id, day, position in statements.position_changes():
            position_changes[state_id].append((day, ConventionPosition(position)))
        return cls(
            states, list(Treaty.objects.all()), actions, submissions, position_changes, statements.checks_by_state()
        )

    def latest_assessed_statements(self, as_of):
        """{state pk: the statement its position on ``as_of`` rests on}, with
        sources: one query, whatever the length of the history."""
        by_id = {state.pk: state for state in self.states}
        latest = {}
        for statement in PositionStatement.objects.published().filter(state_id__in=by_id).latest_assessed(as_of):
            statement.state = by_id[statement.state_id]  # its words name the state: spare a query each
            latest[statement.state_id] = statement
        return latest

    def standings(self, treaty, as_of, latest_statements, states=None):
        """The standings on ``as_of`` of the states whose pks are ``states``
        (all by default), in that order, under ``treaty`` (by default
        the Rome Statute) and every other tracked treaty, their positions
        resting on ``latest_statements`` (``latest_assessed_statements``)."""
        if treaty is None:
            treaty = next((known for known in self.treaties if known.slug == ROME_STATUTE), None)
        else:
            treaty = next((known for known in self.treaties if known.pk == treaty.pk), treaty)
        others = [other for other in self.treaties if treaty is None or other.pk != treaty.pk]
        by_pk = {state.pk: state for state in self.states}
        return Standings(
            Standing(
                state=state,
                as_of=as_of,
                treaty_record=(TreatyRecord(treaty, self.actions[state.pk, treaty.pk]) if treaty is not None else None),
                latest_assessed_statement=latest_statements.get(state.pk),
                written_submission=self.submissions.get(state.pk),
                other_records=[TreatyRecord(other, self.actions[state.pk, other.pk]) for other in others],
                position_changes=self.position_changes[state.pk],
                statement_checks=self.statement_checks.get(state.pk, StatementChecks()),
            )
            for state in (self.states if states is None else [by_pk[pk] for pk in states if pk in by_pk])
        )


class StateQuerySet(models.QuerySet):
    def in_counting_rule(self, rule):
        """The states a figure counts under ``rule`` (see ``CountingRule.criteria``)."""
        return self.filter(**CountingRule(rule).criteria)

    def standings(self, treaty=None, as_of=None):
        """A ``Standing`` for every state here on ``as_of`` (today by default):
        where it stands on ``treaty`` (the treaty behind the figures; by
        default the Rome Statute) and on every other tracked treaty, on a convention and on a written
        submission, and how well its facts are verified. Every figure is
        computed from these. Seven queries, however many states and however
        long their history; within a
        request, none once a render of the same data version has made them
        (``states.per_version``), but one for which states a filtered
        QuerySet holds."""
        as_of = as_of or timezone.localdate()
        if self.query.is_sliced or self.query.combinator:  # not a plain selection of states: nothing to share
            record = PublishedRecord.load(list(self))
            return record.standings(treaty, as_of, record.latest_assessed_statements(as_of))
        states = None if not self.query.where else tuple(self.values_list("pk", flat=True))
        key = ("standings", get_language(), treaty.pk if treaty else None, as_of, states)

        def compute():
            record = kept.get(("record",), lambda: PublishedRecord.load(list(State.objects.select_related("source"))))
            # Shared by every language and treaty on the date.
            latest = kept.get(("latest assessed statements", as_of), lambda: record.latest_assessed_statements(as_of))
            return record.standings(treaty, as_of, latest, states)

        return kept.get(key, compute)

    def standing_of(self, iso3, treaty=None, as_of=None):
        """The standing of the state whose code is ``iso3`` (its source read
        with it), or a 404: one of every state's standings, which renders of
        the same data version share."""
        standing = next((known for known in self.standings(treaty, as_of) if known.state.iso3 == iso3), None)
        if standing is None:
            raise Http404("No state has this code.")
        return standing

    def figures(self, treaty=None, as_of=None, rule=CountingRule.ALL_TRACKED):
        """The ``Figures`` for the states here that ``rule`` counts, on ``as_of``."""
        return self.standings(treaty, as_of).figures(rule)


# A language tag as BCP 47 writes the common ones: zh, ar, zh-Hant, pt-BR.
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
RIGHT_TO_LEFT_LANGUAGES = {"ar", "fa", "he", "ps", "ur"}


@lru_cache(maxsize=1024)
def profile_path(iso3, language, script_prefix):
    """A state's public page. Pages link to every state, some several times,
    and reversing a URL costs more than the rest of such a link: it is done
    once per state, language and prefix."""
    return reverse("states:detail", args=[iso3])


class State(SourcedFact):
    """A tracked state. Its source backs its UN group and ICC grouping."""

    name = models.CharField(_("short name"), max_length=100, unique=True)
    iso2 = models.CharField(
        _("ISO 3166 alpha-2"),
        max_length=2,
        unique=True,
        validators=[MinLengthValidator(2), RegexValidator(r"^[A-Z]{2}$", _("Two capital letters."))],
    )
    iso3 = models.CharField(
        _("ISO 3166 alpha-3"),
        max_length=3,
        unique=True,
        validators=[MinLengthValidator(3), RegexValidator(r"^[A-Z]{3}$", _("Three capital letters."))],
    )
    un_regional_group = models.CharField(_("UN regional group"), max_length=8, choices=UNRegionalGroup.choices)
    subregion = models.CharField(_("M49 subregion"), max_length=3, choices=Subregion.choices)
    un_membership = models.CharField(_("UN membership"), max_length=16, choices=UNMembership.choices)
    in_icc_asia_pacific = models.BooleanField(
        _("in the ICC's Asia-Pacific count"),
        help_text=_(
            "Whether the ICC Assembly of States Parties counts this state among "
            "its Asia-Pacific States (the headline counting rule)."
        ),
    )

    objects = StateQuerySet.as_manager()

    def statements_newest_first(self):
        """Its published statements, newest first, with their sources."""
        return self.position_statements.published().select_related("source").order_by("-date", "-pk")

    def statements_on_or_after(self, days):
        """{day: how many of its published statements were made on or after it}, in one query."""
        days = sorted(days)
        if not days:
            return {}
        counts = self.position_statements.published().aggregate(
            **{f"from_{number}": Count("pk", filter=Q(date__gte=day)) for number, day in enumerate(days)}
        )
        return {day: counts[f"from_{number}"] for number, day in enumerate(days)}

    class Meta:
        ordering = ["name"]
        verbose_name = _("state")
        verbose_name_plural = _("states")
        # A state's own fields are public as soon as they are saved.
        permissions = [("publish_state", _("Can change a state's own fields, which are public at once"))]
        constraints = [
            *SourcedFact.Meta.constraints,
            choices_constraint("un_regional_group", UNRegionalGroup, "state_un_regional_group_is_known"),
            choices_constraint("subregion", Subregion, "state_subregion_is_known"),
            choices_constraint("un_membership", UNMembership, "state_un_membership_is_known"),
            models.CheckConstraint(
                condition=Q(iso2=Upper("iso2"), iso3=Upper("iso3")),
                name="state_iso_codes_are_capitals",
                violation_error_message=_("ISO codes are written in capital letters."),
            ),
        ]

    def __str__(self):
        return self.local_name

    @property
    def full_title(self):
        return _("%(state)s: groups and codes") % {"state": self.name}

    @property
    def local_name(self):
        """The name in the language of the page being read (states/state_names.py)."""
        return state_names.local_name(self.iso3, self.name, get_language())

    def get_absolute_url(self):
        return profile_path(self.iso3, get_language(), get_script_prefix())


# --- Treaties -----------------------------------------------------------------


# The slug of the treaty behind the headline figure.
ROME_STATUTE = "rome-statute"

# The names, titles and outlooks of the treaties the seed tracks, for the catalogues: a
# treaty's name is data, shown in the reader's language where one is known
# (``Treaty.local_name``), as staff wrote it otherwise.
TREATY_NAMES = [
    gettext_noop("Rome Statute"),
    gettext_noop("Kampala amendments"),
    gettext_noop("Ljubljana–The Hague Convention"),
    gettext_noop("Crimes against humanity convention"),
    # Treaty.title
    gettext_noop("Amendments on the crime of aggression to the Rome Statute of the International Criminal Court"),
    gettext_noop(
        "Ljubljana–The Hague Convention on International Cooperation in the Investigation and Prosecution of the "
        "Crime of Genocide, Crimes against Humanity, War Crimes and Other International Crimes"
    ),
    gettext_noop(
        "A convention on the prevention and punishment of crimes against humanity, to be negotiated from the "
        "International Law Commission's 2019 draft articles"
    ),
    # Treaty.outlook
    gettext_noop("conference 2028–2029"),
]


class TreatyQuerySet(models.QuerySet):
    def rome_statute(self):
        """The treaty behind the headline figures, or None before the seed data
        is loaded. Read once per data version by a request's pages (``states.per_version``)."""
        if self.query.where:
            return self.filter(slug=ROME_STATUTE).first()
        return kept.get(("rome statute",), lambda: self.filter(slug=ROME_STATUTE).first())

    def besides_rome_statute(self):
        """The other tracked treaties (the amendments, the conventions), in their order."""
        return self.exclude(slug=ROME_STATUTE)

    def rome_statute_or_404(self):
        """The same for the pages and the API that need it: a 404 (in JSON
        for the API) until the seed data is loaded."""
        treaty = self.rome_statute()
        if treaty is None:
            raise Http404("The Rome Statute is not in the database yet (run manage.py load_seed).")
        return treaty


class Treaty(SourcedFact):
    """A treaty the coalition follows, with the rules that date its effect for
    each state, as data: how its text dates entry into force (and the article
    that says so), whether it has a signature step, and whose parties alone
    may join it (an amendment). Rules a treaty has not yet fixed (a convention
    still being negotiated), or that nobody has read yet, stay empty, and the
    app then never claims it is in force for a state."""

    slug = models.SlugField(_("short code"), unique=True)
    short_name = models.CharField(_("short name"), max_length=100, unique=True)
    title = models.CharField(_("full title"), max_length=300)
    adopted_on = models.DateField(
        _("adopted"),
        null=True,
        blank=True,
        help_text=_(
            "Empty while the treaty is still being negotiated: it is then not yet open for signature, and no "
            "state's action can be recorded under it until this date is."
        ),
    )
    outlook = models.CharField(
        _("what comes next"),
        max_length=200,
        blank=True,
        help_text=_(
            'For a treaty not yet adopted: what comes next, as the site says it after "Not yet open for '
            'signature" (for example: conference 2028–2029).'
        ),
    )
    entered_into_force_on = models.DateField(
        _("entered into force"),
        null=True,
        blank=True,
        help_text=_("The day the treaty itself entered into force; empty while it is not in force."),
    )
    entry_into_force_period = models.PositiveSmallIntegerField(
        _("entry into force after"),
        null=True,
        blank=True,
        help_text=_(
            "For a state that joins: the treaty takes effect on the first day of the "
            "month after this period following its deposit (Rome Statute art. 126(2): 60 days)."
        ),
    )
    entry_into_force_period_unit = models.CharField(_("unit"), max_length=8, choices=PeriodUnit.choices, blank=True)
    entry_into_force_rule = models.CharField(
        _("entry into force rule"),
        max_length=24,
        choices=EntryIntoForceRule.choices,
        blank=True,
        help_text=_("How the treaty's text dates entry into force for a state; empty while nobody has read it."),
    )
    entry_into_force_article = models.CharField(
        _("entry into force: article"),
        max_length=40,
        blank=True,
        help_text=_("The article that states the rule, as the site cites it (for example art. 126(2))."),
    )
    every_state_researched = models.BooleanField(
        _("every state researched"),
        default=False,
        help_text=_(
            "Tick once every tracked state's actions under this treaty are recorded: a state with none is then a "
            "non-party. Until then a state with no record is 'not yet researched' (record 'Checked: no action by "
            "this state' for one that was checked)."
        ),
    )
    has_signature_step = models.BooleanField(
        _("has a signature step"),
        default=True,
        help_text=_(
            "Untick for an instrument states join without signing first "
            "(the Kampala amendments: ratification or acceptance only)."
        ),
    )
    open_only_to_parties_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("open only to the parties of"),
        help_text=_("A state may ratify or accept it only while a State Party to this treaty (amendments)."),
    )
    withdrawal_period_months = models.PositiveSmallIntegerField(
        _("withdrawal takes effect after (months)"),
        null=True,
        blank=True,
        help_text=_(
            "A withdrawal takes effect this many months after notification unless the "
            "notification gives a later date (Rome Statute art. 127: 12 months)."
        ),
    )
    withdrawal_article = models.CharField(
        _("withdrawal: article"),
        max_length=40,
        blank=True,
        help_text=_("The article that dates a withdrawal, as the site cites it (for example art. 127)."),
    )
    depositary_record_url = models.URLField(
        _("depositary record"),
        max_length=500,
        blank=True,
        validators=[web_address_only],
        help_text=_("The depositary's status page, where every action can be verified."),
    )

    objects = TreatyQuerySet.as_manager()

    class Meta:
        # A treaty not yet adopted last, on SQLite as on PostgreSQL.
        ordering = [F("adopted_on").asc(nulls_last=True), "short_name"]
        verbose_name = _("treaty")
        verbose_name_plural = _("treaties")
        constraints = [
            *SourcedFact.Meta.constraints,
            models.CheckConstraint(
                condition=(
                    Q(entry_into_force_period__isnull=True, entry_into_force_period_unit="")
                    | Q(
                        entry_into_force_period__isnull=False,
                        entry_into_force_period_unit__in=PeriodUnit.values,
                    )
                ),
                name="treaty_entry_into_force_period_has_a_unit",
                violation_error_message=_("Give the entry-into-force period with its unit, or neither."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(entry_into_force_period__isnull=True, entry_into_force_rule="")
                    | Q(entry_into_force_period__isnull=False, entry_into_force_rule__in=EntryIntoForceRule.values)
                ),
                name="treaty_entry_into_force_period_has_a_rule",
                violation_error_message=_(
                    "Give the entry-into-force period with the rule that applies it, or neither."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(open_only_to_parties_of=F("pk")),
                name="treaty_is_not_open_only_to_its_own_parties",
                violation_error_message=_("A treaty cannot be open only to its own parties."),
            ),
            web_address_constraint("depositary_record_url", "treaty_depositary_record_is_a_web_address", blank=True),
        ]

    def __str__(self):
        return self.short_name

    @property
    def full_title(self):
        return _("%(treaty)s: the treaty and its rules") % {"treaty": self.short_name}

    @property
    def local_name(self):
        """The short name in the reader's language, where the catalogues know it (``TREATY_NAMES``)."""
        return gettext(self.short_name)

    @property
    def local_title(self):
        return gettext(self.title)

    @property
    def local_outlook(self):
        return gettext(self.outlook) if self.outlook else ""

    @property
    def is_open(self):
        """Whether states can sign or join it: once it is adopted."""
        return self.adopted_on is not None


class TreatyAction(ReviewedFact):
    """A dated act of one state under one treaty, as the depositary records it.

    When an act takes effect is not stored: it follows from the treaty's rules
    (``takes_effect_on``). A withdrawal is recorded once, on the day it was
    notified; the day it took effect is derived (art. 127).
    """

    # Its table in the public data package (file name, title), which partners read by name.
    in_data_package = ("treaty_actions", "Treaty actions")

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="treaty_actions", verbose_name=_("state"))
    treaty = models.ForeignKey(Treaty, on_delete=models.PROTECT, related_name="actions", verbose_name=_("treaty"))
    action_type = models.CharField(_("action"), max_length=24, choices=TreatyActionType.choices)
    date = models.DateField(_("date"), help_text=_("The day the instrument or notification was deposited (or signed)."))
    later_effective_date = models.DateField(
        _("later date given in the notification"),
        null=True,
        blank=True,
        help_text=_("Only for a withdrawal whose notification names a date later than one year."),
    )
    depositary_notification = models.CharField(
        _("depositary notification"),
        max_length=60,
        blank=True,
        help_text=_("For example C.N.185.2019.TREATIES-XVIII.10"),
    )

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("treaty action")
        verbose_name_plural = _("treaty actions")
        permissions = [("publish_treatyaction", _("Can publish treaty actions"))]
        constraints = [
            *ReviewedFact.Meta.constraints,
            choices_constraint("action_type", TreatyActionType, "treaty_action_type_is_known"),
            models.UniqueConstraint(
                fields=["state", "treaty", "action_type"],
                condition=Q(publication=Publication.PUBLISHED),
                name="one_action_of_each_type_per_state_and_treaty",
                violation_error_message=_("This state already has an action of this type under this treaty."),
            ),
            models.UniqueConstraint(
                fields=["state", "treaty"],
                condition=Q(action_type__in=CONSENT_TYPES, publication=Publication.PUBLISHED),
                name="one_consent_instrument_per_state_and_treaty",
                violation_error_message=_(
                    "This state already has an instrument of ratification, accession, acceptance "
                    "or approval for this treaty; a state deposits only one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(later_effective_date__isnull=True)
                | Q(action_type=TreatyActionType.WITHDRAWAL, later_effective_date__gt=F("date")),
                name="later_effective_date_only_on_withdrawal_and_after_it",
                violation_error_message=_(
                    "A later effective date belongs only to a withdrawal, and must come after its notification."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.state} – {self.treaty}: {self.get_action_type_display()} ({self.date})"

    @property
    def full_title(self):
        return _("%(state)s: %(treaty)s, %(action)s (%(date)s)") % {
            "state": self.state.name,
            "treaty": self.treaty.short_name,
            "action": self.get_action_type_display(),
            "date": date_format(self.date, "j F Y"),
        }

    @property
    def is_consent(self):
        return self.action_type in CONSENT_TYPES

    @property
    def takes_effect_on(self):
        """The day this act takes effect, under the treaty's rules (see ``rules.takes_effect_on``)."""
        return rules.takes_effect_on(self)

    def clean(self):
        super().clean()
        if (
            self.action_type == TreatyActionType.WITHDRAWAL
            and self.later_effective_date
            and self.date
            and self.treaty_id
        ):
            minimum = rules.withdrawal_effective_on(self.treaty, self.date)
            if minimum and self.later_effective_date < minimum:
                raise ValidationError(
                    {
                        "later_effective_date": _(
                            "A withdrawal takes effect %(months)s months after notification at the "
                            "earliest (%(date)s); leave this empty unless the notification names a later date."
                        )
                        % {"months": self.treaty.withdrawal_period_months, "date": minimum.isoformat()}
                    }
                )

    def clean_across_rows(self):
        """Check this action against the state's published actions under the
        same treaty (for a draft, less the fact it would replace): no second
        instrument, no ratification before signature (where the treaty has a
        signature step), no withdrawal by a state that was not a party, no
        ratification of an amendment by a state not then a party to its
        statute, and so on (``TreatyRecord.check_can_add``)."""
        if not (self.state_id and self.treaty_id and self.date and self.action_type):
            return
        mine = TreatyAction.objects.published().filter(state_id=self.state_id)
        others = mine.filter(treaty_id=self.treaty_id).exclude(pk__in=[pk for pk in (self.pk, self.draft_of_id) if pk])
        prerequisite = None
        if self.treaty.open_only_to_parties_of_id:
            parent = self.treaty.open_only_to_parties_of
            prerequisite = TreatyRecord(parent, list(mine.filter(treaty=parent)))
        TreatyRecord(self.treaty, list(others), prerequisite).check_can_add(self)


# --- Crimes-against-humanity convention ---------------------------------------


class PositionStatementQuerySet(FactQuerySet):
    def assessed(self):
        """Statements whose content someone has read a position into."""
        return self.exclude(position=ConventionPosition.NOT_YET_RESEARCHED)

    def latest_assessed(self, as_of):
        """The position rule: the statement each state's position on ``as_of``
        rests on is its latest one made by then whose content has been
        assessed (one recorded as "not yet researched" leaves the position as
        it was; a state with none has not been researched). One row per state
        that has one, with its source, however long the history."""
        made = self.assessed().filter(date__lte=as_of)
        if connections[self.db].vendor == "postgresql":
            # Picked by their keys alone (the index statement_latest_first), then read whole.
            latest = made.order_by("state_id", "-date", "-pk").distinct("state_id").values("pk")
        else:
            # SQLite has no DISTINCT ON: keep the row that the same order puts first for its state.
            first = made.filter(state=OuterRef("state")).order_by("-date", "-pk").values("pk")[:1]
            latest = made.filter(pk=Subquery(first)).values("pk")
        return self.model.objects.using(self.db).filter(pk__in=latest).order_by("state_id").select_related("source")

    def position_changes(self):
        """(state pk, date, position) of each assessed statement that changed
        its state's position, by state and oldest first: all that counting
        positions on past dates needs, however often a position is restated."""
        before = Window(
            Lag("position", default=Value("")), partition_by=[F("state_id")], order_by=[F("date").asc(), F("pk").asc()]
        )
        changes = self.assessed().annotate(before=before).exclude(before=F("position"))
        return changes.order_by("state_id", "date", "pk").values_list("state_id", "date", "position")

    def checks_by_state(self):
        """{state pk: ``StatementChecks``}: how well each state's statements are
        verified, summed up in the database, not read row by row."""
        rows = (
            self.order_by()
            .values("state_id")
            .annotate(
                count=Count("pk"),
                unverified=Count("pk", filter=Q(verification=Verification.UNVERIFIED)),
                secondary=Count("pk", filter=Q(verification=Verification.SECONDARY)),
                unchecked=Count("pk", filter=Q(last_verified_on=None)),
                oldest_check=Min("last_verified_on"),
            )
        )
        return {row.pop("state_id"): StatementChecks(**row) for row in rows}


class PositionStatement(PartlyDated, ReviewedFact):
    """A dated statement that shows where a state stands on a convention on
    crimes against humanity (the ILC's 2019 draft articles)."""

    # Its table in the public data package (file name, title), which partners read by name.
    in_data_package = ("statements", "Statements on a convention")

    objects = PositionStatementQuerySet.as_manager()

    state = models.ForeignKey(
        State, on_delete=models.CASCADE, related_name="position_statements", verbose_name=_("state")
    )
    forum = models.CharField(_("forum or meeting"), max_length=200)
    summary = models.TextField(_("summary"))
    quote = models.CharField(_("short quote"), max_length=600, blank=True)
    quote_language = models.CharField(
        _("language of the quote"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(LANGUAGE_TAG, _("Give a language code such as zh or ar."))],
        help_text=_("The quote is kept as said: give its language code (zh, ar, …) unless it is English."),
    )
    position = models.CharField(
        _("position shown"),
        max_length=32,
        choices=ConventionPosition.choices,
        help_text=_("Choose 'Not yet researched' if the statement's content has not been assessed."),
    )
    whose_words = models.CharField(
        _("whose words"),
        max_length=24,
        choices=WhoseWords.choices,
        # For records made in code; the admin's form asks, with nothing chosen (states.admin).
        default=WhoseWords.REPORTED,
        help_text=_(
            "The state's own words: its mission's or government's text, or a UN record quoting it. A report: a "
            "news agency's or an NGO's account. An assessment: someone's reading of its position (the coalition's "
            "own, or another analyst's)."
        ),
    )

    class Meta:
        ordering = ["state", "date", "pk"]
        indexes = [
            # Each state's published statements newest first: where a position
            # rests (latest_assessed) and its changes, however long the history.
            models.Index(
                fields=["state", "-date", "-id"],
                condition=Q(publication=Publication.PUBLISHED),
                name="statement_latest_first",
            ),
        ]
        verbose_name = _("position statement")
        verbose_name_plural = _("position statements")
        permissions = [("publish_positionstatement", _("Can publish position statements"))]
        constraints = [
            *ReviewedFact.Meta.constraints,
            *PartlyDated.Meta.constraints,
            choices_constraint("position", ConventionPosition, "position_statement_position_is_known"),
            choices_constraint("whose_words", WhoseWords, "position_statement_whose_words_is_known"),
            models.CheckConstraint(
                condition=Q(quote_language="") | Q(quote_language__regex=LANGUAGE_TAG),
                name="position_statement_quote_language_is_a_code",
                violation_error_message=_("Give a language code such as zh or ar."),
            ),
            models.UniqueConstraint(
                fields=["state", "source", "date"],
                condition=Q(publication=Publication.PUBLISHED),
                name="one_statement_per_state_source_and_date",
                violation_error_message=_("This statement is already recorded (same state, source and date)."),
            ),
        ]

    def __str__(self):
        return f"{self.state}, {self.display_date}: {self.get_position_display()}"

    @property
    def full_title(self):
        return _("%(state)s: statement of %(date)s, %(forum)s") % {
            "state": self.state.name,
            "date": self.display_date,
            "forum": self.forum,
        }

    @property
    def whose_words_in_a_sentence(self):
        """Whose words its position label rests on, as a reader is told it."""
        state = self.state.local_name
        return {
            WhoseWords.OWN_WORDS: gettext("Rests on %(state)s's own words."),
            WhoseWords.REPORTED: gettext("Rests on a report of what %(state)s said, not on its own text."),
            WhoseWords.ASSESSMENT: gettext("An analyst's assessment, not a statement by %(state)s."),
            WhoseWords.COALITION_ASSESSMENT: gettext("The coalition's own assessment, not a statement by %(state)s."),
        }[self.whose_words] % {"state": state}

    @property
    def quote_lang(self):
        return self.quote_language or "en"

    @property
    def quote_direction(self):
        return "rtl" if self.quote_lang.split("-")[0] in RIGHT_TO_LEFT_LANGUAGES else "ltr"

    @property
    def is_assessed(self):
        """Whether someone has read a position into what the state said."""
        return self.position != ConventionPosition.NOT_YET_RESEARCHED


class WrittenSubmission(ReviewedFact):
    """What is known of a state's written comments on the draft articles, which
    UNGA resolution 77/249 invited by the end of 2023. No row means nobody has
    researched it yet, which is never shown as "no submission"."""

    # Its table in the public data package (file name, title), which partners read by name.
    in_data_package = ("submissions", "Written comments (UNGA res. 77/249)")

    state = models.ForeignKey(
        State, on_delete=models.CASCADE, related_name="written_submissions", verbose_name=_("state")
    )
    status = models.CharField(
        _("finding"),
        max_length=16,
        choices=[
            (SubmissionStatus.MADE, SubmissionStatus.MADE.label),
            (SubmissionStatus.NOT_MADE, SubmissionStatus.NOT_MADE.label),
        ],
    )
    submitted_on = models.DateField(_("submitted"), null=True, blank=True)
    submitted_on_precision = models.CharField(
        _("date known to the"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_(
            'If the source gives only the month or the year ("at the end of 2023"), enter the 1st of the month '
            "or 1 January and choose 'Month' or 'Year'."
        ),
    )
    document_symbol = models.CharField(
        _("document symbol"), max_length=60, blank=True, help_text=_("For example A/78/717/Add.1")
    )
    document_url = models.URLField(_("document link"), max_length=500, blank=True, validators=[web_address_only])

    class Meta:
        ordering = ["state"]
        verbose_name = _("written submission")
        verbose_name_plural = _("written submissions")
        permissions = [("publish_writtensubmission", _("Can publish written submissions"))]
        constraints = [
            *ReviewedFact.Meta.constraints,
            web_address_constraint("document_url", "writtensubmission_document_is_a_web_address", blank=True),
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(publication=Publication.PUBLISHED),
                name="one_written_submission_finding_per_state",
                violation_error_message=_("This state already has a finding on its written submission."),
            ),
            choices_constraint("submitted_on_precision", DatePrecision, "written_submission_date_precision_is_known"),
            partial_date_starts_its_period(
                "submitted_on", "submitted_on_precision", "written_submission_partial_date_starts_its_period"
            ),
            models.CheckConstraint(
                condition=Q(status=SubmissionStatus.MADE, submitted_on__isnull=False)
                | Q(status=SubmissionStatus.NOT_MADE, submitted_on__isnull=True, document_symbol=""),
                name="written_submission_date_matches_finding",
                violation_error_message=_(
                    "A submission that was made needs its date; a finding of no submission has no date or symbol."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.state}: {self.get_status_display()}"

    @property
    def full_title(self):
        return _("%(state)s: written comments on the draft articles") % {"state": self.state.name}

    def get_constraints(self):
        # Django checks a constraint by evaluating it in SQL on this record's
        # values, and PostgreSQL cannot take the day of an untyped NULL (the
        # error would end the transaction, and every later check would pass
        # unseen): without a date, the partial-date check holds and is left out.
        constraints = super().get_constraints()
        if self.submitted_on is None:
            partial = "written_submission_partial_date_starts_its_period"
            return [(model, [c for c in found if c.name != partial]) for model, found in constraints]
        return constraints

    @property
    def display_submitted_on(self):
        return display_partial_date(self.submitted_on, self.submitted_on_precision) if self.submitted_on else ""

    @property
    def made_by(self):
        """The day by which the comments were certainly submitted: the last day
        of the month or year a source gives, never a day it does not."""
        return last_day_of_period(self.submitted_on, self.submitted_on_precision)

    def status_on(self, as_of):
        if self.status == SubmissionStatus.MADE:
            if self.made_by <= as_of:
                return SubmissionStatus.MADE
            if self.submitted_on <= as_of:  # within the month or year the source gives: not known
                return SubmissionStatus.NOT_YET_RESEARCHED
        return SubmissionStatus.NOT_MADE


class TimelineEvent(PartlyDated, ReviewedFact):
    """A milestone of a treaty process that is not one state's act: the Rome
    Statute's adoption, a UN resolution, a session, a deadline. A state's own
    acts are TreatyActions and PositionStatements, and are never copied here."""

    # Its table in the public data package (file name, title), which partners read by name.
    in_data_package = ("timeline_events", "Timeline events")

    topic = models.CharField(_("topic"), max_length=16, choices=TimelineTopic.choices)
    event = models.TextField(_("event"))
    document_symbol = models.CharField(_("document symbol"), max_length=120, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        permissions = [("publish_timelineevent", _("Can publish timeline events"))]
        constraints = [
            *ReviewedFact.Meta.constraints,
            *PartlyDated.Meta.constraints,
            choices_constraint("topic", TimelineTopic, "timeline_event_topic_is_known"),
            models.UniqueConstraint(
                fields=["date", "event"],
                condition=Q(publication=Publication.PUBLISHED),
                name="one_timeline_event_per_date_and_text",
                violation_error_message=_("This event is already on the timeline."),
            ),
        ]

    def __str__(self):
        return f"{self.display_date}: {self.event}"

    @property
    def full_title(self):
        return _("%(topic)s timeline, %(date)s: %(event)s") % {
            "topic": self.get_topic_display(),
            "date": self.display_date,
            "event": self.event,
        }


class CoalitionAskQuerySet(FactQuerySet):
    def in_force_on(self, as_of):
        """The published asks made by ``as_of``, with their treaties, in the treaties' order."""
        return (
            self.published()
            .filter(asked_on__lte=as_of)
            .select_related("treaty", "source")
            .order_by(F("treaty__adopted_on").asc(nulls_last=True), "treaty__short_name")
        )

    def by_state_and_treaty(self, as_of):
        """The asks made by ``as_of``, as {(state pk, treaty slug): ask}: one query at most."""
        return {(pk, ask.treaty.slug): ask for pk, asks in self.of_each_state(as_of).items() for ask in asks}

    def of_each_state(self, as_of):
        """The published asks made by ``as_of``, as {state pk: its asks in the
        treaties' order}: one query, none in a request once a render of the
        same data version has made it (``states.per_version``)."""

        def by_state():
            asks = defaultdict(list)
            for ask in self.in_force_on(as_of):
                asks[ask.state_id].append(ask)
            return dict(asks)

        return by_state() if self.query.where else kept.get(("asks", as_of), by_state)


class CoalitionAsk(ReviewedFact):
    """What the coalition asks of one state under one instrument ("accede to
    the Rome Statute", "submit written comments"), dated, in staff's words,
    reviewed and published like every fact. Its source is the coalition's own
    document that makes the ask. Never counted in a figure: the figures read
    the state's own records."""

    # Its table in the public data package (file name, title), which partners read by name.
    in_data_package = ("asks", "The coalition's asks")

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="asks", verbose_name=_("state"))
    treaty = models.ForeignKey(
        "states.Treaty",
        on_delete=models.PROTECT,
        related_name="asks",
        verbose_name=_("instrument"),
        help_text=_("Written comments on the draft articles belong to the crimes against humanity convention."),
    )
    ask = models.CharField(
        _("the ask"),
        max_length=200,
        help_text=_("Short and plain, as a reader would quote it: “Accede to the Rome Statute”."),
    )
    asked_on = models.DateField(_("asked on"), help_text=_("When the coalition made this ask, or last confirmed it."))

    objects = CoalitionAskQuerySet.as_manager()

    class Meta:
        ordering = ["state", "treaty"]
        verbose_name = _("coalition ask")
        verbose_name_plural = _("coalition asks")
        permissions = [("publish_coalitionask", _("Can publish coalition asks"))]
        constraints = [
            *ReviewedFact.Meta.constraints,
            models.UniqueConstraint(
                fields=["state", "treaty"],
                condition=Q(publication=Publication.PUBLISHED),
                name="one_published_ask_per_state_and_instrument",
                violation_error_message=_("This state already has an ask under this instrument: change that one."),
            ),
            models.CheckConstraint(
                condition=~Q(ask=""), name="coalition_ask_says_something", violation_error_message=_("Write the ask.")
            ),
        ]

    def __str__(self):
        return f"{self.state}: {self.ask}"

    @property
    def full_title(self):
        return _("%(state)s: the coalition's ask under the %(treaty)s") % {
            "state": self.state.name,
            "treaty": self.treaty.short_name,
        }


# --- The public record of changes -------------------------------------------------


class PublishedChange(models.Model):
    """One change to what the public sees, written when it happens (see
    ``states.changelog``): what kind of record, what changed in words, and the
    reason staff gave. Never who made it; drafts and research notes never
    appear."""

    made_at = models.DateTimeField(_("when"), db_index=True)
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    record_kind = models.CharField(_("kind of record"), max_length=24, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField(_("record"), null=True, blank=True)
    state = models.ForeignKey(
        State,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="published_changes",
        verbose_name=_("state"),
    )
    title = models.TextField(_("record"))
    what_changed = models.TextField(_("what changed"), blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("published change")
        verbose_name_plural = _("published changes")
        constraints = [
            choices_constraint("kind", ChangeKind, "published_change_kind_is_known"),
            choices_constraint("record_kind", RecordKind, "published_change_record_kind_is_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        """Where the public sees the record now (None if nowhere, as after its removal)."""
        if self.kind == ChangeKind.REMOVED:
            return None
        if self.state_id:
            return reverse("states:detail", args=[self.state.iso3])
        if self.record_kind == RecordKind.TIMELINE_EVENT:
            return reverse("states:convention")
        if self.record_kind in (RecordKind.TREATY, RecordKind.SOURCE):
            return reverse("states:about")
        return None

    @property
    def headline(self):
        """The change as a feed entry's title: its kind, then its record (a
        data load's title says its kind already: "Initial data: 222 records")."""
        if self.record_kind == RecordKind.DATA_LOAD:
            return self.title
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def what_changed_in_words(self):
        """What changed, always in words: the fields a change touched, or what
        an addition or a removal did to the public record."""
        if self.what_changed:
            return self.what_changed
        return {
            ChangeKind.INITIAL_DATA: gettext("The first records of the coalition's research, now public."),
            ChangeKind.ADDED: gettext("A new record, now public."),
            ChangeKind.PUBLISHED: gettext("A record reviewed and published."),
            ChangeKind.CHANGED: gettext("The record was corrected."),
            ChangeKind.REMOVED: gettext("The record was taken off the public site."),
        }[self.kind]


# --- The seed data's ledger ----------------------------------------------------------


class SeedRow(models.Model):
    """One row of the seed files (seed/*.csv) that ``manage.py load_seed``
    has loaded: its stable key (the file's ``key`` column), the record it
    became, and the row's values as last loaded. Kept when staff delete or
    re-key the record, so that the loader never brings back what staff
    removed, and tells a correction in the file (the values differ) from a
    row it has never seen (no entry). See ``states.seed``."""

    key = models.CharField(_("seed key"), max_length=120, unique=True)
    record_kind = models.CharField(_("kind of record"), max_length=24, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField(_("record"))
    loaded_values = models.JSONField(_("values as last loaded"))
    loaded_at = models.DateTimeField(_("last loaded"))

    class Meta:
        ordering = ["key"]
        verbose_name = _("seed row")
        verbose_name_plural = _("seed rows")
        constraints = [
            choices_constraint("record_kind", RecordKind, "seed_row_record_kind_is_known"),
        ]

    def __str__(self):
        return self.key


# --- Which copy of the data this is ---------------------------------------------------


def new_epoch():
    return uuid.uuid4().hex[:8]


class DataEpoch(models.Model):
    """One row: which copy of the record this database holds. ``restore``
    gives it a new token, so the data's version (states.page_cache), and with
    it every cached page and every ETag a browser or proxy holds, changes with
    a restore even where the restored change list looks like the old one."""

    token = models.CharField(_("token"), max_length=16, default=new_epoch)
    begun_at = models.DateTimeField(_("begun"), default=timezone.now)

    class Meta:
        verbose_name = _("data epoch")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="data_epoch_is_a_single_row")]

    def __str__(self):
        return self.token

    @classmethod
    def begin_anew(cls):
        """After a restore: every version from before it is out of date."""
        cls.objects.update_or_create(pk=1, defaults={"token": new_epoch(), "begun_at": timezone.now()})


# --- Corrections from readers ------------------------------------------------------


class CorrectionReportQuerySet(models.QuerySet):
    def sent_in_the_past_hour(self):
        return self.filter(submitted_at__gte=timezone.now() - timedelta(hours=1))


class CorrectionReport(models.Model):
    """A reader's report that a fact is wrong, sent from the public form. Staff
    see it in the research queue and answer with a status and a reply note."""

    state = models.ForeignKey(
        State,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_reports",
        verbose_name=_("state"),
    )
    fact = models.CharField(_("which fact"), max_length=300, blank=True)
    what_is_wrong = models.TextField(_("what is wrong, and what is right"), max_length=2000)
    source_url = models.URLField(_("source that shows it"), max_length=500, validators=[web_address_only])
    email = models.EmailField(_("reader's email (optional)"), blank=True)
    submitted_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.NEW
    )
    reply_note = models.TextField(
        _("reply note"), blank=True, help_text=_("What staff found and did; sent to the reader if they left an email.")
    )

    objects = CorrectionReportQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("correction from a reader")
        verbose_name_plural = _("corrections from readers")
        constraints = [
            choices_constraint("status", CorrectionStatus, "correction_report_status_is_known"),
            models.CheckConstraint(
                condition=Q(source_url__startswith="https://") | Q(source_url__startswith="http://"),
                name="correction_report_source_is_a_web_address",
                violation_error_message=_("The source must be a web address (http:// or https://)."),
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.state or _('no state')} – {self.fact or _('no fact named')}"

    @property
    def reference(self):
        """The number the reader is given to quote."""
        return f"C-{self.pk:05d}" if self.pk else ""


# Every kind of fact reviewed before the public sees it, in the order the site
# lists them: the ReviewedFact models. A new kind joins the staff roles, the
# research queue, the data package and the sources' check by being one.
REVIEWED_MODELS = tuple(model for model in ReviewedFact.__subclasses__() if not model._meta.abstract)
