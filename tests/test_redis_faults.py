"""Redis is a cache, not a dependency (issue 19). Two gunicorn servers share
the suite's kind of database (PostgreSQL in CI) and a Redis of the test's own,
on its own port, which the test stops, starts again with the data it saved
(as a production Redis with RDB or AOF does), and hangs (SIGSTOP). Through
each fault both servers keep answering and never show a figure older than
the database: after a publish made while Redis was down, and after a restore."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psycopg
import pytest
import redis
from django_otp.oath import TOTP

from states.page_cache import SharedDataVersion
from tests.helpers import FROZEN_SEED
from tests.test_backups import ROOT
from tests.test_servers import Browser, at_the_same_moment, free_port, supports, wait_until_serving

REDIS_SERVER = shutil.which("redis-server")
if not REDIS_SERVER and not os.environ.get("CI"):
    pytest.skip("redis-server is not installed", allow_module_level=True)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgres")
# Named after the test database's server database, so that two runs side by side do not share it.
DATABASE = f"{DATABASE_URL.rsplit('/', 1)[-1] or 'cahtracker'}_redis_faults"
AUTHENTICATOR_KEY = "5" * 40
pytestmark = pytest.mark.own_clock  # the servers it starts read the machine's clock
PAGES = ["/", "/states/PHL/", "/api/v1/states/PHL/", "/api/v1/figures/"]
A_CORRECTION = {
    "state": "PHL",
    "fact": "Rome Statute",
    "what_is_wrong": "The withdrawal took effect on 17 March 2019, a year after it was notified.",
    "source_url": "https://treaties.un.org/",
    "email": "",
    "website": "",
}


def fetch(url, headers=None):
    """(status, seconds) of one request."""
    started = time.monotonic()
    try:
        status = urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


class OwnRedis:
    """A redis-server on a port of its own, keeping its data in ``folder``."""

    def __init__(self, folder):
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(50):
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def save_and_stop(self):
        """Stop as a production Redis does: its data written to disk, read again at the next start."""
        redis.Redis.from_url(self.url).save()
        self.stop()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)


def set_up_database(env):
    if ON_POSTGRES:
        server = DATABASE_URL.rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {DATABASE}")
    code = (
        "from django.core.management import call_command\n"
        "from django.contrib.auth.models import Group, User\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        f"call_command('load_seed', '--dir', {str(FROZEN_SEED)!r}, verbosity=0)\n"
        "call_command('setup_roles', verbosity=0)\n"
        "u = User.objects.create_user('pub', password='a long enough password', is_staff=True)\n"
        "u.groups.add(Group.objects.get(name='Publisher'))\n"
        f"TOTPDevice.objects.create(user=u, name='phone', key='{AUTHENTICATOR_KEY}', confirmed=True)\n"
        # Three states the headline figures count that have no statement yet: each publish adds a supporter.
        "from states.models import PositionStatement, Source, State\n"
        "counted = State.objects.filter(in_icc_asia_pacific=True)\n"
        "quiet = counted.exclude(pk__in=PositionStatement.objects.values('state')).order_by('pk')\n"
        "print('ids', Source.objects.order_by('pk').first().pk, *quiet.values_list('pk', flat=True)[:3])\n"
    )
    shell = [sys.executable, "manage.py", "shell", "-c", code]
    printed = subprocess.run(shell, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    source, *states = printed.split("ids ", 1)[1].split()
    assert len(states) == 3
    return {"source": source, "states": states}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two servers, their database and their Redis; and a Publisher's browser, once signed in."""
    folder = tmp_path_factory.mktemp("redis_faults")
    own_redis = OwnRedis(folder)
    own_redis.start()
    database = DATABASE_URL.rsplit("/", 1)[0] + f"/{DATABASE}" if ON_POSTGRES else f"sqlite:///{folder / 'db.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG"}}
    env |= {
        "DATABASE_URL": database,
        "REDIS_URL": own_redis.url,
        "SECRET_KEY": "a key for this test only, long enough for the deploy checks",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(folder / "static"),
        "PYTHONUNBUFFERED": "1",
    }
    ids = set_up_database(env)
    ports = [free_port(), free_port()]
    log = (folder / "servers.log").open("w")  # what the servers logged, to read when a test fails
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cahtracker.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            wait_until_serving(base)
        yield {"servers": bases, "redis": own_redis, "env": env, "folder": folder, "staff": None, "ids": ids}
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        own_redis.stop()
        log.close()
        if ON_POSTGRES:
            with psycopg.connect(f"{DATABASE_URL.rsplit('/', 1)[0]}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def seen_everywhere(site):
    """The count of supporters as each server's each worker shows it (asked several times)."""
    return {supports(server) for server in site["servers"] for _ in range(6)}


def publish_a_statement(site, summary):
    """The Publisher adds a published statement of support for a state that had
    none (a new one each time); the admin's answer."""
    return site["staff"].post_form(
        "/admin/states/positionstatement/add/",
        {
            "state": site["ids"]["states"].pop(),
            "source": site["ids"]["source"],
            "date": "2026-11-20",
            "date_precision": "day",
            "forum": "Preparatory Committee, second session",
            "summary": summary,
            "position": "supports",
            "whose_words": "own_words",
            "verification": "primary",
            "change_reason": "Published during a fault",
        },
    )


def sign_in(base):
    staff = Browser(base)
    staff.post_form("/admin/login/", {"username": "pub", "password": "a long enough password", "next": "/admin/"})
    code = str(TOTP(bytes.fromhex(AUTHENTICATOR_KEY)).token()).zfill(6)
    staff.post_form("/admin/two-factor/", {"token": code, "next": "/admin/"})
    return staff


def test_with_redis_stopped_sign_in_publishing_corrections_and_the_api_keep_working_and_the_figure_is_current(
    site,
):
    first, second = site["servers"]
    [before] = seen_everywhere(site)
    site["redis"].save_and_stop()  # the saved data knows nothing of what follows

    site["staff"] = sign_in(first)
    assert "was added successfully" in publish_a_statement(site, "Published while Redis was down.")
    assert seen_everywhere(site) == {before + 1}  # each server reads the version from the database

    reader = Browser(second)
    sent = reader.post_form("/corrections/new/", A_CORRECTION)
    assert 'id="correction-reference"' in sent
    for server in site["servers"]:
        for page in PAGES:
            assert fetch(server + page)[0] == 200, (server, page)
        assert fetch(f"{server}/healthz")[0] == 503  # the outage is reported


def test_after_redis_returns_with_its_old_data_both_servers_show_the_publish_made_while_it_was_down(site):
    during = seen_everywhere(site)
    site["redis"].start()
    assert seen_everywhere(site) == during  # at once: nothing in Redis can make a figure older
    for server in site["servers"]:
        assert fetch(f"{server}/healthz")[0] == 200


def test_a_restore_shows_through_both_servers_at_once_and_etags_from_before_it_match_no_page(site):
    first, second = site["servers"]
    backup = site["folder"] / "before-the-second-publish.backup"
    subprocess.run([sys.executable, "manage.py", "backup", "--to", str(backup)], cwd=ROOT, env=site["env"], check=True)
    at_backup = seen_everywhere(site)
    [count_at_backup] = at_backup
    etag_at_backup = urllib.request.urlopen(f"{second}/?as_of=2026-11-29", timeout=10).headers["ETag"]
    assert "was added successfully" in publish_a_statement(site, "Published after the backup.")
    assert seen_everywhere(site) == {count_at_backup + 1}

    restored = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup), "--yes"],
        cwd=ROOT, env=site["env"], check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert "every server shows it from the next request" in restored.stdout
    assert seen_everywhere(site) == at_backup  # at once, through both servers
    # The page is as it was at the backup, but a browser's or proxy's copy from then is not reused.
    status, _seconds = fetch(f"{second}/?as_of=2026-11-29", headers={"If-None-Match": etag_at_backup})
    assert status == 200


def test_with_redis_hung_pages_the_api_and_a_publish_answer_within_a_second(site):
    first, second = site["servers"]
    site["redis"].process.send_signal(signal.SIGSTOP)
    try:
        for server in (first, second):
            for page in PAGES:
                status, seconds = fetch(server + page)
                assert (status, seconds < 1) == (200, True), (server, page, status, seconds)
        [before] = seen_everywhere(site)
        started = time.monotonic()
        assert "was added successfully" in publish_a_statement(site, "Published while Redis was hung.")
        assert time.monotonic() - started < 5
        # Its news is lost in the hung Redis; every process reads the version again within a second.
        time.sleep(SharedDataVersion.RECHECK_SECONDS)
        assert seen_everywhere(site) == {before + 1}
        assert fetch(f"{first}/healthz")[0] == 503
    finally:
        site["redis"].process.send_signal(signal.SIGCONT)
    assert fetch(f"{first}/healthz")[0] == 200


def test_of_48_corrections_sent_at_once_from_one_address_exactly_the_limit_are_taken(site):
    readers = [Browser(site["servers"][number % 2]) for number in range(48)]
    tokens = [reader.token_of("/corrections/new/") for reader in readers]
    answers = at_the_same_moment(
        *[
            lambda reader=reader, token=token: reader.post("/corrections/new/", A_CORRECTION, token)
            for reader, token in zip(readers, tokens, strict=True)
        ]
    )
    taken = [answer for answer in answers if 'id="correction-reference"' in answer]
    # Every reader here is 127.0.0.1. The first test's report was counted by no one (Redis was
    # down), and Redis came back with the counts it had saved before it.
    assert len(taken) == 5, answers
    assert answers.count("HTTP 429") == 43
