"""Rome Statute art. 126(2) (entry into force for a joining state) and
art. 127 (withdrawal), as ``states.rules`` applies them."""

import pytest

from states.choices import PeriodUnit
from states.models import Treaty
from states.rules import entry_into_force_for, withdrawal_effective_on
from tests.helpers import day


@pytest.fixture
def statute():
    """The Rome Statute's rules, as an unsaved record (no database needed)."""
    return Treaty(
        slug="rome",
        entered_into_force_on=day("2002-07-01"),
        entry_into_force_period=60,
        entry_into_force_period_unit=PeriodUnit.DAYS,
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
    )
    assert entry_into_force_for(treaty, day("2025-01-15")) == day("2025-05-01")
