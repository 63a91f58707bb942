"""Restore a backup made by ``manage.py backup`` into the configured database,
replacing what it holds. Meant for an empty or disposable database: a
restore drill, or a new server."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from states import page_cache
from states.management.commands.backup import postgres_env
from states.models import DataEpoch


class Command(BaseCommand):
    help = "Restore a backup made by manage.py backup into the configured database (replacing its contents)."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The file manage.py backup wrote.")
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the database.")

    def handle(self, *args, **options):
        source = Path(options["backup"])
        if not source.is_file():
            raise CommandError(f"{source}: no such file.")
        database = settings.DATABASES["default"]
        if not options["yes"] and input(f"Replace everything in {database['NAME']} with {source}? [y/N] ") != "y":
            raise CommandError("Nothing restored.")
        if database["ENGINE"] == "django.db.backends.postgresql":
            if not shutil.which("pg_restore"):
                raise CommandError("pg_restore is not installed (Debian package postgresql-client).")
            connection.close()
            result = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "--dbname", database["NAME"], str(source)],
                env={**os.environ, **postgres_env(database)}, capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            connection.ensure_connection()
            backup = sqlite3.connect(source)
            try:
                backup.backup(connection.connection)
            finally:
                backup.close()
        # A backup from an earlier release gets the tables it lacks; then the
        # restored copy is a new epoch, so no page cached, and no ETag a
        # browser or proxy kept, from before the restore can match it.
        call_command("migrate", interactive=False, verbosity=0)
        DataEpoch.begin_anew()
        if page_cache.shared_version is not None:
            page_cache.shared_version.announce_change()
        self.stdout.write(f"Restored {source} into {database['NAME']}; every server shows it from the next request.")
