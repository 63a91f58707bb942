"""The position rule, the submission rule, counting rules and the figures,
tried on made-up states so that new research in the seed never breaks them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from states.choices import (
    COUNTED_TREATY_STATUSES,
    ConventionPosition,
    CountingRule,
    DatePrecision,
    Publication,
    SubmissionStatus,
    TreatyStatus,
    Verification,
)
from states.models import PositionStatement, Source, State, WrittenSubmission
from states.rules import Figures, Standing
from tests.helpers import comments_made, day, published_action, published_statement


@pytest.fixture
def testland(make_state):
    return make_state()


def position_of(state, on):
    [standing] = State.objects.filter(pk=state.pk).standings(as_of=day(on))
    return standing.position


def figures_of(states, on, treaty=None, rule=CountingRule.ALL_TRACKED):
    return State.objects.filter(pk__in=[state.pk for state in states]).figures(treaty, day(on), rule)


# --- The position rule ---------------------------------------------------------------


def test_a_state_with_no_statement_is_not_yet_researched(testland):
    assert position_of(testland, "2026-11-29") == ConventionPosition.NOT_YET_RESEARCHED


def test_the_position_is_that_of_the_latest_assessed_statement(testland, source):
    published_statement(testland, "2019-10-10", "opposes_or_sceptical", source)
    published_statement(testland, "2023-10-11", "supports_with_reservations", source, forum="Sixth Committee, 78th")
    assert position_of(testland, "2023-10-10") == ConventionPosition.OPPOSES_OR_SCEPTICAL
    assert position_of(testland, "2023-10-11") == ConventionPosition.SUPPORTS_WITH_RESERVATIONS


def test_a_statement_not_yet_assessed_leaves_the_position_as_it_was(testland, source):
    published_statement(testland, "2022-10-10", "non_committal", source)
    published_statement(testland, "2024-04-01", "not_yet_researched", source, forum="Resumed session")
    assert position_of(testland, "2026-11-29") == ConventionPosition.NON_COMMITTAL


def test_a_state_that_spoke_but_was_never_assessed_is_not_yet_researched(testland, source):
    published_statement(testland, "2024-04-01", "not_yet_researched", source)
    assert position_of(testland, "2026-11-29") == ConventionPosition.NOT_YET_RESEARCHED


def test_a_draft_statement_does_not_count(testland, source):
    statement = published_statement(testland, "2024-04-01", "supports", source)
    statement.publication = Publication.DRAFT
    statement.save()
    assert position_of(testland, "2026-11-29") == ConventionPosition.NOT_YET_RESEARCHED


def test_of_two_assessed_statements_on_one_day_the_one_recorded_later_gives_the_position(testland, source):
    published_statement(testland, "2024-10-10", "non_committal", source)
    other_record = Source.objects.create(url="https://example.org/other", title="Another record")
    published_statement(testland, "2024-10-10", "supports", other_record)
    assert position_of(testland, "2026-11-29") == ConventionPosition.SUPPORTS


def test_each_state_has_its_own_latest_statement(make_state, source):
    early, late = make_state(), make_state()
    published_statement(early, "2019-10-10", "supports", source)
    published_statement(late, "2019-10-10", "opposes_or_sceptical", source)
    published_statement(late, "2025-10-10", "non_committal", source)
    latest = PositionStatement.objects.published().filter(state__in=[early, late]).latest_assessed(day("2026-11-29"))
    assert {statement.state_id: statement.date.isoformat() for statement in latest} == {
        early.pk: "2019-10-10",
        late.pk: "2025-10-10",
    }


def test_only_statements_that_change_the_position_are_read_for_positions_over_time(testland, source):
    for on, position in [
        ("2019-10-10", "non_committal"),
        ("2020-10-10", "non_committal"),  # restated
        ("2021-10-10", "not_yet_researched"),  # not assessed: changes nothing
        ("2022-10-10", "supports"),
        ("2023-10-10", "supports"),
    ]:
        published_statement(testland, on, position, source)
    changes = PositionStatement.objects.published().filter(state=testland).position_changes()
    assert [(on.isoformat(), position) for _state, on, position in changes] == [
        ("2019-10-10", "non_committal"),
        ("2022-10-10", "supports"),
    ]


# --- Verification -------------------------------------------------------------------------


def verified(fact, on):
    fact.verification, fact.last_verified_on = Verification.PRIMARY, day(on)
    fact.save()
    return fact


def test_a_states_verification_is_its_weakest_facts_statements_included(testland, source):
    verified(testland, "2026-01-01")
    verified(published_statement(testland, "2019-10-10", "supports", source), "2026-02-01")
    [standing] = State.objects.filter(pk=testland.pk).standings(as_of=day("2026-11-29"))
    assert (standing.verification, standing.last_verified) == (Verification.PRIMARY, day("2026-01-01"))
    published_statement(testland, "2018-10-10", "supports", source)  # an earlier one, never checked
    [standing] = State.objects.filter(pk=testland.pk).standings(as_of=day("2026-11-29"))
    assert (standing.verification, standing.last_verified) == (Verification.UNVERIFIED, None)


def test_a_statement_checked_long_ago_dates_the_states_last_check(testland, source):
    verified(testland, "2026-01-01")
    verified(published_statement(testland, "2019-10-10", "supports", source), "2026-02-01")
    old = verified(published_statement(testland, "2020-10-10", "supports", source), "2024-05-05")
    old.verification = Verification.SECONDARY
    old.save()
    [standing] = State.objects.filter(pk=testland.pk).standings(as_of=day("2026-11-29"))
    assert (standing.verification, standing.last_verified) == (Verification.SECONDARY, day("2024-05-05"))


# --- Figures ----------------------------------------------------------------------------


def test_position_counts_keep_not_yet_researched_apart_from_no_public_position(make_state, source):
    looked, spoke, unknown = make_state(), make_state(), make_state()
    published_statement(looked, "2024-01-01", "no_public_position", source)
    published_statement(spoke, "2024-01-01", "supports", source)
    counts = figures_of([looked, spoke, unknown], "2026-11-29").position_counts
    assert list(counts) == list(ConventionPosition)
    assert counts[ConventionPosition.NO_PUBLIC_POSITION] == 1
    assert counts[ConventionPosition.NOT_YET_RESEARCHED] == 1
    assert counts[ConventionPosition.SUPPORTS] == 1
    assert sum(counts.values()) == 3


def test_research_coverage_counts_states_with_a_researched_position(make_state, source):
    states = [make_state() for _ in range(4)]
    published_statement(states[0], "2024-01-01", "supports", source)
    published_statement(states[1], "2024-06-01", "no_public_position", source)
    assert figures_of(states, "2026-11-29").research_coverage == (2, 4)
    assert figures_of(states, "2024-03-01").research_coverage == (1, 4)
    assert figures_of(states, "2023-12-31").research_coverage == (0, 4)


def test_no_state_is_counted_as_not_submitting_until_someone_has_researched_it(make_state):
    counts = figures_of([make_state(), make_state()], "2024-01-01").submission_counts
    assert counts == {
        SubmissionStatus.MADE: 0,
        SubmissionStatus.NOT_MADE: 0,
        SubmissionStatus.NOT_YET_RESEARCHED: 2,
    }


def test_a_recorded_submission_counts_from_its_date(testland, source):
    WrittenSubmission.objects.create(
        publication=Publication.PUBLISHED,
        state=testland,
        status=SubmissionStatus.MADE,
        submitted_on=day("2023-11-30"),
        source=source,
    )
    assert figures_of([testland], "2023-11-29").submission_counts[SubmissionStatus.NOT_MADE] == 1
    assert figures_of([testland], "2023-11-30").submission_counts[SubmissionStatus.MADE] == 1


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        ("2022-12-31", SubmissionStatus.NOT_MADE),
        ("2023-01-01", SubmissionStatus.NOT_YET_RESEARCHED),  # some day of 2023: which, nobody knows
        ("2023-12-30", SubmissionStatus.NOT_YET_RESEARCHED),
        ("2023-12-31", SubmissionStatus.MADE),
    ],
)
def test_comments_known_only_to_the_year_count_as_made_once_that_year_is_over(testland, source, as_of, status):
    comments_made(testland, "2023-01-01", source, DatePrecision.YEAR).save()
    assert figures_of([testland], as_of).submission_counts[status] == 1


def test_a_date_known_only_to_the_year_is_entered_as_1_january(testland, source):
    mid_year = comments_made(testland, "2023-12-01", source, DatePrecision.YEAR)
    with pytest.raises(ValidationError, match="to the year: as 1 January"):
        mid_year.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        mid_year.save()


def test_figures_count_only_the_states_of_their_counting_rule(make_state, rome_statute, source):
    inside, outside = make_state(), make_state(in_icc_asia_pacific=False, un_regional_group="WEOG")
    for state in (inside, outside):
        published_action(state, rome_statute, "accession", "2010-01-01", source)
    assert figures_of([inside, outside], "2026-11-29", rome_statute).states_parties == 2
    counted = figures_of([inside, outside], "2026-11-29", rome_statute, CountingRule.ICC_ASIA_PACIFIC)
    assert counted.states_parties == 1
    assert counted.total == 1
    assert counted.rule == CountingRule.ICC_ASIA_PACIFIC


def test_figures_asked_for_without_a_treaty_count_the_rome_statute(make_state, rome_statute, source):
    state = make_state()
    published_action(state, rome_statute, "accession", "2010-01-01", source)
    figures = State.objects.filter(pk=state.pk).figures(as_of=day("2026-11-29"))
    assert (figures.states_parties, figures.treaty_status_counts[TreatyStatus.NON_PARTY]) == (1, 0)


def test_figures_before_the_rome_statute_is_loaded_say_nobody_has_researched_it(make_state):
    standing = Standing(make_state(), day("2026-11-29"), None, latest_assessed_statement=None, written_submission=None)
    figures = Figures([standing])
    assert figures.states_parties == 0
    assert figures.treaty_status_counts[TreatyStatus.NOT_YET_RESEARCHED] == 1


@pytest.mark.parametrize("rule", list(CountingRule))
def test_each_counting_rule_selects_the_same_states_in_sql_and_in_python(db, rule):
    in_sql = set(State.objects.in_counting_rule(rule))
    in_python = {standing.state for standing in Figures(State.objects.standings(), rule).standings}
    assert in_sql == in_python
    assert in_sql


def test_states_parties_over_time_steps_at_each_entry_into_force_and_withdrawal(make_state, rome_statute, source):
    early, late = make_state(), make_state()
    published_action(early, rome_statute, "accession", "2003-02-10", source)  # in force 1 May 2003
    published_action(late, rome_statute, "accession", "2011-12-02", source)  # in force 1 February 2012
    published_action(early, rome_statute, "withdrawal", "2018-03-17", source)  # takes effect 17 March 2019
    steps = figures_of([early, late], "2026-11-29", rome_statute).states_parties_over_time
    assert steps == [
        (rome_statute.adopted_on, 0),
        (day("2003-05-01"), 1),
        (day("2012-02-01"), 2),
        (day("2019-03-17"), 1),
    ]


def test_status_by_subregion_adds_up_to_the_status_counts(make_state, rome_statute, source):
    party = make_state(subregion="035")
    published_action(party, rome_statute, "accession", "2010-01-01", source)
    signatory = make_state(subregion="034")
    published_action(signatory, rome_statute, "signature", "2000-01-01", source)
    figures = figures_of([party, signatory, make_state(subregion="034")], "2026-11-29", rome_statute)
    by_subregion = figures.treaty_status_by_subregion
    assert list(by_subregion) == ["034", "035"]
    assert by_subregion["034"][TreatyStatus.SIGNATORY] == 1
    assert by_subregion["034"][TreatyStatus.NON_PARTY] == 1
    assert by_subregion["035"][TreatyStatus.STATE_PARTY] == 1
    totals = {status: sum(row[status] for row in by_subregion.values()) for status in COUNTED_TREATY_STATUSES}
    assert totals == figures.treaty_status_counts


def test_states_by_position_lists_every_position_in_order(make_state, source):
    speaker = make_state()
    published_statement(speaker, "2024-01-01", "supports", source)
    by_position = figures_of([speaker, make_state()], "2026-11-29").states_by_position()
    assert list(by_position) == list(ConventionPosition)
    assert by_position[ConventionPosition.SUPPORTS] == [speaker]
    assert len(by_position[ConventionPosition.NOT_YET_RESEARCHED]) == 1
