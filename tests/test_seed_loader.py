"""The seed loader on the shipped seed/: idempotent, all or nothing, and
precise about what is wrong (a seed test; its rules on a database staff have
touched are in test_record_integrity.py)."""

import io
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from states.models import PositionStatement, SeedRow, Source, State, TreatyAction

pytestmark = pytest.mark.usefixtures("shipped_seed")

MIRROR_HOSTS = [
    "fanyjok.com",
    "pinocchiopedia.com",
    "hyperlinked.wiki",
    "wikiclassic.com",
    "static.un.org",
    "audit.pminewyork",
    "nolga1125",
    "oi831.com",
]


@pytest.fixture
def seed_copy(tmp_path):
    """A copy of the seed folder that a test may edit."""
    folder = tmp_path / "seed"
    shutil.copytree(settings.SEED_DIR, folder)
    return folder


def load(folder=None):
    out = io.StringIO()
    args = ["--dir", str(folder)] if folder else []
    call_command("load_seed", *args, stdout=out)
    return out.getvalue()


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot():
    return {
        model.__name__: sorted(map(str, model.objects.values_list()))
        for model in (Source, State, TreatyAction, PositionStatement)
    }


def test_the_seed_holds_61_tracked_states_and_no_australia_or_new_zealand(db):
    assert State.objects.count() == 61
    assert not State.objects.filter(iso3__in=["AUS", "NZL"]).exists()


def test_a_second_run_changes_nothing(db):
    before = snapshot()
    assert "nothing new" in load()
    assert snapshot() == before


def test_a_changed_row_updates_that_row_only(db, seed_copy):
    replace_in(seed_copy / "states.csv", "Viet Nam", "Vietnam")
    # On a database only the loader has written to, a correction is applied.
    rows = SeedRow.objects.count()  # every row the first load read; all but the changed one stay as they were
    assert load(seed_copy).startswith(f"Seed data: 1 updated in place (no staff work yet); {rows - 1} unchanged.")
    assert State.objects.get(iso3="VNM").name == "Vietnam"


def test_a_bad_date_changes_nothing_and_names_file_row_and_field(db, seed_copy):
    # An edit early in the run (states.csv) and a bad date later (treaty_actions.csv).
    replace_in(seed_copy / "states.csv", "Viet Nam", "Vietnam")
    replace_in(
        seed_copy / "treaty_actions.csv",
        "KIR,rome-statute,accession,2019-11-26",
        "KIR,rome-statute,accession,2019-11-31",
    )
    before = snapshot()
    with pytest.raises(CommandError) as error:
        load(seed_copy)
    message = str(error.value)
    assert "treaty_actions.csv, row " in message
    assert 'field "date"' in message
    assert "'2019-11-31' is not a date in the form YYYY-MM-DD" in message
    assert snapshot() == before
    assert State.objects.get(iso3="VNM").name == "Viet Nam"


def test_an_unknown_category_names_the_field(db, seed_copy):
    replace_in(
        seed_copy / "position_statements.csv",
        ",supports,own_words,,,https://unmission.fm",
        ",maybe,own_words,,,https://unmission.fm",
    )
    with pytest.raises(CommandError) as error:
        load(seed_copy)
    assert 'position_statements.csv, row 14, field "position"' in str(error.value)


def test_a_row_with_too_many_columns_is_refused(db, seed_copy):
    path = seed_copy / "written_submissions.csv"
    with path.open("a") as handle:
        handle.write("submission-SGP,SGP,made,2023-11-30,day,A/78/717,,,,https://example.org,primary,extra\n")
    lines = path.read_text().splitlines()
    row, columns = len(lines), len(lines[0].split(","))  # the last, whatever the seed holds before it
    with pytest.raises(CommandError) as error:
        load(seed_copy)
    assert f"written_submissions.csv, row {row}: has {columns} columns in the header but" in str(error.value)


def test_a_missing_column_is_named(db, seed_copy):
    path = seed_copy / "sources.csv"
    path.write_text(path.read_text().replace("url,title,publisher", "address,title,publisher", 1))
    with pytest.raises(CommandError) as error:
        load(seed_copy)
    assert "sources.csv: missing column(s): url" in str(error.value)


def test_a_source_not_in_sources_csv_is_refused(db, seed_copy):
    replace_in(seed_copy / "position_statements.csv", "https://unmission.fm/?p=5762", "https://unmission.fm/?p=1")
    with pytest.raises(CommandError) as error:
        load(seed_copy)
    assert "field \"source_url\": no source 'https://unmission.fm/?p=1'" in str(error.value)


def test_a_sourced_entry_into_force_that_breaks_art_126_is_reported(db, seed_copy):
    # The ABA dataset's typo for Vanuatu, which the research corrected.
    replace_in(seed_copy / "treaty_actions.csv", "2011-12-02,,,2012-02-01", "2011-12-02,,,2002-02-01")
    with pytest.raises(CommandError) as error:
        load(seed_copy)
    assert "the source gives 2002-02-01 but the treaty's rule gives 2012-02-01" in str(error.value)


def test_public_sources_are_canonical_addresses_never_research_mirrors(db):
    urls = list(Source.objects.values_list("url", flat=True))
    assert urls
    for url in urls:
        assert not any(host in url for host in MIRROR_HOSTS), url
        assert "read via" not in url


def test_every_rome_statute_fact_points_to_the_depositary_record_to_verify(rome_statute):
    assert rome_statute.depositary_record_url.startswith("https://treaties.un.org/")
    assert not TreatyAction.objects.filter(verification="primary").exists()


def test_a_row_staff_changed_since_the_seed_loaded_it_is_kept_and_listed(db, seed_copy):
    vietnam = State.objects.get(iso3="VNM")
    vietnam.public_note = "Checked by staff."
    vietnam._change_reason = "Staff correction"
    vietnam.save()
    replace_in(seed_copy / "states.csv", "Viet Nam", "Vietnam")
    output = load(seed_copy)
    assert "updated" not in output
    assert "1 left alone because staff own them" in output
    assert "state-VNM: Viet Nam differs from the file, and its fields are public as soon as saved" in output
    vietnam.refresh_from_db()
    assert (vietnam.name, vietnam.public_note) == ("Viet Nam", "Checked by staff.")


def test_a_seed_action_that_cannot_follow_the_states_record_is_refused(db, seed_copy):
    with (seed_copy / "treaty_actions.csv").open("a") as handle:
        handle.write(
            f"action-IND-rome-statute-withdrawal,IND,rome-statute,withdrawal,2020-01-01,,,,{Source.objects.first().url},secondary,,\n"
        )
    with pytest.raises(CommandError) as error:
        load(seed_copy)
    assert 'field "action_type": India was not a State Party to the Rome Statute on 2020-01-01' in str(error.value)
