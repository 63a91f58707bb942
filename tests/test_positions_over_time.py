"""Positions on a convention over time: on 31 December of each year and on the
page's date, counted as the overview counts them on those days."""

import datetime
import re

import pytest

from states.choices import ConventionPosition, CountingRule
from states.models import State
from tests.helpers import day, published_statement

HEADLINE = CountingRule.ICC_ASIA_PACIFIC


@pytest.fixture
def three_states(make_state, source):
    changed_its_mind, quiet_then_spoke, never_spoke = make_state(), make_state(), make_state()
    published_statement(changed_its_mind, "2021-05-01", ConventionPosition.SUPPORTS, source)
    published_statement(changed_its_mind, "2024-03-01", ConventionPosition.OPPOSES_OR_SCEPTICAL, source)
    published_statement(quiet_then_spoke, "2023-12-31", ConventionPosition.NON_COMMITTAL, source)
    published_statement(quiet_then_spoke, "2025-09-01", ConventionPosition.SUPPORTS, source)  # after the page's date
    return [changed_its_mind, quiet_then_spoke, never_spoke]


def over_time(states, on):
    figures = State.objects.filter(pk__in=[state.pk for state in states]).figures(as_of=day(on))
    return figures.positions_over_time


def test_positions_are_counted_at_each_year_end_from_the_first_statement_and_on_the_pages_date(three_states):
    rows = over_time(three_states, "2025-06-30")
    assert [on.isoformat() for on, _counts in rows] == [
        "2021-12-31",
        "2022-12-31",
        "2023-12-31",
        "2024-12-31",
        "2025-06-30",
    ]
    supports, opposes, quiet = (
        ConventionPosition.SUPPORTS,
        ConventionPosition.OPPOSES_OR_SCEPTICAL,
        ConventionPosition.NON_COMMITTAL,
    )
    assert [(counts[supports], counts[opposes], counts[quiet]) for _on, counts in rows] == [
        (1, 0, 0),
        (1, 0, 0),
        (1, 0, 1),  # a statement of 31 December counts in its own year
        (0, 1, 1),
        (0, 1, 1),  # the statement of September 2025 is not yet made on 30 June
    ]
    assert all(sum(counts.values()) == 3 for _on, counts in rows)  # every state counted each time


def test_each_point_in_time_matches_the_figures_asked_for_that_day(three_states):
    states = State.objects.filter(pk__in=[state.pk for state in three_states])
    for on, counts in over_time(three_states, "2026-01-15"):
        assert counts == states.figures(as_of=on).position_counts, on


def test_with_no_assessed_statement_there_is_only_the_pages_date(make_state):
    rows = over_time([make_state(), make_state()], "2026-01-15")
    assert [(on.isoformat(), counts[ConventionPosition.NOT_YET_RESEARCHED]) for on, counts in rows] == [
        ("2026-01-15", 2)
    ]


def test_the_convention_page_charts_positions_over_time_as_the_overview_counts_them_on_those_days(client, db):
    page = client.get("/convention/", {"as_of": "2024-06-30"}).content.decode()
    table = page.split('id="over-time-title"')[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td>\d+</td>)+)</tr>', table)
    assert [label for label, _cells in rows][-2:] == ["31 December 2023", "30 June 2024"]
    for label, cells in rows:
        on = datetime.datetime.strptime(label, "%d %B %Y").date()
        counted = [int(count) for count in re.findall(r"<td>(\d+)</td>", cells)]
        assert counted == list(State.objects.figures(as_of=on, rule=HEADLINE).position_counts.values()), label
    # And as the overview of that day shows them (the last two rows: each overview is a full render).
    for label, cells in rows[-2:]:
        on = datetime.datetime.strptime(label, "%d %B %Y").date()
        overview = client.get("/", {"as_of": on.isoformat()}).content.decode()
        shown = re.findall(r'<data id="positions-researched" value="(\d+)"', overview)
        counted = [int(count) for count in re.findall(r"<td>(\d+)</td>", cells)]
        assert shown == [str(sum(counted) - counted[-1])], label  # researched: all but "not yet researched"
