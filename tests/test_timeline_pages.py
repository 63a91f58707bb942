"""A profile's timeline is read a page at a time from the database (issue 23):
the page a reader gets is that page of the whole record, newest first, however
the state's statements and treaty entries fall on the same days."""

import datetime

import pytest

from states.choices import ConventionPosition, TimelineEntryKind
from states.models import Source, State
from tests.helpers import day, published_action, published_statement


@pytest.fixture
def long_record(make_state, rome_statute, source):
    """A state that signed, ratified (so an entry into force is derived) and
    made 23 statements, some on the days of its treaty entries and two on one day."""
    state = make_state()
    published_action(state, rome_statute, "signature", "2000-12-28", source)
    published_action(state, rome_statute, "ratification", "2011-08-30", source)
    days = [day("2005-01-01") + datetime.timedelta(days=200 * number) for number in range(20)]
    days += [day("2000-12-28"), day("2011-08-30"), day("2011-11-01")]  # the days of its treaty entries
    for number, on in enumerate(days):
        published_statement(state, on.isoformat(), ConventionPosition.SUPPORTS, source, forum=f"Meeting {number}")
    another_record = Source.objects.create(url="https://example.org/another", title="Another record")
    published_statement(state, "2011-08-30", ConventionPosition.SUPPORTS, another_record)  # a second that day
    return state


def timeline_of(state):
    [standing] = State.objects.filter(pk=state.pk).standings(as_of=day("2026-11-29"))
    return standing.timeline


def test_the_timeline_holds_every_treaty_entry_and_statement_once(long_record):
    timeline = timeline_of(long_record)
    entries = timeline[0 : len(timeline)]
    assert len(entries) == len(timeline) == 3 + 24  # signature, ratification, entry into force; 24 statements
    statements = [entry.fact.pk for entry in entries if entry.kind == TimelineEntryKind.STATEMENT]
    assert sorted(statements) == sorted(long_record.position_statements.values_list("pk", flat=True))
    assert len([entry for entry in entries if entry.kind != TimelineEntryKind.STATEMENT]) == 3


def test_the_timeline_is_newest_first_with_a_days_statements_before_its_treaty_entries(long_record):
    timeline = timeline_of(long_record)
    entries = timeline[0 : len(timeline)]
    assert [entry.date for entry in entries] == sorted((entry.date for entry in entries), reverse=True)
    for on in {entry.date for entry in entries}:
        kinds = [entry.kind == TimelineEntryKind.STATEMENT for entry in entries if entry.date == on]
        assert kinds == sorted(kinds, reverse=True), on  # statements, then treaty entries
    ratified = [entry for entry in entries if entry.date == day("2011-08-30")]
    assert [entry.kind for entry in ratified] == [TimelineEntryKind.STATEMENT] * 2 + [TimelineEntryKind.ACTION]
    assert ratified[0].fact.pk > ratified[1].fact.pk  # the newer record first


@pytest.mark.parametrize("size", [1, 3, 4, 10, 26, 27])
def test_every_page_of_the_timeline_is_that_page_of_the_whole(long_record, size):
    whole = timeline_of(long_record)[0:27]
    for start in range(0, 27, size):
        timeline = timeline_of(long_record)  # read afresh: nothing kept between the pages
        assert timeline[start : start + size] == whole[start : start + size], start


def test_a_page_past_the_end_is_empty(long_record):
    timeline = timeline_of(long_record)
    assert timeline[27:37] == []
