"""make bench reads wrk's report as wrk writes it, on a quiet machine or a busy one, works its ratios
out from neighbours in time, and writes only into a database of its own (issue 23)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from states.choices import ChangeKind, RecordKind
from states.management.commands.bench import (
    PUBLISHED_BY_BENCH,
    fill_first_page_of_changes,
    interleaved_ratios,
    latency_percentiles,
    publish,
    recovery_seconds,
    to_ms,
)
from states.models import PositionStatement, PublishedChange
from states.page_cache import database_version
from states.views import CHANGES_PER_PAGE

# wrk 4.2's --latency section, as it prints it when the machine is busy: a second or
# more is written with a trailing space.
BUSY = """Running 10s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   998.31ms  201.04ms   1.99s    70.12%
    Req/Sec     8.10      3.95    20.00     71.43%
  Latency Distribution
     50%    1.02s\x20
     75%    1.10s\x20
     90%    1.30s\x20
     99%    1.85s\x20
  160 requests in 10.01s, 1.51MB read
Requests/sec:     15.98
Transfer/sec:    154.92KB
"""
QUIET = """  Latency Distribution
     50%  812.00us
     75%    1.21ms
     90%    2.40ms
     99%    4.21ms
"""


def test_a_busy_machines_report_with_seconds_and_trailing_spaces_is_read():
    assert latency_percentiles(BUSY) == {"50": 1020.0, "75": 1100.0, "90": 1300.0, "99": 1850.0}


def test_a_quiet_machines_report_in_micro_and_milliseconds_is_read():
    assert latency_percentiles(QUIET) == {"50": 0.812, "75": 1.21, "90": 2.4, "99": 4.21}


@pytest.mark.parametrize(("text", "ms"), [("812.00us", 0.812), ("4.21ms", 4.21), ("1.02s", 1020), ("1.50m", 90_000)])
def test_every_unit_wrk_writes_is_converted_to_milliseconds(text, ms):
    assert to_ms(text) == pytest.approx(ms)


def test_the_benchmark_refuses_a_database_that_is_not_its_own(db):
    """It writes made-up public changes: never into a record people read."""
    statements, changes = PositionStatement.objects.count(), PublishedChange.objects.count()
    with pytest.raises(CommandError, match="not a benchmark's own"):
        call_command("bench", "--grow-history", "2", stdout=io.StringIO(), stderr=io.StringIO())
    assert (PositionStatement.objects.count(), PublishedChange.objects.count()) == (statements, changes)


def test_each_page_is_divided_by_the_mean_of_the_trivial_runs_either_side_of_it():
    # trivial 100, page 10, trivial 300, page 20, trivial 100
    assert interleaved_ratios([100, 10, 300, 20, 100]) == pytest.approx([10 / 200, 20 / 200])


def test_recovery_is_the_first_second_after_the_publish_back_to_nine_tenths_of_before():
    per_second = {100: 50, 101: 1000, 102: 1000, 103: 1000, 104: 200, 105: 850, 106: 950}
    assert recovery_seconds(per_second, published_at=104) == 2
    assert recovery_seconds({100: 5, 101: 1000, 102: 10}, published_at=102) is None


def test_the_newest_page_of_changes_is_filled_once_with_the_benchmarks_own_publishes(db):
    """So that /changes/ today and at a hundred times the history show the same rows."""
    seeded = timezone.now() - datetime.timedelta(days=1)
    PublishedChange.objects.create(
        made_at=seeded, kind=ChangeKind.INITIAL_DATA, record_kind=RecordKind.DATA_LOAD, title="Seed"
    )
    fill_first_page_of_changes()
    fill_first_page_of_changes()
    newest = PublishedChange.objects.order_by("-made_at", "-id")[:CHANGES_PER_PAGE]
    assert {change.title for change in newest} == {PUBLISHED_BY_BENCH}
    assert PublishedChange.objects.filter(title=PUBLISHED_BY_BENCH).count() == CHANGES_PER_PAGE


def test_a_benchmark_publish_moves_the_data_version_and_queues_its_alerts_as_a_real_publish_does(
    db, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as make serve runs
    before = database_version()
    with django_capture_on_commit_callbacks(execute=True):
        publish()
    assert database_version() != before
    change = PublishedChange.objects.get(title=PUBLISHED_BY_BENCH)
    assert DBTaskResult.objects.filter(args_kwargs__args=[change.pk]).count() == 1
