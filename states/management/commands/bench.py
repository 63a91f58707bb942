"""Measure the site as production serves it: gunicorn, DEBUG off, PostgreSQL,
Redis, and wrk on the same machine, each page as a ratio to the trivial view
(robots.txt, which runs every middleware) on the same server.

A shared machine's speed drifts over seconds, so no figure is taken alone:
each page is measured between two runs of the trivial view (trivial, page,
trivial, next page, trivial...) and divided by their mean, and the whole
sequence runs three times, reporting the median ratio with the lowest and
highest. Three servers run side by side:

- ``cached``: the page cache on, as production runs;
- ``fresh``: the page cache off (PUBLIC_PAGE_CACHE=0), so every request is a
  fresh render: what the first visitor after a publish, or on a date nobody
  asked for yet, waits for;
- ``history``: fresh renders again, on a copy of the database whose history
  (statements and public changes) is a hundred times today's
  (``grow_history``), when ``--history-database-url`` names one.

Then a publish under load: wrk with 64 connections across every public
address in every language (the sitemap's), a publish in the middle, and how
long until the cached throughput is back.

Run it with ``make bench``, which sets up the databases and the environment.
"""

import datetime
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from states.choices import ChangeKind, DatePrecision, Publication, RecordKind
from states.models import PositionStatement, PublishedChange
from states.page_cache import data_changed
from states.views import CHANGES_PER_PAGE

PAGES = [
    "/",
    "/?map=position",
    "/states/",
    "/states/export.csv",
    "/states/PHL/",
    "/compare/?states=PHL,IDN,MYS",
    "/convention/",
    "/changes/",
    "/about/",
    "/api/v1/states/",
]
TRIVIAL = "/robots.txt"
# The cheapest page rendered from a template: the base layout around static
# text, no query. What it reaches uncached is the most any page rendered afresh
# can reach, whatever its own work costs.
LAYOUT_ONLY = "/accessibility/"
STATIC_FILE = "/static/css/site.css"
# A crawler that makes up a parameter for each request: the page reads none of
# them, so each is the overview from the cache (states/page_cache.canonical).
RANDOM_PARAMETER = "/?zz=<random>"
# A reader asking for a date nobody asked for yet: a fresh render even with the cache.
RANDOM_PAST_DATE = "/?as_of=<random past date>"
SCRIPTS = {
    RANDOM_PARAMETER: 'request = function() return wrk.format("GET", "/?zz=" .. math.random(1, 1000000000)) end\n',
    RANDOM_PAST_DATE: (
        "request = function()\n"
        '  local day = string.format("%04d-%02d-%02d", math.random(2002, 2025), math.random(1, 12), '
        "math.random(1, 28))\n"
        '  return wrk.format("GET", "/?as_of=" .. day)\n'
        "end\n"
    ),
}
SERVED = {
    "cached": [STATIC_FILE, LAYOUT_ONLY, *PAGES, RANDOM_PARAMETER, RANDOM_PAST_DATE],
    "fresh": [LAYOUT_ONLY, *PAGES],
    "history": ["/", "/states/PHL/", "/states/", "/convention/", "/changes/", "/api/v1/states/"],
}
# Counts responses per second in each wrk thread, read by done() at the end.
SWEEP_SCRIPT = """
local paths = {%s}
local i = 0
counts = {}  -- a global, which done() reads through thread:get
function init(args) i = math.random(1, #paths) end
function request() i = i %% #paths + 1; return wrk.format("GET", paths[i]) end
function response(status) local second = os.time(); counts[second] = (counts[second] or 0) + 1 end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for second, count in pairs(thread:get("counts")) do total[second] = (total[second] or 0) + count end
  end
  for second, count in pairs(total) do io.write(string.format("second %%d %%d\\n", second, count)) end
end
"""

# wrk writes a latency in the unit that keeps it short: 812.00us, 4.21ms, 1.02s, 1.50m, 2.00h.
LATENCY_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip()).groups()
    return float(number) * LATENCY_UNITS[unit]


def latency_percentiles(output):
    """wrk's --latency lines ("     50%    1.02s "), in ms, by percentile. A
    value of a second or more is printed with a trailing space, which a
    pattern anchored after the value missed: the benchmark died with
    KeyError: '50' on a busy machine."""
    return {share: to_ms(value) for share, value in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M)}


def interleaved_ratios(measurements):
    """Each page's requests per second over the mean of the trivial view's
    just before and just after it: ``measurements`` alternate trivial, page,
    trivial, page, ..., trivial."""
    return [
        page / ((before + after) / 2)
        for before, page, after in zip(measurements[0::2], measurements[1::2], measurements[2::2], strict=False)
    ]


def spread(values):
    """(median, lowest, highest)."""
    return statistics.median(values), min(values), max(values)


def recovery_seconds(per_second, published_at, share=0.9):
    """How long after ``published_at`` (a second, as wrk's os.time() counts)
    the throughput was back to ``share`` of its median before it, from
    wrk's responses per second; None if it never was."""
    before = [count for second, count in sorted(per_second.items()) if second < published_at][1:]  # 1st is partial
    if not before:
        return None
    normal = statistics.median(before)
    for second, count in sorted(per_second.items()):
        if second >= published_at and count >= share * normal:
            return second - published_at
    return None


GROWN = "earlier meeting"  # what the statements grow_history makes say of their forum
PUBLISHED_BY_BENCH = "A publish made by make bench"


def publish(count=1):
    """A publish as the servers see it: public changes, announced once they
    commit. Saved one by one, as a publish saves them, so each also queues
    its alerts (alerts.signals), as a real publish does."""
    with transaction.atomic():
        for _ in range(count):
            PublishedChange.objects.create(
                made_at=timezone.now(), kind=ChangeKind.CHANGED, record_kind=RecordKind.STATE, title=PUBLISHED_BY_BENCH
            )
        data_changed()


def fill_first_page_of_changes():
    """/changes/ shows a page of the newest changes. A database just seeded
    has one, so its /changes/ came out three times cheaper than the same
    page at a hundred times the history, which had a full page: the two
    measured different rows, not a longer history. The newest page is made
    of the benchmark's own publishes in both databases (once: later runs
    add their own), so the two pages hold the same rows and differ only in
    the history behind them."""
    missing = CHANGES_PER_PAGE - PublishedChange.objects.filter(title=PUBLISHED_BY_BENCH).count()
    if missing > 0:
        publish(missing)


def grow_history(times):
    """Make the history ``times`` as long: for every published statement,
    ``times - 1`` earlier ones by the same state from the same source (a day
    apart, the same position), and ``times - 1`` copies of every public
    change. For the benchmark's own database and the tests that check the
    cost stays flat; never for a database anyone reads."""

    def copies_of(record, count, **changes):
        fields = {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}
        del fields["id"]
        return [
            type(record)(**{**fields, **{name: value(back) for name, value in changes.items()}})
            for back in range(1, count)
        ]

    statements = []
    for statement in PositionStatement.objects.filter(publication=Publication.PUBLISHED):
        statements += copies_of(
            statement,
            times,
            date=lambda back, day=statement.date: day - datetime.timedelta(days=back),
            date_precision=lambda back: DatePrecision.DAY,
            forum=lambda back, forum=statement.forum: f"{forum[:150]} ({GROWN} {back})",
        )
    PositionStatement.objects.bulk_create(statements, batch_size=2000)
    # Each statement came with its public change, and every other change happened as often.
    changes = [
        PublishedChange(
            made_at=timezone.now() - datetime.timedelta(days=(timezone.localdate() - statement.date).days),
            kind=ChangeKind.ADDED,
            record_kind=RecordKind.POSITION_STATEMENT,
            record_id=statement.pk,
            state_id=statement.state_id,
            title=f"Statement of {statement.date.isoformat()}, {statement.forum}",
            reason="Grown by make bench",
        )
        for statement in statements
    ]
    for change in PublishedChange.objects.all():
        changes += copies_of(change, times, made_at=lambda back, at=change.made_at: at - datetime.timedelta(hours=back))
    PublishedChange.objects.bulk_create(changes, batch_size=2000)
    data_changed()


class Command(BaseCommand):
    help = "Benchmark the public pages under gunicorn with wrk (see make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=3)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--servers", default="cached,fresh,history", help="which servers to measure, by name")
        parser.add_argument("--path", action="append", default=[], help="measure only this path (repeatable)")
        parser.add_argument("--no-publish", action="store_true", help="leave out the publish under load")
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("BENCH_PORT", "8100")),
            help="the first of the three ports the servers listen on (BENCH_PORT; default 8100)",
        )
        parser.add_argument(
            "--grow-history", type=int, default=0, help="only make this database's history N times as long"
        )
        parser.add_argument(
            "--history-database-url",
            default=os.environ.get("BENCH_HISTORY_DATABASE_URL", ""),
            help="a PostgreSQL database for the hundred-times history, filled here if it holds no history yet",
        )

    def handle(self, *args, **options):
        # It writes public changes (a publish, a grown history) that would be false in any record people read.
        for name in (settings.DATABASES["default"]["NAME"], options["history_database_url"].rsplit("/", 1)[-1]):
            if name and "bench" not in str(name):
                raise CommandError(
                    f"The database {name} is not a benchmark's own: make bench writes made-up public changes "
                    "into it. Give it a database whose name says bench (BENCH_DATABASE_URL)."
                )
        if options["grow_history"]:
            # Once: a database already grown keeps its history (make bench runs this on every run).
            if not PositionStatement.objects.filter(forum__contains=GROWN).exists():
                grow_history(options["grow_history"])
            fill_first_page_of_changes()  # after the growing: the newest page, as in the other database
            self.stderr.write(
                f"history database: {PositionStatement.objects.count()} statements, "
                f"{PublishedChange.objects.count()} public changes"
            )
            return
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install wrk; make bench does it).")
        if settings.DEBUG or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
            raise CommandError("Run it as production runs: DEBUG off and DATABASE_URL on PostgreSQL (make bench).")
        self.options = options
        fill_first_page_of_changes()
        port = options["port"]
        chosen = options["servers"].split(",")
        servers = {}
        try:
            if "cached" in chosen:
                servers["cached"] = self.start(port, {"PUBLIC_PAGE_CACHE": "1"})
            if "fresh" in chosen:
                servers["fresh"] = self.start(port + 1, {"PUBLIC_PAGE_CACHE": "0"})
            if options["history_database_url"] and "history" in chosen:
                self.prepare_history(options["history_database_url"])
                env = {"PUBLIC_PAGE_CACHE": "0", "DATABASE_URL": options["history_database_url"]}
                servers["history"] = self.start(port + 2, env)
            results = {}  # (server, path) -> [(ratio, rps, p99, errors) per round]
            for round_number in range(options["rounds"]):
                for kind, (base, _process) in servers.items():
                    self.stderr.write(f"round {round_number + 1}: {kind}")
                    self.measure_interleaved(kind, base, results)
            self.report(results)
            if "cached" in servers and not options["no_publish"]:
                self.first_renders(servers["cached"][0])
                self.publish_under_load(servers["cached"][0])
        finally:
            for _base, process in servers.values():
                process.terminate()
                process.wait(timeout=30)

    def start(self, port, env):
        # A server left from an earlier run on this port would answer for this one, with old code.
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise CommandError(f"Port {port} is taken (an earlier run's server?): stop it, or set BENCH_PORT.")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cahtracker.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(self.options["workers"]), "--no-control-socket"],
            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            if process.poll() is not None:
                raise CommandError(f"gunicorn did not start on port {port} (is it taken? set BENCH_PORT)")
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                return base, process
            except OSError:
                time.sleep(0.2)
        process.terminate()
        raise CommandError(f"gunicorn did not answer on port {port}")

    def prepare_history(self, url):
        """Migrate and seed the history database, then grow its history a
        hundred times (once: a database already grown is left as it is)."""
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"], env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "load_seed"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "manage.py", "bench", "--grow-history", "100"], env=env, check=True)

    def measure_interleaved(self, kind, base, results):
        rps, rows = [], []
        for path in [path for path in SERVED[kind] if not self.options["path"] or path in self.options["path"]]:
            rps.append(self.measure(base, TRIVIAL)["rps"])
            row = self.measure(base, path)
            rps.append(row["rps"])
            rows.append((path, row))
        rps.append(self.measure(base, TRIVIAL)["rps"])
        for (path, row), ratio in zip(rows, interleaved_ratios(rps), strict=True):
            results.setdefault((kind, path), []).append((ratio, row["rps"], row["p99"], row["errors"]))
        trivial = rps[0::2]
        results.setdefault((kind, "trivial, against itself"), []).append((trivial[1] / trivial[0], trivial[0], 0, 0))

    def measure(self, base, path):
        script = []
        url = base + path
        if path in SCRIPTS:
            url = base + "/"
            script_file = Path(tempfile.gettempdir()) / f"cahtracker-bench-{abs(hash(path))}.lua"
            script_file.write_text(SCRIPTS[path])
            script = ["-s", str(script_file)]
        # Warm up (fills the cache, opens database connections), then measure.
        subprocess.run(["wrk", "-t2", "-c4", "-d1s", *script, url], capture_output=True, check=True)
        output = subprocess.run(
            ["wrk", "-t2", f"-c{self.options['connections']}", f"-d{self.options['seconds']}s", "--latency",
             "-H", "Accept-Encoding: gzip", *script, url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        latency = latency_percentiles(output)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p99": latency["99"],
            "errors": int(errors.group(1)) if errors else 0,
        }

    def report(self, results):
        self.stdout.write(
            f"{'server':8} {'path':34} {'req/s':>7} {'ratio':>7} {'lowest':>7} {'highest':>7} {'p99 ms':>7} errors"
        )
        for (kind, path), rounds in results.items():
            ratio, lowest, highest = spread([ratio for ratio, *_rest in rounds])
            rps = statistics.median(row[1] for row in rounds)
            p99 = statistics.median(row[2] for row in rounds)
            errors = sum(row[3] for row in rounds)
            self.stdout.write(
                f"{kind:8} {path:34} {rps:7.0f} {ratio:7.1%} {lowest:7.1%} {highest:7.1%} {p99:7.1f} {errors}"
            )

    def first_renders(self, base, times=7):
        """The worst case, which the rows above share out: the first request
        after a publish, when nothing of the new data version is kept yet
        (facts, standings, map, figures, page). Median milliseconds of one
        request, on a quiet server, after a publish each time."""
        rows = []
        for path in ("/robots.txt", "/", "/states/PHL/", "/convention/", "/states/"):
            spent = []
            for _ in range(times):
                publish()
                time.sleep(0.2)  # the news reaches both workers (Redis), as it would between two readers
                started = time.perf_counter()
                with urllib.request.urlopen(base + path) as response:
                    response.read()
                spent.append((time.perf_counter() - started) * 1000)
            rows.append(f"{path} {statistics.median(spent):.1f} ms")
        self.stdout.write("First request after a publish (median of 7): " + ", ".join(rows))

    def publish_under_load(self, base):
        """wrk -c64 across every public address, a publish after a few
        seconds; how long until throughput is back to what it was."""
        with urllib.request.urlopen(base + "/sitemap.xml") as response:
            sitemap = ElementTree.fromstring(response.read())
        paths = [
            "/" + location.text.split("/", 3)[3]
            for location in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        ]
        script_file = Path(tempfile.gettempdir()) / "cahtracker-bench-sweep.lua"
        script_file.write_text(SWEEP_SCRIPT % ", ".join(f'"{path}"' for path in paths))
        # Every address once, so the sweep starts from the cache, as a site in use does.
        subprocess.run(["wrk", "-t2", "-c16", "-d3s", "-H", "Accept-Encoding: gzip", "-s", str(script_file), base],
                       capture_output=True, check=True)  # fmt: skip
        published = {}

        def publish_in_a_while():
            time.sleep(4)
            published["at"] = time.time()
            publish()

        publisher = threading.Thread(target=publish_in_a_while)
        publisher.start()
        output = subprocess.run(
            ["wrk", "-t2", "-c64", "-d10s", "-H", "Accept-Encoding: gzip", "-s", str(script_file), base],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        publisher.join()
        per_second = {int(second): int(count) for second, count in re.findall(r"^second (\d+) (\d+)$", output, re.M)}
        seconds = recovery_seconds(per_second, int(published["at"]))
        series = " ".join(str(per_second[second]) for second in sorted(per_second))
        self.stdout.write(f"Publish under load, {len(paths)} addresses at -c64: responses per second {series}")
        self.stdout.write(
            "Back to 90% of the cached throughput "
            + (f"within {seconds} s of the publish" if seconds is not None else "never, in the 6 s after it")
        )
