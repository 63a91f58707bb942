"""Several app servers, one PostgreSQL and one Redis: a change published
through one server shows at once through the other. Runs on PostgreSQL
(DATABASE_URL), as CI does; needs Redis on 127.0.0.1:6379."""

import functools
import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
from django_otp.oath import TOTP

from tests.helpers import FROZEN_SEED, free_port, redis_for_tests

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Named after the test database's server database, so that two runs side by side do not share it.
DATABASE = f"{DATABASE_URL.rsplit('/', 1)[-1] or 'cahtracker'}_two_servers"
AUTHENTICATOR_KEY = secrets.token_hex(20)  # the publisher's authenticator app
# The authenticator apps of two more publishers, for the concurrent saves: each
# signs in once (django-otp refuses a code used before, as it should).
RACING_PUBLISHERS = {"pub2": secrets.token_hex(20), "pub3": secrets.token_hex(20)}

pytestmark = [
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.own_clock,
]


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
    # One process for all of it, as each start of Django costs seconds.
    set_up = (
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
        f"for name, key in {RACING_PUBLISHERS!r}.items():\n"
        "    u = User.objects.create_user(name, password='a long enough password', is_staff=True)\n"
        "    u.groups.add(Group.objects.get(name='Publisher'))\n"
        "    TOTPDevice.objects.create(user=u, name='phone', key=key, confirmed=True)\n"
        # A made-up state with one published statement: its page has one inline form.
        "from states.models import PositionStatement, Source, State\n"
        "s = Source.objects.order_by('pk').first()\n"
        "t = State.objects.create(name='Testland', iso2='XA', iso3='XAA', un_regional_group='APG', subregion='035',"
        " un_membership='member', in_icc_asia_pacific=False, source=s)\n"
        "PositionStatement.objects.create(state=t, date='2026-11-02', forum='Sixth Committee', summary='Start.',"
        " position='supports', source=s, publication='published')\n"
        "for name in ('ed_one', 'ed_two'):\n"
        "    User.objects.create_user(name, password='a long enough password', is_staff=True)"
        ".groups.add(Group.objects.get(name='Editor'))\n"
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run(manage + ["shell", "-c", set_up], cwd=ROOT, env=env, check=True, capture_output=True)
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
            wait_until_serving(f"http://127.0.0.1:{port}")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


def wait_until_serving(base):
    """Until the server at ``base`` answers (its health check), for at most 20 seconds."""
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)


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
        return self.post(path, fields, self.token_of(path))

    def token_of(self, path):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path)).group(1)

    def post(self, path, fields, token):
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        return self.opener.open(request, timeout=30).read().decode()

    def sign_in(self, username):
        self.post_form("/admin/login/", {"username": username, "password": "a long enough password", "next": "/admin/"})
        return self


def at_the_same_moment(*calls):
    """Run each call in a thread of its own, released together; their results in order."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        start.wait()
        try:
            results[index] = call()
        except urllib.error.HTTPError as error:
            results[index] = f"HTTP {error.code}"

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


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
            "whose_words": "own_words",
            "source": source,
            "verification": "primary",
            "change_reason": "Published through the first server",
        },
    )
    assert {supports(server) for server in (second, first) for _ in range(6)} == {before + 1}


def statement_fields(database, statement_id, **changes):
    row = database.execute(
        "select state_id, date, date_precision, forum, summary, quote, position, whose_words, source_id, verification,"
        " version from states_positionstatement where id = %s",
        [statement_id],
    ).fetchone()
    names = ["state", "date", "date_precision", "forum", "summary", "quote", "position", "whose_words", "source"]
    names += ["verification"]
    fields = dict(zip(names, [str(value) for value in row[:-1]], strict=True))
    return {**fields, "last_verified_on": "", "seen_version": row[-1], "change_reason": "Test", **changes}


def test_two_saves_of_one_fact_at_the_same_moment_keep_both_and_lose_neither(production_env, two_servers):
    first, second = two_servers
    editors = [Browser(first).sign_in("ed_one"), Browser(second).sign_in("ed_two")]
    with psycopg.connect(production_env["DATABASE_URL"], autocommit=True) as database:
        state, source = database.execute("select id, source_id from states_state where iso3 = 'NPL'").fetchone()
        editors[0].post_form(
            "/admin/states/positionstatement/add/",
            {"state": state, "date": "2026-11-20", "date_precision": "day", "forum": "Sixth Committee",
             "summary": "Draft.", "position": "supports", "whose_words": "reported", "source": source,
             "verification": "secondary",
             "change_reason": "A draft both editors will work on"},
        )  # fmt: skip
        draft = database.execute("select max(id) from states_positionstatement where state_id = %s", [state]).fetchone()
        url = f"/admin/states/positionstatement/{draft[0]}/change/"
        for attempt in range(5):
            tokens = [editor.token_of(url) for editor in editors]  # both open the form ...
            fields = statement_fields(database, draft[0])
            pages = at_the_same_moment(  # ... and both press Save
                *(
                    functools.partial(editor.post, url, {**fields, "summary": f"Round {attempt}, editor {n}"}, token)
                    for n, (editor, token) in enumerate(zip(editors, tokens, strict=True))
                )
            )
            saved = [page for page in pages if "was changed successfully" in page]
            refused = [page for page in pages if "changed by someone else after you opened it" in page]
            assert (len(saved), len(refused)) == (1, 1), [page[:200] for page in pages]
        repeated = database.execute(
            "select version from states_historicalpositionstatement where id = %s group by version having count(*) > 1",
            [draft[0]],
        ).fetchall()
        assert repeated == []


def test_two_drafts_of_one_published_fact_at_the_same_moment_one_is_kept_the_other_told(production_env, two_servers):
    first, second = two_servers
    editors = [Browser(first).sign_in("ed_one"), Browser(second).sign_in("ed_two")]
    with psycopg.connect(production_env["DATABASE_URL"], autocommit=True) as database:
        published = database.execute(
            "select s.id from states_positionstatement s join states_state t on t.id = s.state_id "
            "where t.iso3 = 'FSM' and s.publication = 'published' and s.draft_of_id is null"
        ).fetchone()[0]
        url = f"/admin/states/positionstatement/{published}/change/"
        tokens = [editor.token_of(url) for editor in editors]
        fields = statement_fields(database, published)
        pages = at_the_same_moment(
            *(
                functools.partial(editor.post, url, {**fields, "summary": f"Draft {n}"}, token)
                for n, (editor, token) in enumerate(zip(editors, tokens, strict=True))
            )
        )
        assert not [page for page in pages if page.startswith("HTTP")], pages
        assert sum("Saved as a draft" in page for page in pages) == 1
        assert sum("already waiting for review" in page for page in pages) == 1
        drafts = database.execute("select count(*) from states_positionstatement where draft_of_id = %s", [published])
        assert drafts.fetchone()[0] == 1


# --- Every write path checks the version it started from (issue 18) ---------------------------

TRIALS = 10


class FormFields(HTMLParser):
    """The fields a browser would post from a page's main form: inputs (but
    unchecked boxes and buttons), each select's chosen option, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in {"submit", "button", "file"}:
            if attributes.get("type") == "checkbox" and "checked" not in attributes:
                return
            self.fields[name] = attributes.get("value") or ("on" if attributes.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data.removeprefix("\n") if not self.fields[self._textarea] else data


def opened(browser, path):
    """A staff member opens a form: what it would post, and its CSRF token."""
    parser = FormFields()
    parser.feed(browser.get(path))
    fields = parser.fields
    return fields, fields.pop("csrfmiddlewaretoken")


def publisher(base, username, key):
    staff = Browser(base)
    staff.post_form("/admin/login/", {"username": username, "password": "a long enough password", "next": "/admin/"})
    code = str(TOTP(bytes.fromhex(key)).token()).zfill(6)
    staff.post_form("/admin/two-factor/", {"token": code, "next": "/admin/"})
    return staff


@pytest.fixture(scope="module")
def two_publishers(two_servers):
    first, second = two_servers
    (one, one_key), (other, other_key) = RACING_PUBLISHERS.items()
    return publisher(first, one, one_key), publisher(second, other, other_key)


def multipart(fields, filename, content):
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; filename="{filename}"\r\n'
        f"Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    )
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def import_preview(staff, path, content):
    """Upload a sheet to the import page; the confirmation fields of its preview."""
    _fields, token = opened(staff, f"{path}import/")
    body, content_type = multipart({"csrfmiddlewaretoken": token, "format": "0"}, "actions.csv", content)
    request = urllib.request.Request(
        f"{staff.base}{path}import/", data=body, headers={"Content-Type": content_type, "Referer": staff.base + path}
    )
    parser = FormFields()
    parser.feed(staff.opener.open(request, timeout=30).read().decode())
    fields = parser.fields
    return fields, fields.pop("csrfmiddlewaretoken")


def test_an_import_and_a_form_save_at_the_same_moment_never_lose_either(production_env, two_publishers):
    importer, editor_of_the_form = two_publishers
    path = "/admin/states/treatyaction/"
    with psycopg.connect(production_env["DATABASE_URL"], autocommit=True) as database:
        action = database.execute(
            "select a.id from states_treatyaction a join states_state s on s.id = a.state_id "
            "where s.iso3 = 'PHL' and a.action_type = 'signature'"
        ).fetchone()[0]

        def row():
            return database.execute(
                "select a.version, s.iso3, a.date, src.url, a.verification, a.public_note, a.depositary_notification "
                "from states_treatyaction a join states_state s on s.id = a.state_id "
                "join states_source src on src.id = a.source_id where a.id = %s",
                [action],
            ).fetchone()

        outcomes = []
        for trial in range(TRIALS):
            version, iso3, date, url, verification, _note, _notification = row()
            export = (
                "id,version,state,treaty,action_type,date,source,verification,public_note\r\n"
                f"{action},{version},{iso3},rome-statute,signature,{date},{url},{verification},Import {trial}\r\n"
            )
            confirm, import_token = import_preview(importer, path, export)
            form, form_token = opened(editor_of_the_form, f"{path}{action}/change/")
            form.update(depositary_notification=f"C.N.{trial}.2000", change_reason="Corrected the notification")
            pages = at_the_same_moment(
                functools.partial(importer.post, f"{path}process_import/", confirm, import_token),
                functools.partial(editor_of_the_form.post, f"{path}{action}/change/", form, form_token),
            )
            assert not [page for page in pages if page.startswith("HTTP")], pages
            imported = "Nothing was imported" not in pages[0]
            saved = "was changed successfully" in pages[1]
            _version, *_rest, note, notification = row()
            # Exactly one wins, the other is told, and the winner's change is what is stored.
            assert imported != saved, (trial, pages[0][:300], pages[1][:300])
            if imported:
                assert note == f"Import {trial}" and notification != f"C.N.{trial}.2000"
                assert "changed by someone else" in pages[1] or "at the same moment" in pages[1]
            else:
                assert notification == f"C.N.{trial}.2000" and note != f"Import {trial}"
                assert "was changed after the file was exported" in pages[0]
            outcomes.append("import" if imported else "form")
        print("winners:", outcomes)


def test_a_state_page_and_one_of_its_facts_saved_at_the_same_moment_never_deadlock_or_lose_an_edit(
    production_env, two_publishers
):
    state_page_editor, fact_editor = two_publishers
    with psycopg.connect(production_env["DATABASE_URL"], autocommit=True) as database:
        state, statement = database.execute(
            "select s.id, p.id from states_state s join states_positionstatement p on p.state_id = s.id "
            "where s.iso3 = 'XAA'"
        ).fetchone()
        state_page, fact_page = (
            f"/admin/states/state/{state}/change/",
            f"/admin/states/positionstatement/{statement}/change/",
        )
        winners = []
        for trial in range(TRIALS):
            page_fields, page_token = opened(state_page_editor, state_page)
            page_fields.update(
                {"position_statements-0-summary": f"From the state page, round {trial}", "change_reason": "Page"}
            )
            fact_fields, fact_token = opened(fact_editor, fact_page)
            fact_fields.update(summary=f"From its own form, round {trial}", change_reason="Own form")
            pages = at_the_same_moment(
                functools.partial(state_page_editor.post, state_page, page_fields, page_token),
                functools.partial(fact_editor.post, fact_page, fact_fields, fact_token),
            )
            assert not [page for page in pages if page.startswith("HTTP")], pages  # no 500, no 503
            stored = database.execute(
                "select summary from states_positionstatement where id = %s", [statement]
            ).fetchone()[0]
            saved = ["was changed successfully" in page for page in pages]
            assert saved.count(True) == 1, (trial, [page[:300] for page in pages])
            loser = pages[saved.index(False)]
            assert "changed by someone else" in loser or "at the same moment" in loser
            # The loser's input is still in its form, to save again.
            assert f"round {trial}" in loser
            assert stored == ("From the state page" if saved[0] else "From its own form") + f", round {trial}"
            winners.append("state page" if saved[0] else "own form")
        print("winners:", winners)
