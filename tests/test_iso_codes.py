"""The ISO codes in the seed were typed from knowledge: check them against pycountry."""

import pycountry

from states.models import State


def test_every_state_has_the_iso_codes_pycountry_gives(db):
    for iso3, iso2 in State.objects.values_list("iso3", "iso2"):
        country = pycountry.countries.get(alpha_3=iso3)
        assert country is not None, f"{iso3} is not an ISO 3166 alpha-3 code"
        assert country.alpha_2 == iso2, f"{iso3}: seed says {iso2}, ISO 3166 says {country.alpha_2}"
