"""Served as production runs it: deploy checks clean, strict headers, HEAD
wherever GET works, a health check, a clear page when the database is down,
and no query string that can reach a 500."""

import itertools
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import PASSWORD, staff_user

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "tracker.example.org"}

PUBLIC_PAGES = [
    "/",
    "/states/",
    "/states/export.csv",
    "/states/PHL/",
    "/compare/",
    "/convention/",
    "/changes/",
    "/about/",
    "/accessibility/",
    "/corrections/new/",
]
# The parameters each public page reads (and one it does not), to try with values an attacker
# or a broken link might send.
FILTERS = [
    "q",
    "status",
    "position",
    "submission",
    "verification",
    "subregion",
    "un_regional_group",
    "in_counting_rule",
]
PARAMETERS_OF = {
    "/": ["as_of", "map", "view"],
    "/states/": ["as_of", "sort", *FILTERS],
    "/states/export.csv": ["as_of", "sort", *FILTERS],
    "/states/PHL/": ["as_of"],
    "/compare/": ["as_of", "states"],
    "/convention/": ["as_of"],
    "/changes/": ["page", "state", "kind", "record_kind"],
    "/about/": [],
    "/accessibility/": [],
    "/corrections/new/": ["state", "fact"],
    "/embed/figure/rome-statute-parties/": ["as_of"],
    "/embed/figure/rome-statute-parties.svg": ["as_of"],
    "/embed/map/": ["as_of", "layer"],
    "/embed/state/PHL/": ["as_of"],
    "/changes/feed/": [],
    "/states/PHL/feed/": [],
    "/api/v1/states/": ["as_of", "page", "page_size", *FILTERS],
    "/api/v1/states/PHL/": ["as_of"],
    "/api/v1/figures/": ["as_of", "rule"],
    "/api/v1/changes/": ["page", "page_size"],
}
NASTY_VALUES = [
    "\x00",
    "PHL\x00",
    "²",
    "%C2%B2",
    "٣",
    "999999999999999999999999999999",
    "-1",
    "0",
    "2023-02-30",
    "9999-12-31",
    "0001-01-01",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "PHL," * 200,
    "x" * 5000,
    "",
]


def django_in_a_process(code, **env):
    """Run Python with Django set up in a fresh process with ``env`` (the settings read the environment once)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG", "HTTPS"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="cahtracker.settings")
    script = "import django; django.setup()\n" + code
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_deploy_checks_report_nothing_with_the_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "HTTPS"}}, **PRODUCTION},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_https_hsts_and_secure_cookies():
    result = django_in_a_process(
        "from django.conf import settings as s\n"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_AGE, s.DEBUG)",
        **PRODUCTION,
    )
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "28800", "False"], result.stderr


def test_hsts_and_the_proxy_header_are_configurable():
    result = django_in_a_process(
        "from django.conf import settings as s\nprint(s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)",
        HSTS_SECONDS="600",
        TRUST_X_FORWARDED_PROTO="1",
        **PRODUCTION,
    )
    assert result.stdout.strip() == "600 ('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_send_a_strict_content_security_policy_and_permissions_policy(client, db, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_staff_site_has_its_own_policy_and_the_public_one_is_not_weakened(client, roles):
    client.force_login(staff_user("ed_lim", "Editor"))
    staff = client.get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in staff and "frame-ancestors 'none'" in staff
    assert "unsafe-inline" not in client.get("/")["Content-Security-Policy"]


def test_sign_in_cookies_are_http_only(client, roles):
    user = staff_user("pub_tan", "Publisher")
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.cookies["sessionid"]["httponly"]


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "/healthz"])
def test_head_works_wherever_get_does_and_sends_no_body(client, db, path):
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""


def test_the_health_check_reports_database_and_cache(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.fixture
def collected_static(tmp_path):
    """The production path: static files collected, as make serve does."""
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION, "STATIC_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    return tmp_path


def during_an_outage(static_root):
    """Production settings with a real outage: nothing listens on port 1."""
    return {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "0",
        "STATIC_ROOT": str(static_root),
    }


def test_a_database_outage_gets_a_clear_503_and_is_logged(collected_static):
    result = django_in_a_process(
        "from django.test import Client\n"
        "for path in ('/', '/healthz'):\n"
        "    response = Client().get(path)\n"
        "    print(response.status_code, response.get('Retry-After'))\n"
        "    print(response.content.decode()[:4000])\n",
        **during_an_outage(collected_static),
    )
    assert "503 60" in result.stdout, result.stderr
    assert "The tracker is briefly unavailable" in result.stdout
    assert '"database": "unavailable: OperationalError"' in result.stdout
    assert "Database unavailable for /" in result.stdout + result.stderr  # the log line, with its traceback
    assert "Traceback" in result.stdout + result.stderr


def test_during_a_database_outage_staff_pages_answer_503_and_the_api_answers_json(collected_static):
    result = django_in_a_process(
        "import json\n"
        "from django.test import Client\n"
        "staff = Client(raise_request_exception=False)\n"
        "staff.cookies['sessionid'] = 'a-signed-in-session'\n"
        "for path in ('/admin/', '/admin/states/positionstatement/', '/states/PHL/', '/api/v1/states/'):\n"
        "    response = staff.get(path)\n"
        "    print(path, response.status_code, response.get('Retry-After'), response['Content-Type'])\n"
        "response = Client(raise_request_exception=False).get('/api/v1/figures/')\n"
        "print('api', response.status_code, json.loads(response.content)['detail'])\n",
        **during_an_outage(collected_static),
    )
    for path in ("/admin/", "/admin/states/positionstatement/", "/states/PHL/"):
        assert f"{path} 503 60 text/html" in result.stdout, result.stdout + result.stderr
    assert "/api/v1/states/ 503 60 application/json" in result.stdout, result.stdout + result.stderr
    assert "api 503 The database is briefly unavailable" in result.stdout


@pytest.mark.parametrize("path", PARAMETERS_OF)
def test_no_query_string_reaches_a_500(client, db, path):
    for name, value in itertools.product([*PARAMETERS_OF[path], "unknown"], NASTY_VALUES):
        response = client.get(path, {name: value})
        assert response.status_code < 500, (path, name, value)
    # Several at once, and repeated.
    assert client.get(path, {"as_of": "٢٠٢٣-٠٤-١٣", "page": "²", "states": ["PHL", "\x00"]}).status_code < 500


def test_a_nul_in_the_query_string_is_refused_with_a_clear_message(client, db):
    response = client.get("/compare/", {"states": "PHL\x00"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


# Parameters that take any text: a name to search for, or what a reader is correcting.
FREE_TEXT = {
    ("/states/", "q"),
    ("/states/export.csv", "q"),
    ("/api/v1/states/", "q"),
    ("/corrections/new/", "state"),
    ("/corrections/new/", "fact"),
}


@pytest.mark.parametrize("path", PARAMETERS_OF)
def test_a_value_no_page_can_read_gets_a_400_never_a_silent_default(client, db, path):
    for name in PARAMETERS_OF[path]:
        if (path, name) in FREE_TEXT:
            continue
        for value in ["<script>alert(1)</script>", "²", "999999999999999999999999999999"]:
            assert client.get(path, {name: value}).status_code == 400, (path, name, value)
        # An empty value means the default; a parameter the page does not read is ignored.
        assert client.get(path, {name: ""}).status_code == 200, (path, name)
    assert client.get(path, {"utm_source": "newsletter"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "query", "accepted", "kept"),
    [
        ("/", {"map": "positions"}, "rome_statute, position, submission", "as_of=2026-11-29"),
        ("/", {"view": "europe"}, "all, west_asia", "as_of=2026-11-29"),
        ("/states/", {"sort": "population"}, "name, position", "as_of=2026-11-29"),
        ("/changes/", {"page": "0"}, "a page number from 1 to 1", "kind=added"),
        ("/changes/", {"page": "7"}, "a page number from 1 to 1", "kind=added"),
    ],
)
def test_the_400_page_says_what_the_parameter_accepts_and_links_to_the_page_without_it(
    client, db, path, query, accepted, kept
):
    name, value = kept.split("=")
    response = client.get(path, {**query, name: value})
    page = response.content.decode()
    assert response.status_code == 400
    assert accepted in re.sub(r"</?code[^>]*>", "", page)  # each accepted code is marked as code
    assert f'href="{path}?{kept}"' in page


def test_a_filter_value_the_list_does_not_offer_gets_a_400_with_the_form_saying_why(client, db):
    response = client.get("/states/", {"status": "party"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    csv_response = client.get("/states/export.csv", {"status": "party"})
    assert csv_response.status_code == 400
    assert csv_response.content.decode().startswith("status: Select a valid choice")


def test_comparing_an_unknown_code_gets_a_400_that_names_it_and_still_compares_the_rest(client, db):
    response = client.get("/compare/", {"states": "PHL,XYZ"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "No tracked state has the code XYZ" in page and ">Philippines</a></th>" in page
