"""The shipped research on the Kampala amendments and the Ljubljana–The Hague
Convention (../shared/data/related_instruments.csv): a seed test, which new
research may change."""

import pytest

from states.models import State, Treaty
from tests.test_instruments import instrument_on

pytestmark = pytest.mark.usefixtures("shipped_seed")


@pytest.mark.parametrize(
    ("iso3", "slug", "as_of", "status", "words"),
    [
        ("MNG", "ljubljana-the-hague", None, "signatory", "Signature 24 June 2024"),
        ("CYP", "ljubljana-the-hague", None, "signatory", "Signature 11 December 2024"),
        ("CYP", "ljubljana-the-hague", "2024-12-10", "non_party", ""),
        ("WSM", "kampala-aggression", None, "state_party", "In force for this state from 25 September 2013"),
        ("CYP", "kampala-aggression", None, "state_party", "In force for this state from 25 September 2014"),
        ("PSE", "kampala-aggression", None, "state_party", "Ratification 26 June 2016"),
        ("PSE", "kampala-aggression", "2017-06-25", "joined_not_in_force", "In force for this state from 26 June 2017"),
        ("JPN", "kampala-aggression", None, "not_yet_researched", "not a finding that it has none"),
        ("JPN", "ljubljana-the-hague", None, "not_yet_researched", "not a finding that it has none"),
    ],
)
def test_seed_related_instruments_on_the_profiles(client, db, iso3, slug, as_of, status, words):
    shown, text = instrument_on(client, State.objects.get(iso3=iso3), Treaty.objects.get(slug=slug), as_of)
    assert shown == status
    assert words in text


def test_seed_related_instruments_cite_their_sources(client, db):
    _status, text = instrument_on(client, State.objects.get(iso3="MNG"), Treaty.objects.get(slug="ljubljana-the-hague"))
    assert "Treaty database of the Kingdom of the Netherlands (depositary)" in text
    _status, text = instrument_on(client, State.objects.get(iso3="WSM"), Treaty.objects.get(slug="kampala-aggression"))
    assert "crimeofaggression.info" in text


def test_seed_the_convention_on_crimes_against_humanity_is_not_yet_open_on_every_profile_and_the_overview(client, db):
    convention = Treaty.objects.get(slug="cah-convention")
    for iso3 in ("PHL", "JPN", "SGP"):
        status, words = instrument_on(client, State.objects.get(iso3=iso3), convention)
        assert (status, "Not yet open for signature ; conference 2028–2029" in words) == ("not_yet_open", True)
    assert "Not yet open for signature; conference 2028–2029." in client.get("/").content.decode()
