"""Redis is a cache, not a dependency (issue 19): a gunicorn server with a
Redis of the test's own, on its own port, which the test hangs (SIGSTOP) and
stops. Pages and the API keep answering, within a second while Redis is hung;
/healthz reports the outage."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.test_backups import ROOT, manage
from tests.test_servers import free_port

REDIS_SERVER = shutil.which("redis-server")
if not REDIS_SERVER and not os.environ.get("CI"):
    pytest.skip("redis-server is not installed", allow_module_level=True)

PAGES = ["/", "/states/PHL/", "/api/v1/states/PHL/", "/api/v1/figures/"]


def fetch(url):
    """(status, seconds) of one request."""
    started = time.monotonic()
    try:
        status = urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


@pytest.fixture(scope="module")
def server_and_its_redis(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redis_faults")
    redis_port, port = free_port(), free_port()
    redis = subprocess.Popen(
        [REDIS_SERVER, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    database = f"sqlite:///{folder / 'db.sqlite3'}"
    static_root = folder / "static"
    setup = (
        "from django.core.management import call_command\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "call_command('load_seed', verbosity=0)\n"
    )
    manage(database, code=setup, static_root=static_root)
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG"}}
    env |= {
        "DATABASE_URL": database,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SECRET_KEY": "a key for this test only, long enough for the deploy checks",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "STATIC_ROOT": str(static_root),
    }
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cahtracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base, redis
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)
        if redis.poll() is None:
            redis.send_signal(signal.SIGCONT)
            redis.terminate()
            redis.wait(timeout=10)


def test_with_redis_hung_pages_and_the_api_answer_within_a_second(server_and_its_redis):
    base, redis = server_and_its_redis
    assert {fetch(base + page)[0] for page in PAGES} == {200}
    redis.send_signal(signal.SIGSTOP)
    try:
        for page in PAGES:
            status, seconds = fetch(base + page)
            assert (status, seconds < 1) == (200, True), (page, status, seconds)
        assert fetch(f"{base}/healthz")[0] == 503  # the outage is reported
    finally:
        redis.send_signal(signal.SIGCONT)
    assert fetch(f"{base}/healthz")[0] == 200


def test_with_redis_stopped_pages_and_the_api_keep_working(server_and_its_redis):
    base, redis = server_and_its_redis
    redis.terminate()
    redis.wait(timeout=10)
    for page in PAGES:
        assert fetch(base + page)[0] == 200, page
    assert fetch(f"{base}/healthz")[0] == 503
