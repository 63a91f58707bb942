"""The figures the public sees, computed from the seed data's dated actions."""

import pytest

from states.models import (
    ConventionPosition,
    CountingRule,
    Publication,
    State,
    SubmissionStatus,
    Subregion,
    TreatyStatus,
    WrittenSubmission,
)
from tests.conftest import day

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


def parties(asia_pacific, treaty, on):
    return sorted(asia_pacific.states_parties(treaty, as_of=day(on)).values_list("name", flat=True))


def status_of(iso3, treaty, on):
    statuses = State.objects.filter(iso3=iso3).treaty_statuses(treaty, as_of=day(on))
    return next(iter(statuses.values()))


def test_icc_asia_pacific_counting_rule_has_56_states(asia_pacific):
    assert asia_pacific.count() == 56
    assert set(asia_pacific.filter(un_regional_group="none").values_list("iso3", flat=True)) == {"PSE", "COK"}


def test_19_asia_pacific_states_parties_on_13_april_2023(asia_pacific, rome_statute):
    assert parties(asia_pacific, rome_statute, "2023-04-13") == THE_19_ON_13_APRIL_2023


@pytest.mark.parametrize("on", ["2023-04-12", "2023-04-14"])
def test_19_on_the_days_around_13_april_2023(asia_pacific, rome_statute, on):
    assert len(parties(asia_pacific, rome_statute, on)) == 19


def test_philippines_counts_until_the_day_before_its_withdrawal_took_effect(asia_pacific, rome_statute):
    assert "Philippines" in parties(asia_pacific, rome_statute, "2019-03-16")
    assert len(parties(asia_pacific, rome_statute, "2019-03-16")) == 19


def test_philippines_not_a_party_once_withdrawal_took_effect(asia_pacific, rome_statute):
    assert "Philippines" not in parties(asia_pacific, rome_statute, "2019-03-17")
    assert len(parties(asia_pacific, rome_statute, "2019-03-17")) == 18
    assert status_of("PHL", rome_statute, "2019-03-17") == TreatyStatus.WITHDRAWN


def test_philippines_still_a_party_while_its_withdrawal_was_pending(rome_statute):
    assert status_of("PHL", rome_statute, "2018-03-17") == TreatyStatus.STATE_PARTY
    assert status_of("PHL", rome_statute, "2011-10-31") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert status_of("PHL", rome_statute, "2011-11-01") == TreatyStatus.STATE_PARTY


def test_kiribati_counts_from_1_february_2020(asia_pacific, rome_statute):
    assert "Kiribati" not in parties(asia_pacific, rome_statute, "2020-01-31")
    assert status_of("KIR", rome_statute, "2020-01-31") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert "Kiribati" in parties(asia_pacific, rome_statute, "2020-02-01")
    assert len(parties(asia_pacific, rome_statute, "2020-01-31")) == 18
    assert len(parties(asia_pacific, rome_statute, "2020-02-01")) == 19


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
def test_malaysia_never_counts_because_it_withdrew_its_accession_before_it_took_effect(
    asia_pacific, rome_statute, on, status
):
    assert status_of("MYS", rome_statute, on) == status
    assert "Malaysia" not in parties(asia_pacific, rome_statute, on)


def test_armenia_joined_in_2023_but_is_outside_the_asia_pacific_count(asia_pacific, rome_statute):
    assert status_of("ARM", rome_statute, "2024-01-31") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert status_of("ARM", rome_statute, "2024-02-01") == TreatyStatus.STATE_PARTY
    assert "Armenia" not in parties(asia_pacific, rome_statute, "2024-02-01")
    everyone = State.objects.in_counting_rule(CountingRule.ALL_TRACKED)
    assert "Armenia" in parties(everyone, rome_statute, "2024-02-01")


def test_early_ratifications_take_effect_with_the_statute_on_1_july_2002(rome_statute):
    assert status_of("FJI", rome_statute, "2002-06-30") == TreatyStatus.JOINED_NOT_IN_FORCE
    assert status_of("FJI", rome_statute, "2002-07-01") == TreatyStatus.STATE_PARTY
    assert status_of("FJI", rome_statute, "1999-11-28") == TreatyStatus.NON_PARTY


def test_status_counts_cover_every_state_in_the_rule(asia_pacific, rome_statute):
    counts = asia_pacific.count_by_treaty_status(rome_statute, as_of=day("2023-04-13"))
    assert list(counts) == list(TreatyStatus)
    assert counts == {
        TreatyStatus.NON_PARTY: 25,
        TreatyStatus.SIGNATORY: 11,
        TreatyStatus.JOINED_NOT_IN_FORCE: 0,
        TreatyStatus.STATE_PARTY: 19,
        TreatyStatus.WITHDRAWN: 1,
    }


def test_status_by_subregion_adds_up_to_the_status_counts(asia_pacific, rome_statute):
    on = day("2023-04-13")
    by_subregion = asia_pacific.treaty_status_by_subregion(rome_statute, as_of=on)
    assert Subregion.AUSTRALIA_AND_NEW_ZEALAND not in by_subregion
    assert by_subregion[Subregion.CENTRAL_ASIA][TreatyStatus.STATE_PARTY] == 1  # Tajikistan
    assert by_subregion[Subregion.SOUTH_EASTERN_ASIA][TreatyStatus.WITHDRAWN] == 1  # the Philippines
    totals = {status: sum(row[status] for row in by_subregion.values()) for status in TreatyStatus}
    assert totals == asia_pacific.count_by_treaty_status(rome_statute, as_of=on)


def test_un_asia_pacific_group_rule_leaves_out_palestine_and_the_cook_islands(rome_statute):
    apg = State.objects.in_counting_rule(CountingRule.UN_ASIA_PACIFIC_GROUP)
    assert apg.count() == 54
    assert apg.states_parties(rome_statute, as_of=day("2023-04-13")).count() == 17


def test_current_position_is_the_latest_assessed_statement(asia_pacific):
    positions = asia_pacific.convention_positions(as_of=day("2026-11-29"))
    by_iso3 = dict(asia_pacific.values_list("iso3", "pk"))
    assert positions[by_iso3["FSM"]] == ConventionPosition.SUPPORTS
    assert positions[by_iso3["PHL"]] == ConventionPosition.SUPPORTS_WITH_RESERVATIONS
    assert positions[by_iso3["SGP"]] == ConventionPosition.NON_COMMITTAL
    # Singapore's latest statement (April 2024) was not assessed: its position stands.
    assert positions[by_iso3["CHN"]] == ConventionPosition.OPPOSES_OR_SCEPTICAL
    # Sri Lanka spoke, but nobody has yet read a position into what it said.
    assert positions[by_iso3["LKA"]] == ConventionPosition.NOT_YET_RESEARCHED
    assert positions[by_iso3["KHM"]] == ConventionPosition.NOT_YET_RESEARCHED


def test_position_depends_on_the_date(asia_pacific):
    micronesia = asia_pacific.filter(iso3="FSM")
    assert list(micronesia.convention_positions(as_of=day("2024-10-09")).values()) == [
        ConventionPosition.NOT_YET_RESEARCHED
    ]
    assert list(micronesia.convention_positions(as_of=day("2024-10-10")).values()) == [ConventionPosition.SUPPORTS]


def test_position_counts_keep_not_yet_researched_apart_from_no_public_position(asia_pacific):
    counts = asia_pacific.count_by_convention_position(as_of=day("2026-11-29"))
    assert counts[ConventionPosition.NO_PUBLIC_POSITION] == 0
    assert counts[ConventionPosition.NOT_YET_RESEARCHED] == 44
    assert counts[ConventionPosition.SUPPORTS] == 5  # BGD, JOR, MYS, THA, FSM
    assert sum(counts.values()) == 56


def test_research_coverage_counts_states_with_a_researched_position(asia_pacific):
    assert asia_pacific.research_coverage(as_of=day("2026-11-29")) == (12, 56)
    assert asia_pacific.research_coverage(as_of=day("2019-01-01")) == (0, 56)


def test_no_state_is_counted_as_not_submitting_until_someone_has_researched_it(asia_pacific):
    counts = asia_pacific.count_by_submission(as_of=day("2024-01-01"))
    assert counts == {
        SubmissionStatus.MADE: 0,
        SubmissionStatus.NOT_MADE: 0,
        SubmissionStatus.NOT_YET_RESEARCHED: 56,
    }


def test_a_recorded_submission_counts_from_its_date(asia_pacific, source):
    singapore_only = asia_pacific.filter(iso3="SGP")
    WrittenSubmission.objects.create(
        publication=Publication.PUBLISHED,
        state=singapore_only.get(),
        status=SubmissionStatus.MADE,
        submitted_on=day("2023-11-30"),
        source=source,
    )
    assert singapore_only.count_by_submission(as_of=day("2023-11-29"))[SubmissionStatus.NOT_MADE] == 1
    assert singapore_only.count_by_submission(as_of=day("2023-11-30"))[SubmissionStatus.MADE] == 1
