"""Several app servers, one PostgreSQL and one Redis: a change published
through one server shows at once through the other. Runs on PostgreSQL
(DATABASE_URL), as CI does; needs Redis on 127.0.0.1:6379."""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django_otp.oath import TOTP

from tests.helpers import redis_for_tests

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASE = "cahtracker_two_servers"
AUTHENTICATOR_KEY = secrets.token_hex(20)  # the publisher's authenticator app

pytestmark = pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    redis_url = redis_for_tests(3)
    server_url = DATABASE_URL.rsplit("/", 1)[0]
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG"}},
        "DATABASE_URL": f"{server_url}/{DATABASE}",
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
    }
    manage = [sys.executable, "manage.py"]
    for command in (["collectstatic", "--no-input"], ["migrate", "--no-input"], ["load_seed"], ["setup_roles"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
    create_publisher = (
        "from django.contrib.auth.models import Group, User; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        "u = User.objects.create_user('pub', password='a long enough password', is_staff=True); "
        "u.groups.add(Group.objects.get(name='Publisher')); "
        f"TOTPDevice.objects.create(user=u, name='phone', key='{AUTHENTICATOR_KEY}', confirmed=True)"
    )
    subprocess.run(manage + ["shell", "-c", create_publisher], cwd=ROOT, env=env, check=True, capture_output=True)
    yield env
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture(scope="module")
def two_servers(production_env):
    servers, ports = [], [free_port(), free_port()]
    for port in ports:
        servers.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "cahtracker.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--no-control-socket"],
                cwd=ROOT, env=production_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
    try:
        for port in ports:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


def supports(base):
    page = urllib.request.urlopen(f"{base}/?as_of=2026-11-29", timeout=10).read().decode()
    return int(re.search(r'id="positions-supports" value="(\d+)"', page).group(1))


class Browser:
    """A staff member's browser: cookies, and the CSRF token of each form."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        return self.opener.open(self.base + path, timeout=10).read().decode()

    def post_form(self, path, fields):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path)).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        return self.opener.open(request, timeout=10).read().decode()


def test_a_change_published_through_one_server_shows_at_once_through_the_other(production_env, two_servers):
    first, second = two_servers
    # Several times, so that each worker process of each server has the page in its memory.
    before = supports(second)
    assert {supports(server) for server in two_servers for _ in range(6)} == {before}
    with psycopg.connect(production_env["DATABASE_URL"]) as database:
        singapore = database.execute("select id from states_state where iso3 = 'SGP'").fetchone()[0]
        source = database.execute("select id from states_source order by id limit 1").fetchone()[0]
    staff = Browser(first)
    staff.post_form("/admin/login/", {"username": "pub", "password": "a long enough password", "next": "/admin/"})
    code = str(TOTP(bytes.fromhex(AUTHENTICATOR_KEY)).token()).zfill(6)
    staff.post_form("/admin/two-factor/", {"token": code, "next": "/admin/"})
    staff.post_form(
        "/admin/states/positionstatement/add/",
        {
            "state": singapore,
            "date": "2026-11-20",
            "date_precision": "day",
            "forum": "Preparatory Committee, second session",
            "summary": "Called for the convention to be adopted in 2029.",
            "position": "supports",
            "source": source,
            "verification": "primary",
            "change_reason": "Published through the first server",
        },
    )
    assert {supports(server) for server in (second, first) for _ in range(6)} == {before + 1}
