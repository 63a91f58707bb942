"""Measure the site as production serves it: gunicorn, DEBUG off, PostgreSQL,
Redis, and wrk on the same machine. Two servers run side by side, one with
the public page cache and one without; each page's requests per second are
given as a ratio to the trivial view (robots.txt) measured just before it,
since only ratios between neighbours in time hold on a shared machine.

Run it with ``make bench``, which sets up the database and the environment.
"""

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

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
]
TRIVIAL = "/robots.txt"
# A crawler that makes up a parameter for each request: the page reads none of
# them, so each is the overview from the cache (states/page_cache.canonical).
RANDOM_PARAMETER = "/?zz=<random>"
RANDOM_PARAMETER_SCRIPT = 'request = function() return wrk.format("GET", "/?zz=" .. math.random(1, 1000000000)) end\n'

# The cheapest page rendered from a template: the base layout around static
# text, no query. What it reaches uncached is the most any page rendered afresh
# can reach, whatever its own work costs.
LAYOUT_ONLY = "/accessibility/"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


class Command(BaseCommand):
    help = "Benchmark the public pages under gunicorn with wrk (see make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=5)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args, **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install wrk; make bench does it).")
        if settings.DEBUG or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
            raise CommandError("Run it as production runs: DEBUG off and DATABASE_URL on PostgreSQL (make bench).")
        servers = {"cached": self.start(options["workers"], cache=True)}
        servers["uncached"] = self.start(options["workers"], cache=False)
        try:
            rows = []
            for kind, (base, _process) in servers.items():
                static_file = ["/static/css/site.css"] if kind == "cached" else []
                paths = [TRIVIAL, *static_file, LAYOUT_ONLY, *PAGES, RANDOM_PARAMETER]
                for path in paths:
                    # The trivial view again just before each page: a shared machine's speed
                    # drifts over minutes, and a ratio holds only between neighbours in time.
                    trivial = self.measure(base + TRIVIAL, options)["rps"]
                    result = self.measure(base + path, options)
                    rows.append((kind, path, result, result["rps"] / trivial))
            self.report(rows, servers["cached"][0])
        finally:
            for _base, process in servers.values():
                process.terminate()
                process.wait(timeout=30)

    def start(self, workers, cache):
        port = free_port()
        env = {**os.environ, "PUBLIC_PAGE_CACHE": "1" if cache else "0"}
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cahtracker.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--no-control-socket"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                return base, process
            except OSError:
                time.sleep(0.2)
        process.terminate()
        raise CommandError("gunicorn did not start")

    def measure(self, url, options):
        script = []
        if url.endswith(RANDOM_PARAMETER):
            url = url.removesuffix(RANDOM_PARAMETER) + "/"
            path = Path(tempfile.gettempdir()) / "cahtracker-bench-random-parameter.lua"
            path.write_text(RANDOM_PARAMETER_SCRIPT)
            script = ["-s", str(path)]
        # Warm up (fills the cache, opens database connections), then measure.
        subprocess.run(["wrk", "-t2", "-c4", "-d1s", *script, url], capture_output=True, check=True)
        output = subprocess.run(
            ["wrk", "-t2", f"-c{options['connections']}", f"-d{options['seconds']}s", "--latency",
             "-H", "Accept-Encoding: gzip", *script, url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        latency = latency_percentiles(output)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": latency["50"],
            "p99": latency["99"],
            "errors": int(errors.group(1)) if errors else 0,
        }

    def report(self, rows, cached_base):
        request = urllib.request.Request(cached_base + "/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            size = len(body) if response.headers.get("Content-Encoding") == "gzip" else len(gzip.compress(body))
        self.stdout.write(f"{'server':9} {'path':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} errors")
        for kind, path, result, ratio in rows:
            self.stdout.write(
                f"{kind:9} {path:32} {result['rps']:8.0f} {result['p50']:8.1f} {result['p99']:8.1f} "
                f"{ratio:7.1%} {result['errors']}"
            )
        self.stdout.write(f"Overview, compressed: {size / 1024:.1f} KB")
