"""Back up the whole database, history included, to one file.

PostgreSQL: pg_dump in its custom format (restore with ``manage.py restore``
or pg_restore). SQLite: the online backup API, a consistent copy even while
the app is writing. See the README's "Backups" section.

A backup holds everything: sessions, password hashes, second-factor secrets.
Its file is readable by its owner only (0600), made so before anything is
written into it, and its folder by its owner only (0700).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


def postgres_env(database):
    """libpq's environment for Django's database settings (the password never on a command line)."""
    env = {"PGHOST": database["HOST"] or "127.0.0.1", "PGPORT": str(database["PORT"] or 5432)}
    env |= {"PGUSER": database["USER"], "PGDATABASE": database["NAME"]}
    if database["PASSWORD"]:
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


class Command(BaseCommand):
    help = "Back up the whole database (history included) to one file."

    def add_arguments(self, parser):
        parser.add_argument("--to", help="The file to write (default: backups/cahtracker-<date and time>.<kind>).")

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        postgres = database["ENGINE"] == "django.db.backends.postgresql"
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = Path(
            options["to"] or settings.BASE_DIR / "backups" / f"cahtracker-{stamp}.{'dump' if postgres else 'sqlite3'}"
        )
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created private before a byte is written (pg_dump and SQLite write into it).
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        os.chmod(target, 0o600)  # a file that was there already keeps its own mode otherwise
        if postgres:
            if not shutil.which("pg_dump"):
                raise CommandError("pg_dump is not installed (Debian package postgresql-client).")
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)],
                env={**os.environ, **postgres_env(database)},
                capture_output=True,
                text=True,
            )
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            connection.ensure_connection()
            copy = sqlite3.connect(target)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size // 1024} KB).")
