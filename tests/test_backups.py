"""The restore drill: back up a database, restore it into a fresh one, and
every public page and the whole history are the same. On the database the
suite runs on (SQLite files, or PostgreSQL with DATABASE_URL)."""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.helpers import FROZEN_SEED

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.own_clock  # the processes it starts read the machine's clock
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgres")

# Prints, in one fresh process, what a reader and an auditor would compare.
SNAPSHOT = """
import hashlib
from django.apps import apps
from django.test import Client
client = Client()
for path in ["/", "/?map=position", "/states/", "/states/export.csv", "/states/PHL/", "/states/MYS/",
             "/compare/?states=PHL,IDN,MYS", "/convention/", "/changes/", "/about/"]:
    response = client.get(path, {"as_of": "2026-11-29"} if "?" not in path else {})
    print(path, response.status_code, hashlib.sha256(response.content).hexdigest())
for model in apps.get_app_config("states").get_models():
    print(model.__name__, model.objects.count())
"""


@pytest.fixture
def two_databases(tmp_path):
    """The URLs of two empty databases of the suite's kind."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'original.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    server = DATABASE_URL.rsplit("/", 1)[0]
    names = ["cahtracker_drill_original", "cahtracker_drill_restored"]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")
    yield tuple(f"{server}/{name}" for name in names)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def manage(database_url, *arguments, code=None, static_root=None):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG"}}
    env |= {"STATIC_ROOT": str(static_root)} if static_root else {}
    env |= {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "0",
        "PUBLIC_PAGE_CACHE": "0",
    }
    command = [sys.executable, "manage.py", *arguments]
    if code is not None:  # Python with Django set up, in a fresh process
        env["DJANGO_SETTINGS_MODULE"] = "cahtracker.settings"
        command = [sys.executable, "-c", "import django; django.setup()\n" + code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# The original database as staff leave it: migrated, seeded, then corrected, so
# the history holds more than the load. One process, as each start of Django
# costs seconds.
STAFF_AT_WORK = f"""
from django.core.management import call_command
from states.models import PositionStatement
call_command("collectstatic", interactive=False, verbosity=0)
call_command("migrate", interactive=False, verbosity=0)
call_command("load_seed", "--dir", {str(FROZEN_SEED)!r}, verbosity=0)
statement = PositionStatement.objects.published().get(state__iso3="FSM")
statement.summary = "Corrected after the restore drill began."
statement._change_reason = "A staff correction"
statement.save()
"""
CORRECTED = "from states.models import PositionStatement as S; print(S.objects.get(state__iso3='FSM').summary)\n"


def test_a_backup_restores_into_a_fresh_database_with_every_page_and_the_history(two_databases, tmp_path):
    original, restored = two_databases
    static = tmp_path / "static"  # pages are rendered as in production, with collected static files
    manage(original, code=STAFF_AT_WORK, static_root=static)
    backup = tmp_path / "backup.file"
    backup.write_bytes(b"")
    backup.chmod(0o644)  # an older, readable file of the same name
    assert "Backed up to" in manage(original, "backup", "--to", str(backup))
    # It holds sessions, password hashes and second-factor secrets: its owner's only (issue 19).
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "Restored" in manage(restored, "restore", str(backup), "--yes")

    before, after = (
        manage(original, code=SNAPSHOT + CORRECTED, static_root=static),
        manage(restored, code=SNAPSHOT + CORRECTED, static_root=static),
    )
    assert after == before
    assert "Corrected after the restore drill began." in after
    assert "PublishedChange" in before and "200 " in before
