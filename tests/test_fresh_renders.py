"""A fresh render does only what changed (issue 23): the standings, the
figures and the map are worked out once per data version in a process
(states.per_version) and shared by every page, date and language that needs
them; a publish is in the very next render."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from states.choices import ConventionPosition, Verification
from states.models import PositionStatement, State, Treaty
from states.per_version import kept
from states.views import TIMELINE_PER_PAGE
from tests.helpers import published_action, published_statement


@pytest.fixture
def fresh_renders(settings):
    """Every request rendered afresh, as with PUBLIC_PAGE_CACHE=0 (what make bench measures)."""
    settings.PUBLIC_PAGE_CACHE = False


def queries_of(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries), response.content


@pytest.mark.parametrize(
    ("path", "afterwards"),
    [
        ("/", 1),  # the data version
        ("/?as_of=2020-06-30", 1),
        ("/states/PHL/", 1),
        ("/convention/", 2),  # and the convention's timeline events
        ("/api/v1/figures/", 1),
    ],
)
def test_a_second_fresh_render_of_the_same_data_version_loads_no_fact_again(
    client, db, fresh_renders, path, afterwards
):
    first, page = queries_of(client, path)
    again, same_page = queries_of(client, path)
    assert again == afterwards < first
    assert same_page == page


def statement_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return [query["sql"] for query in queries if "states_positionstatement" in query["sql"]]


def test_other_pages_dates_and_languages_share_the_facts_loaded_once(
    client, db, fresh_renders, make_state, rome_statute, source
):
    state = make_state()
    published_action(state, rome_statute, "accession", "2010-01-01", source)
    published_statement(state, "2024-10-10", ConventionPosition.SUPPORTS, source)
    client.get("/")
    # Its statements on one page of its timeline, and how many were made
    # after each of its treaty entries.
    page, after = statement_queries(client, f"/states/{state.iso3}/")
    assert f'"states_positionstatement"."state_id" = {state.pk} ' in page
    assert int(re.search(r"LIMIT (\d+)", page).group(1)) <= TIMELINE_PER_PAGE
    assert f'"states_positionstatement"."state_id" = {state.pk} ' in after and "COUNT(" in after
    assert statement_queries(client, f"/id/states/{state.iso3}/") == []  # shared by every language
    [latest] = statement_queries(client, "/ar/?as_of=2019-03-17")  # a new date: the statements positions rest on
    assert "\"date\" <= '2019-03-17'" in latest
    assert statement_queries(client, "/th/convention/") == []
    assert statement_queries(client, "/?as_of=2019-03-17") == []


def test_a_publish_is_in_the_next_fresh_render(client, db, fresh_renders, publisher, source):
    before = client.get("/states/PHL/").content.decode()
    statement = published_statement(
        State.objects.get(iso3="PHL"), "2026-11-20", ConventionPosition.SUPPORTS, source, forum="A new forum"
    )
    statement.summary = "Said at a meeting the week before."
    statement.save_change_by(publisher, "Recorded the statement")
    after = client.get("/states/PHL/").content.decode()
    assert "A new forum" not in before and "A new forum" in after


def test_outside_a_request_nothing_is_kept_so_code_sees_its_own_change(db, source):
    treaty = Treaty.objects.rome_statute()
    philippines = State.objects.get(iso3="PHL")
    State.objects.standings(treaty)
    published_statement(
        philippines, "2026-11-20", ConventionPosition.OPPOSES_OR_SCEPTICAL, source
    )  # no PublishedChange
    standing = State.objects.standing_of("PHL", treaty)
    assert standing.position == ConventionPosition.OPPOSES_OR_SCEPTICAL
    assert kept.entries == {}


def test_two_dates_on_which_every_state_stands_the_same_share_one_drawing_of_the_map(client, db, fresh_renders):
    client.get("/?as_of=2024-01-01")
    client.get("/?as_of=2024-01-02")
    kinds = [key[0] for key in kept.entries]
    assert kinds.count("map") == 2  # framed for its own date
    assert kinds.count("map drawing") == 1
    assert "1 January 2024" in client.get("/?as_of=2024-01-01").content.decode()


def test_a_page_rendered_from_kept_work_is_the_page_rendered_from_the_database(client, db, fresh_renders):
    for path in ("/", "/?map=position&view=pacific", "/states/MYS/", "/ar/states/", "/api/v1/states/?page_size=5"):
        kept.forget()
        from_the_database = client.get(path).content
        assert client.get(path).content == from_the_database, path


def test_a_statement_made_unverified_changes_the_verification_shown_at_once(client, db, fresh_renders, publisher):
    client.get("/states/FSM/")
    statement = PositionStatement.objects.published().get(state__iso3="FSM")
    statement.verification = Verification.UNVERIFIED
    statement.save_change_by(publisher, "Not yet checked again")
    assert client.get("/api/v1/states/FSM/").json()["standing"]["verification"] == Verification.UNVERIFIED


def test_a_filter_menu_left_at_any_is_drawn_once_per_data_version_and_language(client, db, fresh_renders):
    pages = ("/states/", "/changes/", "/th/states/", "/changes/?state=PHL", "/states/?subregion=035")
    for path in pages:
        kept.forget()
        from_the_database = client.get(path)
        assert from_the_database.status_code == 200, path
        assert client.get(path).content == from_the_database.content, path
    menus = {key[1:] for key in kept.entries if key[0] == "filter menu left at any"}
    # The last page's chosen subregion is drawn each time; the other menus are kept.
    assert ("StateFilterForm", "status", "en") in menus and ("StateFilterForm", "subregion", "en") not in menus
    chosen = client.get("/states/", {"subregion": "035"}).content.decode()
    assert re.search(r'<option value="035" selected>', chosen)
    assert '<option value="" selected>' in client.get("/states/").content.decode()


def test_what_a_reader_types_or_gets_wrong_is_never_kept(client, db, fresh_renders):
    def kept_menus():
        return {key[2] for key in kept.entries if key[0] == "filter menu left at any"}

    assert "&lt;b&gt;typed" in client.get("/states/", {"q": "<b>typed</b>"}).content.decode()
    assert "q" not in kept_menus() and "status" in kept_menus()
    kept.forget()
    refused = client.get("/states/", {"treaty_status": "state_party"})  # a status with no treaty chosen
    assert refused.status_code == 400 and "Choose the treaty this status is under" in refused.content.decode()
    assert "treaty_status" not in kept_menus() and "status" in kept_menus()
