"""The law's nuances, right everywhere a state appears: a signatory that said
it will not become a party, and an instrument withdrawn before it took effect."""

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError

from states.choices import CountingRule, TreatyStatus
from states.models import State, TreatyAction
from tests.helpers import day, published_action

MALAYSIA_DETAIL = "Accession withdrawn before it took effect (29 April 2019)"


def status_of(iso3, treaty, on):
    [standing] = State.objects.filter(iso3=iso3).standings(treaty, day(on))
    return standing.treaty_status


def test_israel_is_a_signatory_until_it_said_it_would_not_become_a_party(rome_statute):
    assert status_of("ISR", rome_statute, "2002-08-27") == TreatyStatus.SIGNATORY
    assert status_of("ISR", rome_statute, "2002-08-28") == TreatyStatus.NOT_INTENDING_TO_BE_PARTY


def test_a_signatory_not_intending_to_become_a_party_counts_as_a_non_party(make_state, rome_statute, source):
    state = make_state()
    published_action(state, rome_statute, "signature", "2000-12-31", source)
    published_action(state, rome_statute, "non_intention", "2002-08-28", source)
    figures = State.objects.filter(pk=state.pk).figures(rome_statute, day("2026-11-29"))
    assert figures.treaty_status_counts[TreatyStatus.NON_PARTY] == 1
    assert TreatyStatus.NOT_INTENDING_TO_BE_PARTY not in figures.treaty_status_counts
    assert figures.treaty_status_counts[TreatyStatus.SIGNATORY] == 0


def test_only_a_signatory_can_say_it_does_not_intend_to_become_a_party(make_state, rome_statute, source):
    state = make_state()
    notice = TreatyAction(
        state=state, treaty=rome_statute, action_type="non_intention", date=day("2002-08-28"), source=source
    )
    with pytest.raises(ValidationError) as error:
        notice.clean_across_rows()
    assert "had not signed by 2002-08-28" in str(error.value)


def test_a_state_that_joined_cannot_say_it_does_not_intend_to_become_a_party(make_state, rome_statute, source):
    state = make_state()
    published_action(state, rome_statute, "signature", "1999-01-01", source)
    published_action(state, rome_statute, "ratification", "2001-01-01", source)
    notice = TreatyAction(
        state=state, treaty=rome_statute, action_type="non_intention", date=day("2003-01-01"), source=source
    )
    with pytest.raises(ValidationError) as error:
        notice.clean_across_rows()
    assert "leaves by notifying a withdrawal" in str(error.value)


def test_israels_profile_lists_its_signature_and_its_notice(client, db):
    page = client.get("/states/ISR/", {"as_of": "2026-11-29"}).content.decode()
    assert 'data-status="not_intending_to_be_party">Signed, but does not intend to become a party</strong>' in page
    assert "Signed 31 December 2000" in page
    assert "Notified on 28 August 2002 that it does not intend to become a party" in page


def test_the_map_names_israels_own_status(client, db):
    page = client.get("/", {"as_of": "2026-11-29"}).content.decode()
    assert (
        'aria-label="Israel: Signed, but does not intend to become a party (not yet verified) (outside the count)"'
        in page
    )


def test_malaysia_reads_accession_withdrawn_before_it_took_effect_everywhere(client, db):
    query = {"as_of": "2026-11-29"}
    profile = client.get("/states/MYS/", query).content.decode()
    assert f'<span id="rome-statute-detail">{MALAYSIA_DETAIL}</span>' in profile
    table = client.get("/states/", {**query, "q": "Malaysia"}).content.decode()
    assert MALAYSIA_DETAIL in table
    compared = client.get("/compare/", {**query, "states": "PHL,IDN,MYS"}).content.decode()
    assert compared.count(MALAYSIA_DETAIL) == 1
    rows = csv.DictReader(io.StringIO(client.get("/states/export.csv", query).content.decode()))
    assert {row["iso3"]: row["rome_statute_detail"] for row in rows}["MYS"] == MALAYSIA_DETAIL


def test_malaysias_detail_appears_only_once_its_accession_was_withdrawn(client, db):
    page = client.get("/states/MYS/", {"as_of": "2019-04-28"}).content.decode()
    assert MALAYSIA_DETAIL not in page
    assert re.search(r'data-status="joined_not_in_force"', page)


def test_everyone_counts_israel_as_a_non_party(rome_statute):
    everyone = State.objects.figures(rome_statute, day("2026-11-29"), CountingRule.ALL_TRACKED)
    by_iso3 = {s.state.iso3: s.treaty_status.counted_as for s in everyone.standings}
    assert by_iso3["ISR"] == TreatyStatus.NON_PARTY
