"""The tracker's enumerations: every category a record or a figure can take.

Each is a ``TextChoices``; ``choices_constraint`` makes the database refuse a
value outside it, whoever writes it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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


# --- Facts: how far checked, how precisely dated, whether public ---------------


class Verification(models.TextChoices):
    PRIMARY = "primary", _("Verified against the primary record")
    SECONDARY = "secondary", _("Secondary source only")
    UNVERIFIED = "unverified", _("Not yet checked against its source")


class Evidence(models.TextChoices):
    """How strong the fact behind a shown category is. No fact at all (a
    non-party with no recorded action) is "not checked"."""

    PRIMARY = "primary", _("verified against the primary record")
    SECONDARY = "secondary", _("from a secondary source only")
    NOT_CHECKED = "not_checked", _("not checked against a source")

    @classmethod
    def of(cls, fact):
        if fact is None or fact.verification == Verification.UNVERIFIED:
            return cls.NOT_CHECKED
        return cls(fact.verification)


class WhoseWords(models.TextChoices):
    """Whose words a position label rests on. A state's own statement is its
    mission's or government's text, or a UN record quoting it (a summary
    record, meeting coverage); a report of it is a news agency's or an NGO's
    account; an assessment is someone's reading of where the state stands,
    and the coalition's own readings are named as the coalition's."""

    OWN_WORDS = "own_words", _("the state's own words")
    REPORTED = "reported", _("a report of the state's words")
    ASSESSMENT = "assessment", _("an analyst's assessment")
    COALITION_ASSESSMENT = "coalition_assessment", _("the coalition's own assessment")


class DatePrecision(models.TextChoices):
    """How much of a date a source gives. A month-only date is stored as the
    first of that month and shown as "April 2023", never as a made-up day."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Publication(models.TextChoices):
    DRAFT = "draft", _("Draft (not public)")
    PUBLISHED = "published", _("Published")


class Origin(models.TextChoices):
    """Where a record came from: staff's own work, or the seed data's first
    load (``manage.py load_seed``). Staff only: it decides what the seed
    loader may touch, never what the public reads."""

    STAFF = "staff", _("Entered by staff")
    SEED = "seed", _("Loaded from the seed data")


# --- States and the rules that count them ---------------------------------------


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

    @property
    def criteria(self):
        """The state fields that put a state in this rule, and their values.
        The one definition of each rule: SQL filters and Python checks both read it."""
        return {
            CountingRule.ICC_ASIA_PACIFIC: {"in_icc_asia_pacific": True},
            CountingRule.UN_ASIA_PACIFIC_GROUP: {"un_regional_group": UNRegionalGroup.ASIA_PACIFIC},
            CountingRule.ALL_TRACKED: {},
        }[self]

    def includes(self, state):
        return all(getattr(state, field) == value for field, value in self.criteria.items())


# --- Where a state stands --------------------------------------------------------


class TreatyStatus(models.TextChoices):
    """A state's standing under a treaty on a given date, in the order a state
    moves through them."""

    # A treaty whose actions have been recorded for some states only
    # (``Treaty.every_state_researched`` unticked): a state with no record
    # under it has not been looked at, which is never "non-party".
    NOT_YET_RESEARCHED = "not_yet_researched", _("Not yet researched")
    # A treaty not yet adopted (the convention on crimes against humanity,
    # still being negotiated): no state can have signed or joined it.
    NOT_YET_OPEN = "not_yet_open", _("Not yet open for signature")
    NON_PARTY = "non_party", _("Non-party")
    SIGNATORY = "signatory", _("Signatory")
    NOT_INTENDING_TO_BE_PARTY = "not_intending_to_be_party", _("Signed, but does not intend to become a party")
    JOINED_NOT_IN_FORCE = "joined_not_in_force", _("Joined, not yet in force")
    STATE_PARTY = "state_party", _("State Party")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @property
    def counted_as(self):
        """The category figures count a state with this status in. A signatory
        that told the depositary it does not intend to become a party (Israel,
        2002) has no obligations from its signature: it counts as a non-party."""
        return TreatyStatus.NON_PARTY if self == TreatyStatus.NOT_INTENDING_TO_BE_PARTY else self


# The categories that figures, charts and legends count states in under a
# treaty whose actions were recorded for every state (the Rome Statute).
COUNTED_TREATY_STATUSES = [
    status
    for status in TreatyStatus
    if status.counted_as == status and status not in (TreatyStatus.NOT_YET_RESEARCHED, TreatyStatus.NOT_YET_OPEN)
]


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


# --- Treaties and what states do under them -----------------------------------------


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")


class EntryIntoForceRule(models.TextChoices):
    """How a treaty's own text dates its entry into force for a state that joins it."""

    FIRST_OF_MONTH_AFTER_PERIOD = (
        "first_of_month_after",
        _("On the first day of the month after the period following deposit (Rome Statute art. 126(2))"),
    )
    PERIOD_AFTER_DEPOSIT = (
        "period_after_deposit",
        _("Exactly the period after deposit (the Kampala amendments, Rome Statute art. 121(5))"),
    )


class TreatyActionType(models.TextChoices):
    SIGNATURE = "signature", _("Signature")
    RATIFICATION = "ratification", _("Ratification")
    ACCESSION = "accession", _("Accession")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")
    NON_INTENTION = "non_intention", _("Notified it does not intend to become a party")
    INSTRUMENT_WITHDRAWN = "instrument_withdrawn", _("Instrument withdrawn before it took effect")
    WITHDRAWAL = "withdrawal", _("Withdrawal notified")
    # For a treaty not every state has been researched for: staff checked the
    # depositary's record on that date and found no action by the state.
    NONE_FOUND = "none_found", _("Checked: no action by this state")


# Instruments by which a state consents to be bound by a treaty.
CONSENT_TYPES = (
    TreatyActionType.RATIFICATION,
    TreatyActionType.ACCESSION,
    TreatyActionType.ACCEPTANCE,
    TreatyActionType.APPROVAL,
)


class TimelineTopic(models.TextChoices):
    ROME_STATUTE = "rome_statute", _("Rome Statute")
    CAH_CONVENTION = "cah_convention", _("Crimes-against-humanity convention")


class TimelineEntryKind(models.TextChoices):
    """What a line of a state's timeline is (the values are CSS class names)."""

    ACTION = "action", _("Treaty action")
    DERIVED = "derived", _("Worked out from the treaty's rules")
    STATEMENT = "statement", _("Statement")


class ChangeKind(models.TextChoices):
    """What a published change did to the public record."""

    INITIAL_DATA = "initial_data", _("Initial data")
    ADDED = "added", _("Added")
    PUBLISHED = "published", _("Published after review")
    CHANGED = "changed", _("Changed")
    REMOVED = "removed", _("Removed")


class RecordKind(models.TextChoices):
    """The kinds of record a published change can be about."""

    TREATY_ACTION = "treatyaction", _("Treaty action")
    POSITION_STATEMENT = "positionstatement", _("Statement on a convention")
    WRITTEN_SUBMISSION = "writtensubmission", _("Written comments")
    TIMELINE_EVENT = "timelineevent", _("Timeline event")
    COALITION_ASK = "coalitionask", _("The coalition's ask")
    STATE = "state", _("State")
    TREATY = "treaty", _("Treaty")
    SOURCE = "source", _("Source")
    DATA_LOAD = "data_load", _("Research data")


class CorrectionStatus(models.TextChoices):
    """Where staff are with a reader's correction."""

    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
