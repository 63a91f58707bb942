"""The coalition's asks of each state: written by staff, reviewed and
published like every fact, shown on the profile (the one-page brief), in the
API, the CSV and the data package, never typed into a figure."""

import csv
import io
import re

import pytest
from django.db import IntegrityError, transaction

from states.choices import ChangeKind, Publication, RecordKind
from states.models import CoalitionAsk, PublishedChange
from tests.helpers import downloaded_package, publish_from_its_page, published_ask

ASKS = "/admin/states/coalitionask/"


def ask_form(state, treaty, source, **changes):
    values = {
        "state": state.pk,
        "treaty": treaty.pk,
        "ask": "Accede to the Rome Statute before 2027",
        "asked_on": "2026-10-01",
        "source": source.pk,
        "verification": "primary",
        "last_verified_on": "",
        "change_reason": "The coalition's 2026 letter",
    }
    return {**values, **changes}


@pytest.fixture
def asked(make_state, rome_statute, source):
    """A published ask of a made-up state."""
    return published_ask(make_state(), rome_statute, source, ask="Accede to the Rome Statute before 2027")


def profile(client, state, **query):
    return client.get(f"/states/{state.iso3}/", query).content.decode()


def test_an_editors_ask_reaches_the_profile_only_once_a_publisher_publishes_it(
    client, as_user, editor, publisher, make_state, rome_statute, source
):
    state = make_state()
    response = as_user(editor).post(f"{ASKS}add/", ask_form(state, rome_statute, source))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = CoalitionAsk.objects.get(state=state)
    assert draft.publication == Publication.DRAFT
    client.logout()
    assert "Accede to the Rome Statute before 2027" not in profile(client, state)
    assert publish_from_its_page(as_user(publisher), ASKS, draft).status_code == 302
    client.logout()
    page = profile(client, state)
    assert 'id="ask-rome-statute"><strong lang="en" dir="auto">Accede to the Rome Statute before 2027</strong>' in page
    assert "asked 1 October 2026" in page
    change = PublishedChange.objects.get(record_kind=RecordKind.COALITION_ASK, record_id=draft.pk)
    assert change.kind == ChangeKind.PUBLISHED and change.state == state


def test_an_editor_cannot_publish_an_ask(as_user, editor, asked):
    assert not CoalitionAsk.may_publish(editor)
    response = as_user(editor).post(f"{ASKS}{asked.pk}/review/", {"decision": "publish", "reviewed": "x"})
    assert response.status_code == 403


def test_an_ask_made_after_the_pages_date_is_not_shown_on_it(client, asked):
    assert "Accede to the Rome Statute before 2027" in profile(client, asked.state)
    assert "Accede to the Rome Statute before 2027" not in profile(client, asked.state, as_of="2026-09-30")


def test_one_published_ask_per_state_and_instrument(asked):
    twin = CoalitionAsk(
        publication=Publication.PUBLISHED,
        state=asked.state,
        treaty=asked.treaty,
        ask="Ratify it",
        asked_on="2026-11-01",
        source=asked.source,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_api_the_csv_and_the_data_package_carry_the_ask(client, asked):
    detail = client.get(f"/api/v1/states/{asked.state.iso3}/").json()
    assert detail["asks"] == [
        {
            "treaty": "rome-statute",
            "ask": "Accede to the Rome Statute before 2027",
            "asked_on": "2026-10-01",
            "source": {"url": asked.source.url, "title": asked.source.title, "publisher": "", "accessed_on": None},
            "verification": "unverified",
            "last_verified_on": None,
            "public_note": "",
        }
    ]
    assert client.get(f"/api/v1/states/{asked.state.iso3}/", {"as_of": "2026-09-01"}).json()["asks"] == []
    rows = {row["iso3"]: row for row in csv.DictReader(io.StringIO(client.get("/states/export.csv").content.decode()))}
    assert rows[asked.state.iso3]["coalition_asks"] == "rome-statute: Accede to the Rome Statute before 2027"
    assert list(rows[asked.state.iso3])[-2:] == ["coalition_asks", "as_of"]
    package = downloaded_package(client)
    [asks_file] = [name for name in package.namelist() if name.endswith("asks.csv")]
    assert "Accede to the Rome Statute before 2027" in package.read(asks_file).decode()


def test_an_ask_is_never_counted_in_a_figure(client, asked):
    def figures():
        overview = re.findall(r'<data id="([a-z-]+)" value="(\d+)"', client.get("/").content.decode())
        return client.get("/api/v1/figures/").json(), overview

    with_the_ask = figures()
    CoalitionAsk.objects.filter(pk=asked.pk).delete()
    assert figures() == with_the_ask
