"""States' names in the reader's language, from the ISO 3166 translations of
Debian's iso-codes project that pycountry bundles: kept up to date by their
translators, never typed here.

The stored English name (a UN short name) stays the data's own: the API, the
CSV's codes and the admin use it.
"""

import gettext
from functools import lru_cache

import pycountry


@lru_cache(maxsize=8)
def _catalogue(language):
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


@lru_cache(maxsize=1024)
def translated_name(iso3, language):
    """The name iso-codes gives ``iso3`` in ``language``, or None when it has
    none in that language (or does not know the code).

    ISO's short names put the descriptive part last ("Palestine, State of");
    where a translation keeps that order, the official name ("the State of
    Palestine") reads the way the UN name does, so it is preferred there."""
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return None
    catalogue = _catalogue(language)
    candidates = [country.name]
    official_name = getattr(country, "official_name", None)
    if "," in country.name and official_name:
        candidates.insert(0, official_name)
    for english in candidates:
        translation = catalogue.gettext(english)
        if translation != english:
            return translation
    return None


def local_name(iso3, english_name, language):
    """The name a reader of ``language`` sees: the English name in English (and
    where no language is active, as in management commands), and where iso-codes
    has no translation."""
    if not language or language == "en":
        return english_name
    return translated_name(iso3, language) or english_name
