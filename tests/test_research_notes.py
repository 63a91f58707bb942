"""Research notes are for staff: no public page or export ever shows one."""

import html

import pytest

from states.facts import SourcedFact
from states.models import PositionStatement, Source, State, TimelineEvent, Treaty, TreatyAction, WrittenSubmission
from tests.helpers import public_urls

NOTED = [Source, State, Treaty, TreatyAction, PositionStatement, WrittenSubmission, TimelineEvent]


def seeded_research_notes():
    notes = set()
    for model in NOTED:
        notes |= set(model.objects.exclude(research_note="").values_list("research_note", flat=True))
    return notes


def test_the_seed_has_research_notes_to_hide(db):
    assert len(seeded_research_notes()) > 30
    assert all(issubclass(model, SourcedFact) for model in NOTED if model is not Source)


def test_no_public_page_or_export_shows_a_research_note(client, db):
    notes = seeded_research_notes()
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        page = html.unescape(response.content.decode())
        leaked = [note for note in notes if note in page]
        assert leaked == [], f"{url} shows research notes"


@pytest.mark.parametrize(
    "words",
    ["read via", "read through a mirror", "from knowledge", "from memory", "not retrievable", "this review"],
)
def test_no_public_page_uses_the_words_of_the_research_trail(client, db, words):
    for url in ["/", "/states/PHL/", "/states/MYS/", "/states/TUR/", "/states/ISR/", "/convention/", "/about/"]:
        assert words not in client.get(url).content.decode().lower(), url


def test_staff_see_both_notes_in_the_research_queue(as_user, publisher):
    page = html.unescape(as_user(publisher).get("/admin/research-queue/").content.decode())
    assert "Research note (staff only): The ABA dataset's entry-into-force date (2002-02-01) is a typo" in page


def test_a_note_staff_write_goes_to_the_public_only_in_the_public_note(client, make_state):
    state = make_state(public_note="Joined the UN in 1999.", research_note="Checked the UN members list by phone.")
    page = client.get(f"/states/{state.iso3}/").content.decode()
    assert "Joined the UN in 1999." in page
    assert "by phone" not in page
