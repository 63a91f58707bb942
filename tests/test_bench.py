"""make bench reads wrk's report as wrk writes it, on a quiet machine or a busy one (issue 23)."""

import pytest

from states.management.commands.bench import latency_percentiles, to_ms

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
