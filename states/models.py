"""The tracker's records: states, treaties, dated treaty actions, statements on a
crimes-against-humanity convention and written submissions, each fact with its
source and verification state.

Nothing here stores a status or a count. A state's status under a treaty on any
date is derived from its dated actions (see ``TreatyRecord``), and every figure
is a QuerySet method over these rows (see ``StateQuerySet``).
"""

from collections import Counter, defaultdict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def choices_constraint(field, choices, name):
    """A CheckConstraint that keeps ``field`` to the values of a TextChoices.

    Django validates choices in forms only; this makes an unknown value fail in
    the database too, whoever writes it.
    """
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=name,
        violation_error_message=_("Unknown %(field)s. Choose one of: %(values)s.")
        % {"field": field.replace("_", " "), "values": ", ".join(choices.values)},
    )


class Verification(models.TextChoices):
    PRIMARY = "primary", _("Verified against the primary record")
    SECONDARY = "secondary", _("Secondary source only")
    UNVERIFIED = "unverified", _("Unverified")


class DatePrecision(models.TextChoices):
    """How much of a date a source gives. A month-only date is stored as the
    first of that month and shown as "April 2023", never as a made-up day."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Source(models.Model):
    """A public, canonical address that backs a fact.

    Only canonical addresses are stored: mirrors that researchers read a page
    through are part of the research trail and never appear in the app.
    """

    url = models.URLField(_("URL"), max_length=500, unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    accessed_on = models.DateField(
        _("date accessed"),
        null=True,
        blank=True,
        help_text=_("The day a researcher last read this page, if recorded."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="source_url_is_a_web_address",
                violation_error_message=_("A source must be a web address (http:// or https://)."),
            ),
        ]

    def __str__(self):
        return self.title


class Publication(models.TextChoices):
    DRAFT = "draft", _("Draft (not public)")
    PUBLISHED = "published", _("Published")


class SourcedFact(models.Model):
    """Fields that every fact carries: its source, how far it has been checked
    and by whom, a version number that refuses a save based on a stale copy,
    and its full change history (who, when, why)."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("source"),
        error_messages={"null": _("Every fact needs its source: choose one, or add the source first.")},
    )
    verification = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    last_verified_on = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("The day a staff member last checked this fact against its source."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        constraints = [
            choices_constraint("verification", Verification, "%(class)s_verification_is_known"),
            models.CheckConstraint(
                condition=~Q(verification=Verification.UNVERIFIED, last_verified_on__isnull=False),
                name="%(class)s_unverified_fact_has_no_verified_date",
                violation_error_message=_(
                    "An unverified fact cannot have a last-verified date: "
                    "choose how it was verified, or clear the date."
                ),
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            # Count from the stored version, not this copy's: a reverted copy
            # carries an old number.
            stored = type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first()
            self.version = (stored or 0) + 1
        super().save(*args, **kwargs)

    @property
    def stored_version(self):
        """The version now in the database (None for a new fact)."""
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first()

    def mark_verified(self, user, on=None):
        """Stamp this fact as checked against the primary record, by ``user``."""
        self.verification = Verification.PRIMARY
        self.last_verified_on = on or today()
        self.verified_by = user


class FactQuerySet(models.QuerySet):
    def published(self):
        """What the public may see. Every public page and export reads through this."""
        return self.filter(publication=Publication.PUBLISHED)

    def drafts(self):
        return self.filter(publication=Publication.DRAFT)


class ReviewedFact(SourcedFact):
    """A fact that goes public only when a publisher publishes it.

    An editor's new fact is a draft. An editor's change to a published fact is
    saved as a separate draft row that points at it (``draft_of``): the public
    keeps seeing the published row until the draft is published onto it.
    """

    publication = models.CharField(
        _("publication"), max_length=12, choices=Publication.choices, default=Publication.DRAFT, editable=False
    )
    draft_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="pending_drafts",
        verbose_name=_("draft of"),
    )

    objects = FactQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            *SourcedFact.Meta.constraints,
            choices_constraint("publication", Publication, "%(class)s_publication_is_known"),
            models.CheckConstraint(
                condition=Q(draft_of__isnull=True) | Q(publication=Publication.DRAFT),
                name="%(class)s_only_a_draft_points_at_a_published_fact",
                violation_error_message=_("Only a draft can be a change to another fact."),
            ),
            models.UniqueConstraint(
                fields=["draft_of"],
                name="%(class)s_one_pending_draft_per_fact",
                violation_error_message=_(
                    "A draft change to this fact is already waiting for review: edit that draft instead."
                ),
            ),
        ]

    @property
    def is_published(self):
        return self.publication == Publication.PUBLISHED

    @classmethod
    def may_publish(cls, user):
        return user.has_perm(f"{cls._meta.app_label}.publish_{cls._meta.model_name}")

    def save_change_by(self, user, reason):
        """Save a staff member's change, as review before publishing requires.

        A publisher's change is public at once. An editor's new fact stays a
        draft, and an editor's change to a published fact is saved as a new
        draft of it, leaving the published fact as it was. Returns True if the
        change awaits review.
        """
        self._change_reason = reason
        if self.may_publish(user):
            if self._state.adding:
                self.publication = Publication.PUBLISHED
            self.save()
            return False
        if not self._state.adding and self.is_published:
            published_pk = self.pk
            self.pk = self.id = None
            self._state.adding = True
            self.publication = Publication.DRAFT
            self.draft_of_id = published_pk
            self.version = 1
        self.save()
        return True

    def publish(self, reason):
        """Make this draft public and return the published fact.

        A new fact simply becomes published. A change to a published fact is
        copied onto that fact, which keeps its identity and history, and the
        draft is removed. Validation runs again on the result.
        """
        if self.is_published:
            return self
        with transaction.atomic():
            if self.draft_of_id is None:
                self.publication = Publication.PUBLISHED
                target = self
            else:
                target = type(self).objects.select_for_update().get(pk=self.draft_of_id)
                for field in self._meta.concrete_fields:
                    if field.name not in {"id", "publication", "draft_of", "version"}:
                        setattr(target, field.attname, getattr(self, field.attname))
                self._change_reason = reason
                self.delete()
            target.full_clean()
            target._change_reason = reason
            target.save()
        return target


class PartlyDated(models.Model):
    """A date that a source may give only to the month or the year."""

    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date known to the"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("If the source gives only the month, enter the 1st and choose 'Month'."),
    )

    class Meta:
        abstract = True
        constraints = [
            choices_constraint("date_precision", DatePrecision, "%(class)s_date_precision_is_known"),
            models.CheckConstraint(
                condition=Q(date_precision=DatePrecision.DAY)
                | Q(date_precision=DatePrecision.MONTH, date__day=1)
                | Q(date_precision=DatePrecision.YEAR, date__day=1, date__month=1),
                name="%(class)s_partial_date_starts_its_period",
                violation_error_message=_(
                    "A date known only to the month is entered as the 1st of that month (to the year: as 1 January)."
                ),
            ),
        ]

    @property
    def display_date(self):
        if self.date_precision == DatePrecision.YEAR:
            return str(self.date.year)
        if self.date_precision == DatePrecision.MONTH:
            return date_format(self.date, "F Y")
        return date_format(self.date, "j F Y")


# --- States -------------------------------------------------------------------


class UNRegionalGroup(models.TextChoices):
    ASIA_PACIFIC = "APG", _("Asia-Pacific Group")
    EASTERN_EUROPE = "EEG", _("Eastern European Group")
    WESTERN_EUROPE_AND_OTHERS = "WEOG", _("Western European and Others Group")
    LATIN_AMERICA_AND_CARIBBEAN = "GRULAC", _("Latin American and Caribbean Group")
    AFRICA = "AG", _("African Group")
    NONE = "none", _("No UN regional group")


class Subregion(models.TextChoices):
    """UN M49 subregions; the values are the M49 codes."""

    CENTRAL_ASIA = "143", _("Central Asia")
    EASTERN_ASIA = "030", _("Eastern Asia")
    SOUTH_EASTERN_ASIA = "035", _("South-eastern Asia")
    SOUTHERN_ASIA = "034", _("Southern Asia")
    WESTERN_ASIA = "145", _("Western Asia")
    AUSTRALIA_AND_NEW_ZEALAND = "053", _("Australia and New Zealand")
    MELANESIA = "054", _("Melanesia")
    MICRONESIA = "057", _("Micronesia")
    POLYNESIA = "061", _("Polynesia")


class UNMembership(models.TextChoices):
    MEMBER = "member", _("UN Member State")
    OBSERVER = "observer", _("Non-member observer State")
    NON_MEMBER = "non_member", _("Not a UN member")


class CountingRule(models.TextChoices):
    """Which states a figure counts. Every figure names its rule."""

    ICC_ASIA_PACIFIC = (
        "icc_asia_pacific",
        _(
            "the ICC's Asia-Pacific group: members of the UN Asia-Pacific Group, "
            "the State of Palestine and the Cook Islands"
        ),
    )
    UN_ASIA_PACIFIC_GROUP = "un_asia_pacific_group", _("members of the UN Asia-Pacific Group")
    ALL_TRACKED = (
        "all_tracked",
        _("all tracked states, including geographically Asian states that the UN and the ICC count in other groups"),
    )


class TreatyStatus(models.TextChoices):
    """A state's standing under a treaty on a given date, in the order a state
    moves through them."""

    NON_PARTY = "non_party", _("Non-party")
    SIGNATORY = "signatory", _("Signatory")
    JOINED_NOT_IN_FORCE = "joined_not_in_force", _("Joined, not yet in force")
    STATE_PARTY = "state_party", _("State Party")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConventionPosition(models.TextChoices):
    """A state's position on a crimes-against-humanity convention.

    "Not yet researched" (nobody has looked) and "no public position" (someone
    looked and found none) are different findings and are never merged.
    """

    SUPPORTS = "supports", _("Supports a convention")
    SUPPORTS_WITH_RESERVATIONS = "supports_with_reservations", _("Supports negotiations with reservations")
    NON_COMMITTAL = "non_committal", _("Non-committal")
    OPPOSES_OR_SCEPTICAL = "opposes_or_sceptical", _("Opposes or sceptical")
    NO_PUBLIC_POSITION = "no_public_position", _("No public position")
    NOT_YET_RESEARCHED = "not_yet_researched", _("Not yet researched")


class SubmissionStatus(models.TextChoices):
    """Whether a state made written comments under UNGA resolution 77/249."""

    MADE = "made", _("Made a submission")
    NOT_MADE = "not_made", _("No submission")
    NOT_YET_RESEARCHED = "not_yet_researched", _("Not yet researched")


def today():
    return timezone.localdate()


def tally(values, choices):
    """Count ``values`` by category, every category of ``choices`` present, in order."""
    counts = Counter(values)
    return {choice: counts[choice] for choice in choices}


class StateQuerySet(models.QuerySet):
    """Figures about many states. Each method takes the date the figure is for
    (``as_of``, today by default) and runs a fixed number of queries, however
    many states there are."""

    def in_counting_rule(self, rule):
        rule = CountingRule(rule)
        if rule == CountingRule.ICC_ASIA_PACIFIC:
            return self.filter(in_icc_asia_pacific=True)
        if rule == CountingRule.UN_ASIA_PACIFIC_GROUP:
            return self.filter(un_regional_group=UNRegionalGroup.ASIA_PACIFIC)
        return self.all()

    def standings(self, treaty=None, as_of=None):
        """A ``Standing`` for every state here on ``as_of``: where it stands on
        ``treaty`` (if given), on a convention and on a written submission, and
        how well its facts are verified. Every figure is computed from these.
        Four queries (three without a treaty), however many states."""
        as_of = as_of or today()
        states = list(self)
        ids = [state.pk for state in states]
        actions, statements, submissions = defaultdict(list), defaultdict(list), {}
        if treaty is not None:
            published_actions = TreatyAction.objects.published().filter(treaty=treaty, state_id__in=ids)
            for action in published_actions.select_related("source"):
                actions[action.state_id].append(action)
        for statement in PositionStatement.objects.published().filter(state_id__in=ids).select_related("source"):
            statements[statement.state_id].append(statement)
        for submission in WrittenSubmission.objects.published().filter(state_id__in=ids).select_related("source"):
            submissions[submission.state_id] = submission
        return [
            Standing(
                state=state,
                as_of=as_of,
                treaty_record=TreatyRecord(treaty, actions[state.pk]) if treaty is not None else None,
                statements=statements[state.pk],
                written_submission=submissions.get(state.pk),
            )
            for state in states
        ]

    def figures(self, treaty=None, as_of=None):
        return Figures(self.standings(treaty, as_of))

    # Rome Statute and other treaties

    def treaty_statuses(self, treaty, as_of=None):
        """Each state's ``TreatyStatus`` under ``treaty`` on ``as_of``, keyed by state id."""
        return {standing.state.pk: standing.treaty_status for standing in self.standings(treaty, as_of)}

    def states_parties(self, treaty, as_of=None):
        """States for which ``treaty`` was in force on ``as_of``."""
        statuses = self.treaty_statuses(treaty, as_of)
        return self.filter(pk__in=[pk for pk, status in statuses.items() if status == TreatyStatus.STATE_PARTY])

    def count_by_treaty_status(self, treaty, as_of=None):
        """How many states hold each ``TreatyStatus`` on ``as_of`` (zeros included)."""
        return self.figures(treaty, as_of).treaty_status_counts

    def states_parties_over_time(self, treaty, until=None):
        """States Parties here as (date, count) at each change up to ``until``."""
        return self.figures(treaty, until).states_parties_over_time()

    def treaty_status_by_subregion(self, treaty, as_of=None):
        """For each M49 subregion that has states here, the count of each status."""
        return self.figures(treaty, as_of).treaty_status_by_subregion

    # Crimes-against-humanity convention

    def convention_positions(self, as_of=None):
        """Each state's current ``ConventionPosition`` on ``as_of``, keyed by state id
        (see ``Standing`` for the rule)."""
        return {standing.state.pk: standing.position for standing in self.standings(as_of=as_of)}

    def count_by_convention_position(self, as_of=None):
        """How many states hold each ``ConventionPosition`` on ``as_of`` (zeros included)."""
        return self.figures(as_of=as_of).position_counts

    def research_coverage(self, as_of=None):
        """(states whose position has been researched, states counted) on ``as_of``."""
        return self.figures(as_of=as_of).research_coverage

    def submission_statuses(self, as_of=None):
        """Each state's ``SubmissionStatus`` under res. 77/249 on ``as_of``, keyed by state id."""
        return {standing.state.pk: standing.submission for standing in self.standings(as_of=as_of)}

    def count_by_submission(self, as_of=None):
        """How many states made, did not make, or are not yet researched for a submission."""
        return self.figures(as_of=as_of).submission_counts


class Standing:
    """Where one state stands on a date, with the facts behind it."""

    def __init__(self, state, as_of, treaty_record, statements, written_submission):
        self.state = state
        self.as_of = as_of
        self.treaty_record = treaty_record
        self.statements = sorted(statements, key=lambda statement: (statement.date, statement.pk))
        self.written_submission = written_submission
        self.treaty_status = treaty_record.status_on(as_of) if treaty_record else None
        # The current position is the latest statement made by then that says
        # where the state stands; a statement whose content was not assessed
        # leaves the position as it was. No such statement: not yet researched.
        assessed = [
            statement
            for statement in self.statements
            if statement.date <= as_of and statement.position != ConventionPosition.NOT_YET_RESEARCHED
        ]
        self.latest_assessed_statement = assessed[-1] if assessed else None
        self.position = (
            ConventionPosition(self.latest_assessed_statement.position)
            if self.latest_assessed_statement
            else ConventionPosition.NOT_YET_RESEARCHED
        )
        self.submission = (
            written_submission.status_on(as_of) if written_submission else SubmissionStatus.NOT_YET_RESEARCHED
        )

    def events(self):
        """The state's record as a dated list, oldest first: its treaty actions,
        the dates they took effect (derived, art. 126(2) and 127) and its
        statements. Each item: (date, display date, kind, text, fact)."""
        events = []
        record = self.treaty_record
        for action in record.actions:
            events.append(
                (action.date, date_format(action.date, "j F Y"), "action", action.get_action_type_display(), action)
            )
        if record.entry_into_force:
            text = _("Enters into force for %(state)s (art. 126(2))") % {"state": self.state.name}
            events.append(
                (
                    record.entry_into_force,
                    date_format(record.entry_into_force, "j F Y"),
                    "derived",
                    text,
                    record.consent,
                )
            )
        if record.withdrawal_effective:
            text = _("Withdrawal takes effect (art. 127)")
            events.append(
                (
                    record.withdrawal_effective,
                    date_format(record.withdrawal_effective, "j F Y"),
                    "derived",
                    text,
                    record.withdrawal,
                )
            )
        for statement in self.statements:
            events.append((statement.date, statement.display_date, "statement", statement.forum, statement))
        return sorted(events, key=lambda event: event[0])

    @property
    def facts(self):
        actions = self.treaty_record.actions if self.treaty_record else []
        facts = [self.state, *actions, *self.statements]
        return facts + [self.written_submission] if self.written_submission else facts

    @property
    def verification(self):
        """The weakest verification among the state's facts."""
        order = [Verification.UNVERIFIED, Verification.SECONDARY, Verification.PRIMARY]
        return min((Verification(fact.verification) for fact in self.facts), key=order.index)

    @property
    def last_verified(self):
        """The day by which every one of the state's facts had been checked, or
        None while any fact has never been checked."""
        dates = [fact.last_verified_on for fact in self.facts]
        return None if None in dates else min(dates)


class Figures:
    """The public figures for a set of states on one date, counted from their
    standings. The QuerySet methods and the pages both read them from here."""

    def __init__(self, standings):
        self.standings = list(standings)

    @property
    def total(self):
        return len(self.standings)

    @property
    def treaty_status_counts(self):
        return tally((standing.treaty_status for standing in self.standings), TreatyStatus)

    @property
    def states_parties(self):
        return self.treaty_status_counts[TreatyStatus.STATE_PARTY]

    @property
    def position_counts(self):
        return tally((standing.position for standing in self.standings), ConventionPosition)

    @property
    def submission_counts(self):
        return tally((standing.submission for standing in self.standings), SubmissionStatus)

    @property
    def research_coverage(self):
        """(states whose position has been researched, states counted)."""
        return self.total - self.position_counts[ConventionPosition.NOT_YET_RESEARCHED], self.total

    @property
    def treaty_status_by_subregion(self):
        """For each M49 subregion that has states here, in code order, the count of each status."""
        by_subregion = defaultdict(list)
        for standing in self.standings:
            by_subregion[Subregion(standing.state.subregion)].append(standing.treaty_status)
        return {subregion: tally(statuses, TreatyStatus) for subregion, statuses in sorted(by_subregion.items())}

    def states_parties_over_time(self):
        """How many of these states were States Parties, as (date, count) at each
        change up to the standings' date: a step at each entry into force and at
        each withdrawal taking effect. Starts at the treaty's adoption with 0."""
        if not self.standings:
            return []
        until = self.standings[0].as_of
        changes = Counter()
        for record in (standing.treaty_record for standing in self.standings):
            if record.entry_into_force and record.entry_into_force <= until:
                changes[record.entry_into_force] += 1
                if record.withdrawal_effective and record.withdrawal_effective <= until:
                    changes[record.withdrawal_effective] -= 1
        treaty = self.standings[0].treaty_record.treaty
        count, steps = 0, [(treaty.adopted_on or min(changes, default=until), 0)]
        for day in sorted(changes):
            count += changes[day]
            steps.append((day, count))
        return steps


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
    notes = models.TextField(_("notes"), blank=True)

    objects = StateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("state")
        verbose_name_plural = _("states")
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
        return self.name

    def get_absolute_url(self):
        return reverse("states:detail", args=[self.iso3])


# --- Treaties -----------------------------------------------------------------


# The slug of the treaty behind the headline figure.
ROME_STATUTE = "rome-statute"


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


class Treaty(SourcedFact):
    """A treaty the coalition follows, with the rules that date its effect for
    each state. Rules a treaty has not yet fixed (a convention still being
    negotiated) stay empty, and the app then never claims it is in force."""

    slug = models.SlugField(_("short code"), unique=True)
    short_name = models.CharField(_("short name"), max_length=100, unique=True)
    title = models.CharField(_("full title"), max_length=300)
    adopted_on = models.DateField(_("adopted"), null=True, blank=True)
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
    withdrawal_period_months = models.PositiveSmallIntegerField(
        _("withdrawal takes effect after (months)"),
        null=True,
        blank=True,
        help_text=_(
            "A withdrawal takes effect this many months after notification unless the "
            "notification gives a later date (Rome Statute art. 127: 12 months)."
        ),
    )
    depositary_record_url = models.URLField(
        _("depositary record"),
        max_length=500,
        blank=True,
        help_text=_("The depositary's status page, where every action can be verified."),
    )

    class Meta:
        ordering = ["adopted_on", "short_name"]
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
        ]

    def __str__(self):
        return self.short_name

    def entry_into_force_for(self, deposited_on):
        """When the treaty enters into force for a state that deposited its
        instrument on ``deposited_on``: the first day of the month after the
        period (Rome Statute art. 126(2): the 60th day following deposit), and
        never before the treaty itself entered into force (1 July 2002)."""
        if self.entered_into_force_on is None or self.entry_into_force_period is None:
            return None
        period_ends = deposited_on + relativedelta(**{self.entry_into_force_period_unit: self.entry_into_force_period})
        first_of_next_month = period_ends.replace(day=1) + relativedelta(months=1)
        return max(first_of_next_month, self.entered_into_force_on)

    def withdrawal_effective_on(self, notified_on, later_date=None):
        """When a withdrawal notified on ``notified_on`` takes effect: one year
        later under Rome Statute art. 127, unless the notification gives a later date."""
        if self.withdrawal_period_months is None:
            return later_date
        effective = notified_on + relativedelta(months=self.withdrawal_period_months)
        return max(effective, later_date) if later_date else effective


class TreatyActionType(models.TextChoices):
    SIGNATURE = "signature", _("Signature")
    RATIFICATION = "ratification", _("Ratification")
    ACCESSION = "accession", _("Accession")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")
    INSTRUMENT_WITHDRAWN = "instrument_withdrawn", _("Instrument withdrawn before it took effect")
    WITHDRAWAL = "withdrawal", _("Withdrawal notified")


# Instruments by which a state consents to be bound by a treaty.
CONSENT_TYPES = (
    TreatyActionType.RATIFICATION,
    TreatyActionType.ACCESSION,
    TreatyActionType.ACCEPTANCE,
    TreatyActionType.APPROVAL,
)


class TreatyAction(ReviewedFact):
    """A dated act of one state under one treaty, as the depositary records it.

    When an act takes effect is not stored: it follows from the treaty's rules
    (``takes_effect_on``). A withdrawal is recorded once, on the day it was
    notified; the day it took effect is derived (art. 127).
    """

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
    notes = models.TextField(_("notes"), blank=True)

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
    def is_consent(self):
        return self.action_type in CONSENT_TYPES

    @property
    def takes_effect_on(self):
        """The day this act takes effect, under the treaty's rules (None if it
        has none, or if the treaty's rules do not date it)."""
        if self.is_consent:
            return self.treaty.entry_into_force_for(self.date)
        if self.action_type == TreatyActionType.WITHDRAWAL:
            return self.treaty.withdrawal_effective_on(self.date, self.later_effective_date)
        return self.date

    def clean(self):
        """Rules that involve the state's other actions under the same treaty.

        SQL check constraints see one row only, so these live here, where the
        admin, the seed loader and any form call them before saving.
        """
        super().clean()
        if not (self.state_id and self.treaty_id and self.date and self.action_type):
            return
        if self.later_effective_date and self.action_type == TreatyActionType.WITHDRAWAL:
            minimum = self.treaty.withdrawal_effective_on(self.date)
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
        if getattr(self, "checked_with_siblings", False):
            return  # a form set is checking it together with actions entered beside it
        # A draft is checked against what is published, less the fact it would replace.
        others = (
            TreatyAction.objects.published()
            .filter(state_id=self.state_id, treaty_id=self.treaty_id)
            .exclude(pk__in=[pk for pk in (self.pk, self.draft_of_id) if pk])
        )
        record = TreatyRecord(self.treaty, list(others))
        record.check_can_add(self)


def check_in_date_order(treaty, actions, is_new):
    """Check each action for which ``is_new(action)`` holds against the
    actions dated before it (same-day actions in their natural order: signature,
    consent, withdrawal). Returns [(action, ValidationError)]."""
    kinds = list(TreatyActionType)
    ordered = sorted(actions, key=lambda action: (action.date, kinds.index(action.action_type)))
    problems = []
    for index, action in enumerate(ordered):
        if is_new(action):
            try:
                TreatyRecord(treaty, ordered[:index]).check_can_add(action)
            except ValidationError as error:
                problems.append((action, error))
    return problems


class TreatyRecord:
    """One state's record under one treaty: its actions, read together.

    Status on a date follows from the actions alone: a consent instrument makes
    the state a party once it takes effect (art. 126(2)); a withdrawal ends it
    once that takes effect (art. 127); an instrument withdrawn before it took
    effect (Malaysia, 2019) is as if never deposited.
    """

    def __init__(self, treaty, actions):
        self.treaty = treaty
        self.actions = sorted(actions, key=lambda action: (action.date, action.pk or 0))
        by_type = {action.action_type: action for action in actions}
        self.signature = by_type.get(TreatyActionType.SIGNATURE)
        self.consent = next((a for a in actions if a.is_consent), None)
        self.withdrawal = by_type.get(TreatyActionType.WITHDRAWAL)
        self.instrument_withdrawn = by_type.get(TreatyActionType.INSTRUMENT_WITHDRAWN)
        for action in actions:
            action.treaty = treaty  # spare a query per action in takes_effect_on

    def _withdrawn_instrument(self):
        """The instrument a state took back before it took effect: its notice
        of withdrawal if it had given one by then, else its consent."""
        if self.instrument_withdrawn is None:
            return None
        if self.withdrawal and self.withdrawal.date <= self.instrument_withdrawn.date:
            return self.withdrawal
        return self.consent

    def _in_effect(self, action, as_of):
        if action is None or action.date > as_of:
            return False
        taken_back = action is self._withdrawn_instrument() and self.instrument_withdrawn.date <= as_of
        return not taken_back

    @property
    def entry_into_force(self):
        if self.consent is None or self._withdrawn_instrument() is self.consent:
            return None
        return self.consent.takes_effect_on

    @property
    def withdrawal_effective(self):
        if self.withdrawal is None or self._withdrawn_instrument() is self.withdrawal:
            return None
        return self.withdrawal.takes_effect_on

    def status_on(self, as_of):
        if self._in_effect(self.consent, as_of):
            withdrawal_effective = self.withdrawal_effective
            if self._in_effect(self.withdrawal, as_of) and withdrawal_effective and withdrawal_effective <= as_of:
                return TreatyStatus.WITHDRAWN
            entry_into_force = self.consent.takes_effect_on
            if entry_into_force and entry_into_force <= as_of:
                return TreatyStatus.STATE_PARTY
            return TreatyStatus.JOINED_NOT_IN_FORCE
        if self.signature and self.signature.date <= as_of:
            return TreatyStatus.SIGNATORY
        return TreatyStatus.NON_PARTY

    def check_can_add(self, action):
        """Raise ValidationError, in the editor's words, if ``action`` cannot
        follow this record (the record holds the state's other actions)."""
        kind = TreatyActionType
        state_name = action.state.name
        on = action.date.isoformat()
        if action.is_consent and self.consent:
            raise ValidationError(
                {
                    "action_type": _(
                        "%(state)s already deposited an instrument of %(consent)s on %(consent_date)s; a state "
                        "deposits only one instrument of ratification, accession, acceptance or approval."
                    )
                    % {
                        "state": state_name,
                        "consent": self.consent.get_action_type_display().lower(),
                        "consent_date": self.consent.date.isoformat(),
                    }
                }
            )
        if action.action_type == kind.RATIFICATION and (self.signature is None or self.signature.date > action.date):
            raise ValidationError(
                {
                    "action_type": _(
                        "%(state)s cannot ratify on %(date)s without having signed first: record the "
                        "signature, or record an accession instead."
                    )
                    % {"state": state_name, "date": on}
                }
            )
        if action.is_consent and self.withdrawal and self.withdrawal.date < action.date:
            raise ValidationError(
                {
                    "date": _("%(state)s notified its withdrawal before this instrument; check the dates.")
                    % {"state": state_name}
                }
            )
        if action.action_type == kind.SIGNATURE and self.consent and self.consent.date < action.date:
            raise ValidationError(
                {
                    "date": _("A signature cannot come after the state's %(consent)s (%(consent_date)s).")
                    % {
                        "consent": self.consent.get_action_type_display().lower(),
                        "consent_date": self.consent.date.isoformat(),
                    }
                }
            )
        if action.action_type == kind.WITHDRAWAL:
            status = self.status_on(action.date)
            if status != TreatyStatus.STATE_PARTY:
                raise ValidationError(
                    {
                        "action_type": _(
                            "%(state)s was not a State Party to the %(treaty)s on %(date)s (its status then: "
                            "%(status)s), so it could not notify a withdrawal. An instrument taken back before "
                            "it took effect is recorded as '%(revoked)s'."
                        )
                        % {
                            "state": state_name,
                            "treaty": self.treaty.short_name,
                            "date": on,
                            "status": TreatyStatus(status).label,
                            "revoked": kind.INSTRUMENT_WITHDRAWN.label,
                        }
                    }
                )
        if action.action_type == kind.INSTRUMENT_WITHDRAWN:
            pending = self.withdrawal if self.withdrawal and self.withdrawal.date <= action.date else self.consent
            if pending is None or pending.date > action.date:
                raise ValidationError(
                    {
                        "action_type": _("%(state)s had deposited no instrument by %(date)s that it could withdraw.")
                        % {"state": state_name, "date": on}
                    }
                )
            takes_effect = pending.takes_effect_on
            if takes_effect and takes_effect <= action.date:
                raise ValidationError(
                    {
                        "date": _(
                            "The %(instrument)s of %(deposited)s had already taken effect on %(effect)s; "
                            "after that a state leaves by notifying a withdrawal."
                        )
                        % {
                            "instrument": pending.get_action_type_display().lower(),
                            "deposited": pending.date.isoformat(),
                            "effect": takes_effect.isoformat(),
                        }
                    }
                )


# --- Crimes-against-humanity convention ---------------------------------------


class PositionStatement(PartlyDated, ReviewedFact):
    """A dated statement that shows where a state stands on a convention on
    crimes against humanity (the ILC's 2019 draft articles)."""

    state = models.ForeignKey(
        State, on_delete=models.CASCADE, related_name="position_statements", verbose_name=_("state")
    )
    forum = models.CharField(_("forum or meeting"), max_length=200)
    summary = models.TextField(_("summary"))
    quote = models.CharField(_("short quote"), max_length=600, blank=True)
    position = models.CharField(
        _("position shown"),
        max_length=32,
        choices=ConventionPosition.choices,
        help_text=_("Choose 'Not yet researched' if the statement's content has not been assessed."),
    )

    class Meta:
        ordering = ["state", "date", "pk"]
        verbose_name = _("position statement")
        verbose_name_plural = _("position statements")
        permissions = [("publish_positionstatement", _("Can publish position statements"))]
        constraints = [
            *ReviewedFact.Meta.constraints,
            *PartlyDated.Meta.constraints,
            choices_constraint("position", ConventionPosition, "position_statement_position_is_known"),
            models.UniqueConstraint(
                fields=["state", "source", "date"],
                condition=Q(publication=Publication.PUBLISHED),
                name="one_statement_per_state_source_and_date",
                violation_error_message=_("This statement is already recorded (same state, source and date)."),
            ),
        ]

    def __str__(self):
        return f"{self.state}, {self.display_date}: {self.get_position_display()}"


class WrittenSubmission(ReviewedFact):
    """What is known of a state's written comments on the draft articles, which
    UNGA resolution 77/249 invited by the end of 2023. No row means nobody has
    researched it yet, which is never shown as "no submission"."""

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
    document_symbol = models.CharField(
        _("document symbol"), max_length=60, blank=True, help_text=_("For example A/78/717/Add.1")
    )
    document_url = models.URLField(_("document link"), max_length=500, blank=True)

    class Meta:
        ordering = ["state"]
        verbose_name = _("written submission")
        verbose_name_plural = _("written submissions")
        permissions = [("publish_writtensubmission", _("Can publish written submissions"))]
        constraints = [
            *ReviewedFact.Meta.constraints,
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(publication=Publication.PUBLISHED),
                name="one_written_submission_finding_per_state",
                violation_error_message=_("This state already has a finding on its written submission."),
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

    def status_on(self, as_of):
        if self.status == SubmissionStatus.MADE and self.submitted_on <= as_of:
            return SubmissionStatus.MADE
        return SubmissionStatus.NOT_MADE


class TimelineTopic(models.TextChoices):
    ROME_STATUTE = "rome_statute", _("Rome Statute")
    CAH_CONVENTION = "cah_convention", _("Crimes-against-humanity convention")


class TimelineEvent(PartlyDated, ReviewedFact):
    """A milestone of a treaty process that is not one state's act: the Rome
    Statute's adoption, a UN resolution, a session, a deadline. A state's own
    acts are TreatyActions and PositionStatements, and are never copied here."""

    topic = models.CharField(_("topic"), max_length=16, choices=TimelineTopic.choices)
    event = models.TextField(_("event"))
    document_symbol = models.CharField(_("document symbol"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)

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
