"""The Rome Statute figures the public sees, computed from the shipped seed's
dated actions: a seed test, where the seed is the point (the rules themselves
are tested on made-up states in test_rules.py)."""

import pytest

from states.choices import COUNTED_TREATY_STATUSES, CountingRule, Subregion, TreatyStatus
from states.models import State
from tests.helpers import day

pytestmark = pytest.mark.usefixtures("shipped_seed")

THE_19_ON_13_APRIL_2023 = [
    "Afghanistan",
    "Bangladesh",
    "Cambodia",
    "Cook Islands",
    "Cyprus",
    "Fiji",
    "Japan",
    "Jordan",
    "Kiribati",
    "Maldives",
    "Marshall Islands",
    "Mongolia",
    "Nauru",
    "Republic of Korea",
    "Samoa",
    "State of Palestine",
    "Tajikistan",
    "Timor-Leste",
    "Vanuatu",
]


def parties(treaty, on, rule=CountingRule.ICC_ASIA_PACIFIC):
    figures = State.objects.figures(treaty, day(on), rule)
    return sorted(s.state.name for s in figures.standings if s.treaty_status == TreatyStatus.STATE_PARTY)


def status_of(iso3, treaty, on):
    [standing] = State.objects.filter(iso3=iso3).standings(treaty, day(on))
    return standing.treaty_status


def asia_pacific_figures(treaty, on):
    return State.objects.figures(treaty, day(on), CountingRule.ICC_ASIA_PACIFIC)


def test_icc_asia_pacific_counting_rule_has_56_states(asia_pacific):
    assert asia_pacific.count() == 56
    assert set(asia_pacific.filter(un_regional_group="none").values_list("iso3", flat=True)) == {"PSE", "COK"}


def test_19_asia_pacific_states_parties_on_13_april_2023(rome_statute):
    assert parties(rome_statute, "2023-04-13") == THE_19_ON_13_APRIL_2023


@pytest.mark.parametrize("on", ["2023-04-12", "2023-04-14"])
def test_19_on_the_days_around_13_april_2023(rome_statute, on):
    assert len(parties(rome_statute, on)) == 19


def test_philippines_counts_until_the_day_before_its_withdrawal_took_effect(rome_statute):
    assert "Philippines" in parties(rome_statute, "2019-03-16")
    assert len(parties(rome_statute, "2019-03-16")) == 19


def test_philippines_not_a_party_once_withdrawal_took_effect(rome_statute):
    assert "Philippines" not in parties(rome_statute, "2019-03-17")
    assert len(parties(rome_statute, "2019-03-17")) == 18
    assert status_of("PHL", rome_statute, "2019-03-17") == TreatyStatus.WITHDRAWN


def test_philippines_still_a_party_while_its_withdrawal_was_pending(rome_statute):
    assert status_of("PHL", rome_statute, "2018-03-17") == TreatyStatus.STATE_PARTY
    assert status_of("PHL", rome_statute, "2011-10-31") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert status_of("PHL", rome_statute, "2011-11-01") == TreatyStatus.STATE_PARTY


def test_kiribati_counts_from_1_february_2020(rome_statute):
    assert "Kiribati" not in parties(rome_statute, "2020-01-31")
    assert status_of("KIR", rome_statute, "2020-01-31") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert "Kiribati" in parties(rome_statute, "2020-02-01")
    assert len(parties(rome_statute, "2020-01-31")) == 18
    assert len(parties(rome_statute, "2020-02-01")) == 19


@pytest.mark.parametrize(
    ("on", "status"),
    [
        ("2019-03-03", TreatyStatus.NON_PARTY),
        ("2019-03-04", TreatyStatus.JOINED_NOT_IN_FORCE),
        ("2019-04-28", TreatyStatus.JOINED_NOT_IN_FORCE),
        ("2019-04-29", TreatyStatus.NON_PARTY),
        ("2019-06-01", TreatyStatus.NON_PARTY),
        ("2026-11-29", TreatyStatus.NON_PARTY),
    ],
)
def test_malaysia_never_counts_because_it_withdrew_its_accession_before_it_took_effect(rome_statute, on, status):
    assert status_of("MYS", rome_statute, on) == status
    assert "Malaysia" not in parties(rome_statute, on)


def test_armenia_joined_in_2023_but_is_outside_the_asia_pacific_count(rome_statute):
    assert status_of("ARM", rome_statute, "2024-01-31") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert status_of("ARM", rome_statute, "2024-02-01") == TreatyStatus.STATE_PARTY
    assert "Armenia" not in parties(rome_statute, "2024-02-01")
    assert "Armenia" in parties(rome_statute, "2024-02-01", CountingRule.ALL_TRACKED)


def test_early_ratifications_take_effect_with_the_statute_on_1_july_2002(rome_statute):
    assert status_of("FJI", rome_statute, "2002-06-30") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert status_of("FJI", rome_statute, "2002-07-01") == TreatyStatus.STATE_PARTY
    assert status_of("FJI", rome_statute, "1999-11-28") == TreatyStatus.NON_PARTY


def test_status_counts_cover_every_state_in_the_rule(rome_statute):
    counts = asia_pacific_figures(rome_statute, "2023-04-13").treaty_status_counts
    assert list(counts) == COUNTED_TREATY_STATUSES
    assert counts == {
        TreatyStatus.NON_PARTY: 25,
        TreatyStatus.SIGNATORY: 11,
        TreatyStatus.JOINED_NOT_IN_FORCE: 0,
        TreatyStatus.STATE_PARTY: 19,
        TreatyStatus.WITHDRAWN: 1,
    }


def test_status_by_subregion_adds_up_to_the_status_counts(rome_statute):
    figures = asia_pacific_figures(rome_statute, "2023-04-13")
    by_subregion = figures.treaty_status_by_subregion
    assert Subregion.AUSTRALIA_AND_NEW_ZEALAND not in by_subregion
    assert by_subregion[Subregion.CENTRAL_ASIA][TreatyStatus.STATE_PARTY] == 1  # Tajikistan
    assert by_subregion[Subregion.SOUTH_EASTERN_ASIA][TreatyStatus.WITHDRAWN] == 1  # the Philippines
    totals = {status: sum(row[status] for row in by_subregion.values()) for status in COUNTED_TREATY_STATUSES}
    assert totals == figures.treaty_status_counts


def test_un_asia_pacific_group_rule_leaves_out_palestine_and_the_cook_islands(rome_statute):
    assert State.objects.in_counting_rule(CountingRule.UN_ASIA_PACIFIC_GROUP).count() == 54
    assert len(parties(rome_statute, "2023-04-13", CountingRule.UN_ASIA_PACIFIC_GROUP)) == 17
