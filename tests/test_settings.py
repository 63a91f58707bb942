"""Settings fail closed: outside development and tests, no SECRET_KEY means no start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="cahtracker.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_a_production_start_without_secret_key_stops_with_a_clear_message():
    result = start_django()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_production_start_with_a_secret_key_works():
    assert start_django(SECRET_KEY="x" * 50).returncode == 0


def test_development_runs_without_a_secret_key():
    assert start_django(DJANGO_DEBUG="1").returncode == 0
