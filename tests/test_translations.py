"""The translation catalogues (locale/*/LC_MESSAGES/django.po): every string
of the public pages translated, none fuzzy, each compiling, and the committed
.mo files the same as their .po files (`make run` needs no gettext)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))
needs_gettext = pytest.mark.skipif(
    not shutil.which("msgfmt") and not os.environ.get("CI"), reason="GNU gettext is not installed"
)


def language_of(path):
    return path.parent.parent.name


def translations(catalogue):
    return {
        (entry.msgctxt, entry.msgid): (entry.msgstr, dict(entry.msgstr_plural))
        for entry in catalogue
        if entry.msgid  # not the header
    }


def test_each_language_but_english_has_a_catalogue():
    assert {language_of(path) for path in CATALOGUES} == {code for code, _name in settings.LANGUAGES} - {"en"}


@pytest.mark.parametrize("path", CATALOGUES, ids=language_of)
def test_every_string_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(path)
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy  # a fuzzy header would lose Arabic's six plural forms


@pytest.mark.parametrize("path", CATALOGUES, ids=language_of)
def test_the_committed_compiled_catalogue_is_its_po_file(path):
    assert translations(polib.mofile(path.with_suffix(".mo"))) == translations(polib.pofile(path))


@needs_gettext
@pytest.mark.parametrize("path", CATALOGUES, ids=language_of)
def test_each_catalogue_compiles_with_its_placeholders_checked(path):
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, path], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@needs_gettext
def test_the_catalogues_hold_every_string_of_the_public_pages_and_no_other(tmp_path):
    """Gather the strings afresh, as `make messages` does, in a copy of the
    code (the real catalogues stay untouched), and compare."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ["manage.py", "cahtracker", "states", "alerts", "templates"]:
        source = Path(settings.BASE_DIR, name)
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete", "--verbosity", "0"],
        cwd=copy,
        env={**os.environ, "DJANGO_DEBUG": "1"},
        check=True,
    )
    gathered = set(translations(polib.pofile(copy / "locale/id/LC_MESSAGES/django.po")))
    for path in CATALOGUES:
        kept = set(translations(polib.pofile(path)))
        assert sorted(gathered - kept, key=str) == [], f"not in {path}: run make messages and translate them"
        assert sorted(kept - gathered, key=str) == [], f"no longer used, still in {path}: run make messages"
