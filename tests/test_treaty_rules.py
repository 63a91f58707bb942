"""Rome Statute art. 126(2) (entry into force for a joining state) and
art. 127 (withdrawal), as ``states.rules`` applies them."""

import pytest
from django.core.exceptions import ValidationError

from states.choices import EntryIntoForceRule, PeriodUnit, TreatyActionType, TreatyStatus
from states.models import Treaty, TreatyAction
from states.rules import TreatyRecord, entry_into_force_for, withdrawal_effective_on
from tests.helpers import AMENDMENT_RULES, amendments_of, day


@pytest.fixture
def statute():
    """The Rome Statute's rules, as an unsaved record (no database needed)."""
    return Treaty(
        slug="rome",
        entered_into_force_on=day("2002-07-01"),
        entry_into_force_period=60,
        entry_into_force_period_unit=PeriodUnit.DAYS,
        entry_into_force_rule=EntryIntoForceRule.FIRST_OF_MONTH_AFTER_PERIOD,
        withdrawal_period_months=12,
    )


@pytest.mark.parametrize(
    ("deposited", "in_force"),
    [
        ("2003-02-10", "2003-05-01"),  # Afghanistan: 60th day 11 April, so 1 May
        ("2019-11-26", "2020-02-01"),  # Kiribati: 60th day 25 January
        ("2015-01-02", "2015-04-01"),  # Palestine: 60th day 3 March
        ("2011-12-02", "2012-02-01"),  # Vanuatu: 60th day 31 January, so 1 February
        ("2018-12-31", "2019-04-01"),  # 60th day is 1 March itself: the month after is April
        ("2002-05-02", "2002-08-01"),  # 60th day is 1 July 2002
        ("2002-07-01", "2002-09-01"),  # Australia
    ],
)
def test_in_force_on_first_day_of_month_after_60th_day_following_deposit(statute, deposited, in_force):
    assert entry_into_force_for(statute, day(deposited)) == day(in_force)


@pytest.mark.parametrize("deposited", ["1999-11-29", "2002-04-11", "2002-05-01"])
def test_never_in_force_before_the_statute_itself_on_1_july_2002(statute, deposited):
    assert entry_into_force_for(statute, day(deposited)) == day("2002-07-01")


def test_withdrawal_takes_effect_one_year_after_notification(statute):
    assert withdrawal_effective_on(statute, day("2018-03-17")) == day("2019-03-17")


def test_withdrawal_notified_on_29_february_takes_effect_on_28_february(statute):
    assert withdrawal_effective_on(statute, day("2024-02-29")) == day("2025-02-28")


def test_withdrawal_takes_effect_on_a_later_date_given_in_the_notification(statute):
    assert withdrawal_effective_on(statute, day("2018-03-17"), later_date=day("2019-06-01")) == day("2019-06-01")


def test_a_treaty_not_yet_in_force_dates_no_entry_into_force():
    convention = Treaty(slug="cah", entry_into_force_period=None, entry_into_force_period_unit="")
    assert entry_into_force_for(convention, day("2030-01-15")) is None


def test_a_treaty_counted_in_months_fits_without_a_schema_change():
    # Rules of the shape "first day of the month after three months following deposit".
    treaty = Treaty(
        slug="months",
        entered_into_force_on=day("2020-01-01"),
        entry_into_force_period=3,
        entry_into_force_period_unit=PeriodUnit.MONTHS,
        entry_into_force_rule=EntryIntoForceRule.FIRST_OF_MONTH_AFTER_PERIOD,
    )
    assert entry_into_force_for(treaty, day("2025-01-15")) == day("2025-05-01")


# --- Rules as data: an amendment, and a treaty whose rules nobody has read yet ----------


@pytest.fixture
def amendments():
    """The Kampala amendments' rules (Rome Statute art. 121(5)), unsaved."""
    return Treaty(slug="amendments", short_name="Amendments", **AMENDMENT_RULES)


@pytest.mark.parametrize(
    ("deposited", "in_force"),
    [
        ("2012-09-25", "2013-09-25"),  # Samoa: a year to the day, not the 1st of the next month
        ("2016-06-26", "2017-06-26"),  # State of Palestine
        ("2016-02-29", "2017-02-28"),
    ],
)
def test_an_amendment_enters_into_force_for_a_state_exactly_one_year_after_its_deposit(amendments, deposited, in_force):
    assert entry_into_force_for(amendments, day(deposited)) == day(in_force)


def test_a_treaty_whose_entry_into_force_rule_nobody_has_read_is_never_said_in_force_for_a_state():
    convention = Treaty(slug="lth", adopted_on=day("2023-05-26"), entered_into_force_on=None)
    assert entry_into_force_for(convention, day("2024-06-24")) is None
    ratified = TreatyAction(action_type=TreatyActionType.RATIFICATION, date=day("2025-01-10"))
    record = TreatyRecord(convention, [ratified])
    assert record.status_on(day("2030-01-01")) == TreatyStatus.JOINED_NOT_IN_FORCE


@pytest.fixture
def statute_and_amendments(db, source):
    statute = Treaty.objects.create(
        slug="a-statute",
        short_name="A Statute",
        title="A statute",
        adopted_on=day("1998-07-17"),
        entered_into_force_on=day("2002-07-01"),
        entry_into_force_period=60,
        entry_into_force_period_unit=PeriodUnit.DAYS,
        entry_into_force_rule=EntryIntoForceRule.FIRST_OF_MONTH_AFTER_PERIOD,
        every_state_researched=True,
        source=source,
    )
    amendments = amendments_of(statute, source, slug="its-amendments", short_name="Its amendments", title="Amendments")
    return statute, amendments


def act(state, treaty, action_type, date, source):
    return TreatyAction(
        state=state, treaty=treaty, action_type=action_type, date=day(date), source=source, publication="published"
    )


def refusal_of(action):
    with pytest.raises(ValidationError) as refused:
        action.clean_across_rows()
    return " ".join(refused.value.message_dict["action_type"])


def test_an_amendment_without_a_signature_step_refuses_a_signature(statute_and_amendments, make_state, source):
    _statute, amendments = statute_and_amendments
    assert "Its amendments have no signature step" in refusal_of(
        act(make_state(), amendments, "signature", "2012-01-01", source)
    )


def test_a_state_party_to_the_statute_ratifies_the_amendments_without_signing(
    statute_and_amendments, make_state, source
):
    statute, amendments = statute_and_amendments
    state = make_state()
    act(state, statute, "accession", "2003-02-10", source).save()  # in force 1 May 2003
    ratification = act(state, amendments, "ratification", "2012-09-25", source)
    ratification.clean_across_rows()  # no signature needed, and a State Party then
    ratification.save()
    record = TreatyRecord(amendments, [ratification])
    assert record.status_on(day("2013-09-24")) == TreatyStatus.JOINED_NOT_IN_FORCE
    assert record.status_on(day("2013-09-25")) == TreatyStatus.STATE_PARTY


def test_only_a_state_party_to_the_statute_on_the_day_may_ratify_the_amendments(
    statute_and_amendments, make_state, source
):
    statute, amendments = statute_and_amendments
    never_joined, joined_later = make_state(), make_state()
    assert (
        f"Only States Parties to the A Statute can join the Its amendments, and {never_joined.name} was not one on "
        "2012-09-25 (its status then: Non-party)."
        in refusal_of(act(never_joined, amendments, "ratification", "2012-09-25", source))
    )
    act(joined_later, statute, "accession", "2015-01-02", source).save()  # in force 1 April 2015
    assert "was not one on 2015-03-31 (its status then: Joined, not yet in force)" in refusal_of(
        act(joined_later, amendments, "ratification", "2015-03-31", source)
    )
    act(joined_later, amendments, "ratification", "2015-04-01", source).clean_across_rows()
