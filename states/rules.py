"""The rules the tracker applies, as the law and the method read: plain Python
over records already fetched, no queries.

1. When a treaty enters into force for a state, by the rule its own text
   states, recorded on the ``Treaty`` (Rome Statute art. 126(2); the Kampala
   amendments, art. 121(5)).
2. When a withdrawal takes effect (Rome Statute art. 127).
3. ``TreatyRecord``: a state's status under a treaty on any date, and which
   actions can follow which.
4. The position rule: a state's position is its latest assessed statement.
5. ``Standing``: where one state stands on a date; ``Figures``: the counts
   over many standings that every page, export and API reads.
6. The as-of rule: which date a page or the API is asked for.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from states.choices import (
    CONSENT_TYPES,
    ConventionPosition,
    CountingRule,
    EntryIntoForceRule,
    Evidence,
    SubmissionStatus,
    Subregion,
    TimelineEntryKind,
    TreatyActionType,
    TreatyStatus,
    Verification,
    WhoseWords,
)
from states.dimensions import POSITION, ROME_STATUTE, SUBMISSION, next_steps, tracked_dimensions
from states.per_version import kept

# --- 1. Entry into force (art. 126(2)) --------------------------------------------


def entry_into_force_for(treaty, deposited_on):
    """When ``treaty`` enters into force for a state that deposited its
    instrument on ``deposited_on``, by the rule its text states
    (``Treaty.entry_into_force_rule``):

    - the first day of the month after the period (Rome Statute art. 126(2):
      the 60th day following deposit), and never before the treaty itself
      entered into force (1 July 2002), so not while it is not in force;
    - exactly the period after deposit, with no rounding (the Kampala
      amendments, art. 121(5): one year), and never before the treaty itself
      entered into force where that date is recorded.

    None while the treaty's rule is not recorded (a convention still being
    negotiated, or a text nobody has read yet)."""
    if treaty.entry_into_force_period is None or not treaty.entry_into_force_rule:
        return None
    period_ends = deposited_on + relativedelta(**{treaty.entry_into_force_period_unit: treaty.entry_into_force_period})
    if treaty.entry_into_force_rule == EntryIntoForceRule.PERIOD_AFTER_DEPOSIT:
        return max(period_ends, treaty.entered_into_force_on) if treaty.entered_into_force_on else period_ends
    if treaty.entered_into_force_on is None:
        return None
    first_of_next_month = period_ends.replace(day=1) + relativedelta(months=1)
    return max(first_of_next_month, treaty.entered_into_force_on)


# --- 2. Withdrawal (art. 127) -----------------------------------------------------


def withdrawal_effective_on(treaty, notified_on, later_date=None):
    """When a withdrawal from ``treaty`` notified on ``notified_on`` takes
    effect: one year later under Rome Statute art. 127, unless the
    notification gives a later date."""
    if treaty.withdrawal_period_months is None:
        return later_date
    effective = notified_on + relativedelta(months=treaty.withdrawal_period_months)
    return max(effective, later_date) if later_date else effective


def takes_effect_on(action):
    """The day a treaty action takes effect under its treaty's rules (None if
    the treaty's rules do not date it). A signature takes effect when made."""
    if action.action_type in CONSENT_TYPES:
        return entry_into_force_for(action.treaty, action.date)
    if action.action_type == TreatyActionType.WITHDRAWAL:
        return withdrawal_effective_on(action.treaty, action.date, action.later_effective_date)
    return action.date


# --- 3. A state's record under one treaty -------------------------------------------


class TreatyRecord:
    """One state's record under one treaty: its actions, read together.

    Status on a date follows from the actions alone: a consent instrument makes
    the state a party once it takes effect (art. 126(2)); a withdrawal ends it
    once that takes effect (art. 127); an instrument withdrawn before it took
    effect (Malaysia, 2019) is as if never deposited.
    """

    def __init__(self, treaty, actions, prerequisite=None):
        self.treaty = treaty
        # The state's record under the treaty this one is open only to the parties of (an amendment's statute).
        self.prerequisite = prerequisite
        self.actions = sorted(actions, key=lambda action: (action.date, action.pk or 0))
        by_type = {action.action_type: action for action in actions}
        self.signature = by_type.get(TreatyActionType.SIGNATURE)
        self.consent = next((a for a in actions if a.is_consent), None)
        self.withdrawal = by_type.get(TreatyActionType.WITHDRAWAL)
        self.instrument_withdrawn = by_type.get(TreatyActionType.INSTRUMENT_WITHDRAWN)
        self.non_intention = by_type.get(TreatyActionType.NON_INTENTION)
        self.none_found = by_type.get(TreatyActionType.NONE_FOUND)
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
        if self.non_intention and self.non_intention.date <= as_of:
            return TreatyStatus.NOT_INTENDING_TO_BE_PARTY
        if self.signature and self.signature.date <= as_of:
            return TreatyStatus.SIGNATORY
        if not self.treaty.is_open:
            return TreatyStatus.NOT_YET_OPEN
        if not self.actions and not self.treaty.every_state_researched:
            # Any record (even "checked: no action") means someone looked, for every date.
            return TreatyStatus.NOT_YET_RESEARCHED
        return TreatyStatus.NON_PARTY

    def deciding_action(self, as_of):
        """The action the status on ``as_of`` rests on (None for a state with no
        action in effect: a non-party with nothing recorded)."""
        status = self.status_on(as_of)
        if status == TreatyStatus.WITHDRAWN:
            return self.withdrawal
        if status in (TreatyStatus.STATE_PARTY, TreatyStatus.JOINED_NOT_IN_FORCE):
            return self.consent
        if status == TreatyStatus.NOT_INTENDING_TO_BE_PARTY:
            return self.non_intention
        if status == TreatyStatus.SIGNATORY:
            return self.signature
        if self.instrument_withdrawn and self.instrument_withdrawn.date <= as_of:
            return self.instrument_withdrawn
        return self.none_found

    def status_detail(self, as_of):
        """What the status alone leaves out, in words: an instrument the state
        took back before it took effect (Malaysia, 2019). Empty otherwise."""
        taken_back = self._withdrawn_instrument()
        if taken_back is None or self.instrument_withdrawn.date > as_of:
            return ""
        on = date_format(self.instrument_withdrawn.date, "j F Y")
        if taken_back is self.withdrawal:
            return _("Notice of withdrawal taken back before it took effect (%(date)s)") % {"date": on}
        return _("%(instrument)s withdrawn before it took effect (%(date)s)") % {
            "instrument": taken_back.get_action_type_display(),
            "date": on,
        }

    def check_can_add(self, action):
        """Raise ValidationError, in the editor's words, if ``action`` cannot
        follow this record (the record holds the state's other actions)."""
        kind = TreatyActionType
        state_name = action.state.name
        on = action.date.isoformat()
        if not self.treaty.is_open:
            raise ValidationError(
                {
                    "treaty": _(
                        "The %(treaty)s has not been adopted, so it is not open for signature and no state can have "
                        "acted under it: record its adoption date on the treaty first."
                    )
                    % {"treaty": self.treaty.local_name}
                }
            )
        if action.date < self.treaty.adopted_on:
            raise ValidationError(
                {
                    "date": _("The %(treaty)s was adopted on %(adopted)s: no state can have acted under it before.")
                    % {"treaty": self.treaty.local_name, "adopted": self.treaty.adopted_on.isoformat()}
                }
            )
        if action.action_type == kind.SIGNATURE and not self.treaty.has_signature_step:
            raise ValidationError(
                {
                    "action_type": _(
                        "The %(treaty)s have no signature step: a state joins by ratification or acceptance alone."
                    )
                    % {"treaty": self.treaty.local_name}
                }
            )
        acted = [found for found in (self.signature, self.consent) if found]
        if action.action_type == kind.NONE_FOUND and any(found.date <= action.date for found in acted):
            raise ValidationError(
                {
                    "action_type": _(
                        "%(state)s's %(action)s of %(date)s is recorded under this treaty, so a check on %(checked)s "
                        "cannot have found no action: correct one of the two."
                    )
                    % {
                        "state": state_name,
                        "action": acted[0].get_action_type_display().lower(),
                        "date": acted[0].date.isoformat(),
                        "checked": on,
                    }
                }
            )
        if (action.action_type == kind.SIGNATURE or action.is_consent) and (
            self.none_found and self.none_found.date >= action.date
        ):
            raise ValidationError(
                {
                    "date": _(
                        "A check on %(checked)s found no action by %(state)s under this treaty, so it cannot have "
                        "acted on %(date)s: correct one of the two."
                    )
                    % {"checked": self.none_found.date.isoformat(), "state": state_name, "date": on}
                }
            )
        if action.is_consent and self.prerequisite is not None:
            status = self.prerequisite.status_on(action.date)
            if status != TreatyStatus.STATE_PARTY:
                raise ValidationError(
                    {
                        "action_type": _(
                            "Only States Parties to the %(prerequisite)s can join the %(treaty)s, and %(state)s "
                            "was not one on %(date)s (its status then: %(status)s)."
                        )
                        % {
                            "prerequisite": self.prerequisite.treaty.local_name,
                            "treaty": self.treaty.local_name,
                            "state": state_name,
                            "date": on,
                            "status": TreatyStatus(status).label,
                        }
                    }
                )
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
        must_sign_first = self.treaty.has_signature_step
        if (
            action.action_type == kind.RATIFICATION
            and must_sign_first
            and (self.signature is None or self.signature.date > action.date)
        ):
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
        if action.action_type == kind.NON_INTENTION:
            if self.signature is None or self.signature.date > action.date:
                raise ValidationError(
                    {
                        "action_type": _(
                            "%(state)s had not signed by %(date)s: only a signatory notifies that it does not "
                            "intend to become a party."
                        )
                        % {"state": state_name, "date": on}
                    }
                )
            if self.status_on(action.date) in (TreatyStatus.JOINED_NOT_IN_FORCE, TreatyStatus.STATE_PARTY):
                raise ValidationError(
                    {
                        "action_type": _(
                            "%(state)s had already joined by %(date)s; a state that has joined leaves by "
                            "notifying a withdrawal."
                        )
                        % {"state": state_name, "date": on}
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


def check_in_date_order(treaty, actions, is_new, prerequisite=None):
    """Check each action for which ``is_new(action)`` holds against the
    actions dated before it (same-day actions in their natural order: signature,
    consent, withdrawal), so actions entered together are checked together;
    ``prerequisite``: the state's record under the treaty this one is open
    only to the parties of. Returns [(action, ValidationError)]."""
    kinds = list(TreatyActionType)
    ordered = sorted(actions, key=lambda action: (action.date, kinds.index(action.action_type)))
    problems = []
    for index, action in enumerate(ordered):
        if is_new(action):
            try:
                TreatyRecord(treaty, ordered[:index], prerequisite).check_can_add(action)
            except ValidationError as error:
                problems.append((action, error))
    return problems


# --- 4. The position rule -------------------------------------------------------------


# The rule itself is a query, so that no render reads a state's every
# statement: ``PositionStatementQuerySet.latest_assessed``.


def position_on(changes, day):
    """The position held on ``day``, from a state's changes of position as
    (date, position), oldest first; before the first, not yet researched."""
    held = ConventionPosition.NOT_YET_RESEARCHED
    for changed_on, position in changes:
        if changed_on > day:
            break
        held = position
    return held


@dataclass(frozen=True)
class StatementChecks:
    """How well a state's published statements are verified, summed up in the
    database (``PositionStatementQuerySet.checks_by_state``): all a standing's
    verification needs of them, however many there are."""

    count: int = 0
    unverified: int = 0
    secondary: int = 0
    unchecked: int = 0  # never checked by staff
    oldest_check: datetime.date | None = None

    @property
    def verifications(self):
        """The levels of verification among the statements."""
        primary = self.count - self.unverified - self.secondary
        levels = [(Verification.UNVERIFIED, self.unverified), (Verification.SECONDARY, self.secondary)]
        return [level for level, count in [*levels, (Verification.PRIMARY, primary)] if count]

    @property
    def last_verified_on(self):
        """The day by which every statement had been checked (None while one never has)."""
        return None if self.unchecked else self.oldest_check


# --- 5. Where states stand, and the figures -----------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One dated line of a state's timeline, with the fact behind it."""

    date: datetime.date
    display_date: str
    kind: TimelineEntryKind
    text: str
    fact: object

    @property
    def is_statement(self):
        return self.kind == TimelineEntryKind.STATEMENT

    @property
    def is_derived(self):
        return self.kind == TimelineEntryKind.DERIVED


class Timeline:
    """A state's timeline, newest first, as a Paginator reads it: a length and
    a slice at a time. Its treaty entries are few and worked out whole; its
    statements, which the history grows, are read a slice at a time (two
    queries a slice, however long the history).

    On one day, statements come before treaty entries, newest statement
    first: the order of the whole record sorted by date, oldest first, with
    the treaty entries before the statements, then read backwards."""

    def __init__(self, state, treaty_entries, statement_count):
        self.state = state
        self.treaty_entries = treaty_entries  # newest first
        self.statement_count = statement_count

    def __len__(self):
        return len(self.treaty_entries) + self.statement_count

    def statements_on_or_after(self):
        """{day of a treaty entry: how many statements were made on or after it}."""
        days = tuple(sorted({entry.date for entry in self.treaty_entries}))
        return kept.get(
            ("statements on or after", self.state.pk, days), lambda: self.state.statements_on_or_after(days)
        )

    def __getitem__(self, where):
        if not isinstance(where, slice) or where.step is not None:
            raise TypeError("A timeline is read a slice at a time.")
        start, stop, _step = where.indices(len(self))
        if start >= stop:
            return []
        # Each entry's place is its place among its own kind plus the entries of
        # the other kind before it, of which a statement has at most len(treaty_entries).
        placed = []
        newer_days = [entry.date for entry in self.treaty_entries]  # newest first
        if self.statement_count:
            first = max(0, start - len(self.treaty_entries))
            # Shared by every language's timeline of the same data version.
            statements = kept.get(
                ("statements newest first", self.state.pk, first, stop),
                lambda: list(self.state.statements_newest_first()[first:stop]),
            )
            for number, statement in enumerate(statements, start=first):
                statement.state = self.state  # its words name the state: spare a query each
                newer = sum(1 for day in newer_days if day > statement.date)
                entry = TimelineEntry(
                    statement.date, statement.display_date, TimelineEntryKind.STATEMENT, statement.forum, statement
                )
                placed.append((number + newer, entry))
        on_or_after = self.statements_on_or_after() if self.treaty_entries else {}
        for number, entry in enumerate(self.treaty_entries):
            placed.append((number + on_or_after[entry.date], entry))
        return [entry for place, entry in sorted(placed, key=lambda placed: placed[0]) if start <= place < stop]


@dataclass(frozen=True)
class InstrumentStanding:
    """Where a state stands under one treaty on a date, with the fact it rests on."""

    record: TreatyRecord
    status: TreatyStatus
    fact: object

    @property
    def treaty(self):
        return self.record.treaty


class Standing:
    """Where one state stands on a date, with the facts behind it: under the
    treaty behind the figures (``treaty_record``), under each other tracked
    treaty (``other_records``), on a convention and on written comments."""

    def __init__(
        self,
        state,
        as_of,
        treaty_record,
        latest_assessed_statement,
        written_submission,
        other_records=(),
        position_changes=(),
        statement_checks=StatementChecks(),
    ):
        self.state = state
        self.as_of = as_of
        self.treaty_record = treaty_record
        self.other_records = list(other_records)
        self.written_submission = written_submission
        self.position_changes = position_changes  # [(date, position)], oldest first
        self.statement_checks = statement_checks
        # Without the treaty behind the figures (a database before the seed), nobody has researched it.
        self.treaty_status = treaty_record.status_on(as_of) if treaty_record else TreatyStatus.NOT_YET_RESEARCHED
        self.treaty_status_detail = treaty_record.status_detail(as_of) if treaty_record else ""
        self.treaty_status_fact = treaty_record.deciding_action(as_of) if treaty_record else None
        self.latest_assessed_statement = latest_assessed_statement
        self.position = (
            ConventionPosition(self.latest_assessed_statement.position)
            if self.latest_assessed_statement
            else ConventionPosition.NOT_YET_RESEARCHED
        )
        self.submission = (
            written_submission.status_on(as_of) if written_submission else SubmissionStatus.NOT_YET_RESEARCHED
        )

    def next_steps(self):
        """The next steps (``dimensions.next_steps``) this state is at, in their order."""
        return [step for step in next_steps(tracked_dimensions([self])) if step.takes(self)]

    def position_on(self, day):
        """Its position on ``day``, from its changes of position (no query)."""
        return position_on(self.position_changes, day)

    @cached_property
    def instruments(self):
        """Where the state stands under each other tracked treaty, in the treaties' order."""
        return [
            InstrumentStanding(record, record.status_on(self.as_of), record.deciding_action(self.as_of))
            for record in self.other_records
        ]

    def instrument(self, slug):
        """Where the state stands under the other tracked treaty ``slug``."""
        return next(instrument for instrument in self.instruments if instrument.treaty.slug == slug)

    @property
    def position_fact(self):
        """The statement the position rests on (None: not yet researched)."""
        return self.latest_assessed_statement

    @property
    def submission_fact(self):
        return self.written_submission

    @cached_property
    def timeline(self):
        """The state's record as dated entries, newest first, read as a
        Paginator reads it, a slice at a time (``Timeline``): its actions
        under each tracked treaty (another treaty's named in the entry), the
        dates they took effect (derived, by each treaty's rules) and its
        statements. Worked out once per standing (renders of one data version
        share it)."""
        entries = []
        for record in [self.treaty_record, *self.other_records]:
            if record is None:
                continue
            events = self.treaty_events(record)
            if record is not self.treaty_record:  # another treaty's events say which treaty
                events = [
                    (day, kind, _("%(treaty)s: %(event)s") % {"treaty": record.treaty.local_name, "event": text}, fact)
                    for day, kind, text, fact in events
                ]
            entries += [
                TimelineEntry(day, date_format(day, "j F Y"), kind, text, fact) for day, kind, text, fact in events
            ]
        return Timeline(self.state, sorted(entries, key=lambda entry: entry.date)[::-1], self.statement_checks.count)

    def treaty_events(self, record):
        """(date, kind, words, fact) for a treaty record's actions and the dates
        they took effect (derived, by the treaty's rules)."""
        events = [
            (action.date, TimelineEntryKind.ACTION, action.get_action_type_display(), action)
            for action in record.actions
        ]
        treaty = record.treaty
        if record.entry_into_force:
            words = {"state": self.state.local_name, "article": treaty.entry_into_force_article}
            text = (
                _("Enters into force for %(state)s (%(article)s)") % words
                if treaty.entry_into_force_article
                else _("Enters into force for %(state)s") % words
            )
            events.append((record.entry_into_force, TimelineEntryKind.DERIVED, text, record.consent))
        if record.withdrawal_effective:
            text = (
                _("Withdrawal takes effect (%(article)s)") % {"article": treaty.withdrawal_article}
                if treaty.withdrawal_article
                else _("Withdrawal takes effect")
            )
            events.append((record.withdrawal_effective, TimelineEntryKind.DERIVED, text, record.withdrawal))
        return events

    @property
    def facts(self):
        """Its facts other than its statements, which are summed up in ``statement_checks``."""
        records = [self.treaty_record, *self.other_records] if self.treaty_record else self.other_records
        actions = [action for record in records for action in record.actions]
        facts = [self.state, *actions]
        return facts + [self.written_submission] if self.written_submission else facts

    @property
    def verification(self):
        """The weakest verification among the state's facts, its statements included."""
        order = [Verification.UNVERIFIED, Verification.SECONDARY, Verification.PRIMARY]
        levels = [Verification(fact.verification) for fact in self.facts] + self.statement_checks.verifications
        return min(levels, key=order.index)

    @property
    def last_verified(self):
        """The day by which every one of the state's facts, its statements
        included, had been checked, or None while any has never been checked."""
        dates = [fact.last_verified_on for fact in self.facts]
        if self.statement_checks.count:
            dates.append(self.statement_checks.last_verified_on)
        return None if None in dates else min(dates)


@dataclass
class StatesAtAStep:
    """The states at one next step (``dimensions.NextStep``) on a date."""

    step: object
    standings: list
    asks: dict

    def evidence_of(self, standing):
        return Evidence.of(self.step.dimension.fact_of(standing))

    def ask_of(self, standing):
        return self.asks.get((standing.state.pk, self.step.treaty_slug))

    @property
    def rows(self):
        """(standing, its status on the step's dimension, the strength of the
        fact behind it, the coalition's ask or None), by state."""
        return [
            (standing, self.step.dimension.status(standing), self.evidence_of(standing), self.ask_of(standing))
            for standing in self.standings
        ]

    @property
    def evidence(self):
        """How many of them rest on a fact of each strength."""
        counts = EvidenceCounts.fromkeys(Evidence, 0)
        for standing in self.standings:
            counts[self.evidence_of(standing)] += 1
        return counts


class EvidenceCounts(dict):
    """How many states of a category rest on a fact of each ``Evidence``
    strength; reads as words ("1 verified against the primary record, 4 from
    a secondary source only")."""

    @property
    def total(self):
        return sum(self.values())

    def __str__(self):
        return list_in_words(f"{count} {level.label}" for level, count in self.items() if count)


def list_separator():
    """What the reader's language puts between the items of a list (Arabic has a comma of its own)."""
    return pgettext("between the items of a list", ", ")


def list_in_words(items):
    """The items as the reader's language lists them."""
    return list_separator().join(str(item) for item in items)


def tally(values, choices):
    """Count ``values`` by category, every category of ``choices`` present, in order."""
    counts = Counter(values)
    return {choice: counts[choice] for choice in choices}


def counted_categories(dimension, present):
    """``dimension``'s counted categories, after any other status ``present``
    among the states': "not yet researched" under a treaty whose research
    staff marked incomplete is counted, never dropped from the figures."""
    others = [status for status in dimension.all_statuses if status in set(present) - set(dimension.categories)]
    return (*others, *dimension.categories)


class Standings(list):
    """The standings of some states on one date (``StateQuerySet.standings``),
    with the figures of each counting rule, counted once for them."""

    def __init__(self, standings=()):
        super().__init__(standings)
        self.by_rule = {}

    def figures(self, rule=CountingRule.ALL_TRACKED):
        rule = CountingRule(rule)
        if rule not in self.by_rule:
            self.by_rule[rule] = Figures(self, rule)
        return self.by_rule[rule]


class Figures:
    """The public figures for the states of one counting rule on one date,
    counted from their standings. Every page, export and API reads them here."""

    def __init__(self, standings, rule=CountingRule.ALL_TRACKED):
        self.rule = CountingRule(rule)
        self.standings = [standing for standing in standings if self.rule.includes(standing.state)]
        # Each count once per Figures, however often a page reads it (a page
        # reads some twenty times; the standings never change under them).
        self.by_dimension = {}

    def per_dimension(self, name, dimension, compute):
        key = (name, dimension.code)
        if key not in self.by_dimension:
            self.by_dimension[key] = compute()
        return self.by_dimension[key]

    @property
    def total(self):
        return len(self.standings)

    def categories(self, dimension):
        return self.per_dimension("categories", dimension, lambda: self._categories(dimension))

    def _categories(self, dimension):
        return counted_categories(dimension, {dimension.category_of(standing) for standing in self.standings})

    def counts(self, dimension):
        """How many states are in each of ``dimension``'s categories, every category present, in order."""
        return self.per_dimension("counts", dimension, lambda: self._counts(dimension))

    def _counts(self, dimension):
        return tally((dimension.category_of(standing) for standing in self.standings), self.categories(dimension))

    def evidence(self, dimension):
        """For each of ``dimension``'s categories, how many of its states rest on a fact of each ``Evidence``."""
        return self.per_dimension("evidence", dimension, lambda: self._evidence(dimension))

    def _evidence(self, dimension):
        table = {category: EvidenceCounts.fromkeys(Evidence, 0) for category in self.categories(dimension)}
        for standing in self.standings:
            table[dimension.category_of(standing)][Evidence.of(dimension.fact_of(standing))] += 1
        return table

    # The three dimensions' counts by name, as the templates and the API read them.

    @property
    def treaty_status_counts(self):
        """How many states are in each counted category (``TreatyStatus.counted_as``)."""
        return self.counts(ROME_STATUTE)

    @property
    def states_parties(self):
        return self.treaty_status_counts[TreatyStatus.STATE_PARTY]

    @property
    def position_counts(self):
        return self.counts(POSITION)

    @property
    def submission_counts(self):
        return self.counts(SUBMISSION)

    @cached_property
    def position_whose_words(self):
        """How many of the positions counted (every state with an assessed
        statement) rest on each kind of words (``WhoseWords``)."""
        kinds = [standing.position_fact.whose_words for standing in self.standings if standing.position_fact]
        return tally(kinds, list(WhoseWords))

    @property
    def research_coverage(self):
        """(states whose position has been researched, states counted)."""
        return self.total - self.position_counts[ConventionPosition.NOT_YET_RESEARCHED], self.total

    @cached_property
    def treaty_status_by_subregion(self):
        """For each M49 subregion that has states here, in code order, the count of each status."""
        by_subregion = defaultdict(list)
        for standing in self.standings:
            by_subregion[Subregion(standing.state.subregion)].append(ROME_STATUTE.category_of(standing))
        return {
            subregion: tally(statuses, self.categories(ROME_STATUTE))
            for subregion, statuses in sorted(by_subregion.items())
        }

    @property
    def treaty_status_evidence(self):
        return self.evidence(ROME_STATUTE)

    @property
    def position_evidence(self):
        return self.evidence(POSITION)

    @property
    def submission_evidence(self):
        return self.evidence(SUBMISSION)

    def states_by_position(self):
        """The counted states under each position, every position present, in order."""
        by_position = {position: [] for position in ConventionPosition}
        for standing in self.standings:
            by_position[standing.position].append(standing.state)
        return by_position

    def next_steps(self, asks=None):
        """Where to push: for each next step (``dimensions.next_steps``), the
        states here at it, by name, each with the strength of the fact its
        category rests on and the coalition's ask of it under the step's
        instrument, if ``asks`` ({(state pk, treaty slug): ask}) has one."""
        by_name = sorted(self.standings, key=lambda standing: standing.state.local_name.casefold())
        return [
            StatesAtAStep(step, [standing for standing in by_name if step.takes(standing)], asks or {})
            for step in next_steps(tracked_dimensions(self.standings))
        ]

    @cached_property
    def positions_over_time(self):
        """How many of these states held each position on a convention, as
        (day, counts): on 31 December of each year from that of the first
        assessed statement to the last year before the standings' date, then
        on that date. Each is counted as the pages count it on that day."""
        if not self.standings:
            return []
        until = self.standings[0].as_of
        first = min(
            (day for standing in self.standings for day, _position in standing.position_changes[:1] if day <= until),
            default=None,
        )
        if first is None:
            return [(until, self.position_counts)]
        days = [datetime.date(year, 12, 31) for year in range(first.year, until.year)]
        days += [day for day in [until] if day not in days]
        return [(day, self.positions_on(day)) for day in days]

    def positions_on(self, day):
        """How many of these states held each position on ``day``, counted as ``position_counts`` counts."""
        positions = [standing.position_on(day) for standing in self.standings]
        return tally(positions, counted_categories(POSITION, positions))

    @cached_property
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


# --- 6. The as-of date ----------------------------------------------------------

# How ``?as_of=`` is written, read alike by the pages, the page cache and the
# API. ASCII digits only: \d would also take "٢٠٢٣".
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def as_of_from_query(value):
    """``?as_of=``'s value as a date: today if empty; ValueError unless a real YYYY-MM-DD date."""
    value = value.strip()
    if not value:
        return timezone.localdate()
    if not ISO_DATE.fullmatch(value):
        raise ValueError(value)
    return datetime.date.fromisoformat(value)
