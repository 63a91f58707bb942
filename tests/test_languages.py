"""The public pages in Bahasa Indonesia, Thai and Arabic beside English:
addresses, what is translated, what stays as staff wrote it, right to left."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.views.defaults import server_error

from tests.helpers import reader_text, spelt_as_in_english, untranslated_text

LANGUAGES = ["id", "th", "ar"]

PAGES = [
    "/",
    "/?map=position&view=west_asia",
    "/states/",
    "/states/?status=state_party&sort=-position",
    "/states/PHL/",
    "/states/MYS/",
    "/compare/?states=PHL,IDN,THA",
    "/convention/",
    "/about/",
    "/accessibility/",
    "/changes/",
    "/data/",
    "/corrections/new/?state=PHL",
    "/embed/figure/rome-statute-parties/",
    "/embed/map/?layer=position",
    "/embed/state/IDN/",
]
# Error pages, with their status: an unreadable parameter, an unknown state, no such page.
ERROR_PAGES = [("/?map=zz", 400), ("/?as_of=2023-02-30", 400), ("/states/XYZ/", 404), ("/no-such-page/", 404)]


def in_language(path, language):
    return path if language == "en" else f"/{language}{path}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_a_reader_meets_is_translated(client, language):
    same_names = spelt_as_in_english(language)
    for path, status in [(path, 200) for path in PAGES] + ERROR_PAGES:
        english = client.get(path)
        translated = client.get(in_language(path, language))
        assert (english.status_code, translated.status_code) == (status, status), path
        page = translated.content.decode()
        assert f'<html lang="{language}"' in page, path
        assert untranslated_text(page, english.content.decode(), same_names) == [], path


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_is_in_the_language_of_the_address(rf, language):
    with translation.override("en"):
        english = server_error(rf.get("/")).content.decode()
    with translation.override(language):
        response = server_error(rf.get(f"/{language}/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in page
    assert f'href="/{language}/"' in page
    assert untranslated_text(page, english) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/xx/", 404),
        ("/TH/", 404),
        ("/th/th/", 404),
        ("/th/healthz", 404),  # one address, in no language
        ("/ar/states/%D9%A3%D9%A3%D9%A3/", 404),  # Arabic-Indic digits for a code
        ("/id/embed/figure/%C2%B2/", 404),
        ("/th/?as_of=%D9%A2%D9%A0%D9%A2%D9%A3-%D9%A0%D9%A4-%D9%A1%D9%A3", 400),
        ("/ar/changes/?page=999999999999999999999", 400),
        ("/ar/compare/?states=PHL%00", 400),
    ],
)
def test_an_odd_address_in_a_language_gets_a_4xx_in_that_language(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    prefix = path.split("/")[1].lower()  # Django reads the prefix in any case
    language = prefix if prefix in LANGUAGES else "en"
    assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.django_db
def test_a_garbled_accept_language_header_changes_nothing(client):
    response = client.get("/", headers={"accept-language": "\x00;q=x," * 200 + "ar"})
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.content.decode()


@pytest.mark.django_db
def test_english_stays_at_todays_addresses_whatever_the_browser_prefers(client):
    response = client.get("/states/PHL/", headers={"accept-language": "id,th;q=0.8"})
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.content.decode()
    assert client.get("/", headers={"accept-language": "ar"}).status_code == 200  # no redirect


@pytest.mark.django_db
def test_arabic_pages_read_right_to_left_and_the_others_left_to_right(client):
    assert '<html lang="ar" dir="rtl">' in client.get("/ar/").content.decode()
    for language in ["id", "th"]:
        assert f'<html lang="{language}" dir="ltr">' in client.get(f"/{language}/").content.decode()


@pytest.mark.django_db
def test_each_page_links_its_twins_in_every_language_keeping_the_query(client):
    page = client.get("/th/states/?status=state_party&sort=-position").content.decode()
    query = "?status=state_party&amp;sort=-position"
    for language, prefix in [("en", ""), ("id", "/id"), ("th", "/th"), ("ar", "/ar")]:
        address = f"http://testserver{prefix}/states/{query}"
        assert f'<link rel="alternate" hreflang="{language}" href="{address}">' in page
        # The switcher: plain links, each named in its own language.
        assert re.search(rf'<a href="{re.escape(prefix)}/states/{re.escape(query)}" lang="{language}"', page)
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver/states/{query}">' in page
    assert 'aria-current="true">ภาษาไทย</a>' in page


@pytest.mark.django_db
def test_states_names_come_from_iso_codes_translations(client):
    assert "<h1>ฟิลิปปินส์" in client.get("/th/states/PHL/").content.decode()
    assert "<h1>Filipina" in client.get("/id/states/PHL/").content.decode()
    # Where ISO's short name reads backwards ("Palestine, State of"), the official name is used.
    assert "<h1>دولة فلسطين" in client.get("/ar/states/PSE/").content.decode()
    assert "<h1>รัฐปาเลสไตน์" in client.get("/th/states/PSE/").content.decode()
    # No translation in iso-codes: the English name, never an empty one.
    assert "<h1>Türkiye" in client.get("/th/states/TUR/").content.decode()


@pytest.mark.django_db
def test_figures_use_each_languages_plural_forms(client):
    def headline(language):
        page = client.get(f"/{language}/?as_of=2023-04-13").content.decode()
        return re.search(r'<data id="rome-statute-parties" value="(\d+)">\d+</data>\s*([^<]+)<', page).groups()

    count, words = headline("ar")
    assert int(count) == 19
    assert words.strip() == "دولة طرفًا"  # 11 to 99 takes the singular, accusative
    assert headline("id")[1].strip() == "Negara Pihak"
    assert headline("th")[1].strip() == "รัฐภาคี"


@pytest.mark.django_db
def test_dates_are_written_in_the_language_with_western_digits(client):
    page = client.get("/th/?as_of=2023-04-13").content.decode()
    assert "13 เมษายน 2023" in page  # Gregorian year, Western digits, as /about/ explains
    assert "13 إبريل 2023" in client.get("/ar/?as_of=2023-04-13").content.decode()
    assert "Western digits" in client.get("/about/").content.decode()


@pytest.mark.django_db
def test_lists_are_joined_with_the_readers_comma(client):
    outside = re.search(r'<span id="map-outside">(.*?)</span>', client.get("/ar/").content.decode(), re.S).group(1)
    assert outside.count("</a>، <a") == outside.count("</a>") - 1 > 0
    assert "</code>، <code" in client.get("/ar/?map=zz").content.decode()
    assert "</code>, <code" in client.get("/?map=zz").content.decode()
    outside = re.search(r'<span id="map-outside">(.*?)</span>', client.get("/").content.decode(), re.S).group(1)
    assert outside.count("</a>, <a") == outside.count("</a>") - 1 > 0


@pytest.mark.django_db
def test_text_staff_wrote_is_quoted_as_written_and_marked_english(client):
    english = client.get("/states/PHL/").content.decode()
    page = client.get("/th/states/PHL/").content.decode()
    summary = re.search(r'<p lang="en" dir="ltr">([^<]+)</p>', page).group(1)
    assert summary in english
    assert '<a href="https://' in page and 'rel="external noopener" lang="en" dir="ltr">' in page  # source titles
    # The page says plainly that such text is quoted in its original language.
    assert 'class="original-language"' in page
    assert 'class="original-language"' not in english


@pytest.mark.django_db
def test_the_csv_translates_its_labels_and_keeps_its_codes(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/id/states/export.csv?as_of=2023-04-13").content.decode())))
    philippines = next(row for row in rows if row["iso3"] == "PHL")
    assert philippines["name"] == "Filipina"
    assert philippines["rome_statute_status"] == "withdrawn"
    assert philippines["rome_statute_status_label"] == "Menarik diri"
    assert list(rows[0])[:3] == ["iso3", "name", "in_counting_rule"]  # column names stay English


@pytest.mark.django_db
def test_the_api_and_the_admin_stay_in_english_at_one_address(client):
    assert client.get("/id/api/v1/states/").status_code == 404
    response = client.get("/api/v1/states/PHL/", headers={"accept-language": "ar"})
    assert response.json()["name"] == "Philippines"
    assert client.get("/th/admin/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/states/", "/states/PHL/", "/changes/"])
def test_a_page_in_another_language_costs_the_same_queries(client, path):
    client.get(path), client.get(f"/ar{path}")  # warm the per-process caches of both
    with CaptureQueriesContext(connection) as english:
        client.get(path)
    with CaptureQueriesContext(connection) as arabic:
        client.get(f"/ar{path}")
    assert len(arabic) == len(english)


@pytest.mark.django_db
def test_svg_coordinates_stay_numbers_in_languages_with_a_decimal_comma(client):
    for language in ["id", "ar"]:  # both write 12,5 for twelve and a half
        page = client.get(f"/{language}/").content.decode()
        for value in re.findall(r'\s(?:x|y|x1|x2|y1|y2|width|height|r|cx|cy)="([^"]*)"', page):
            assert re.fullmatch(r"-?[\d.]+%?", value), value
        for points in re.findall(r'\spoints="([^"]*)"', page):
            assert re.fullmatch(r"(-?[\d.]+,-?[\d.]+\s*)+", points)


def test_reader_text_leaves_out_what_is_marked_as_english():
    page = '<html lang="th"><p>ข้อความ <span lang="en">Quoted as written</span></p><code translate="no">PHL</code>'
    assert reader_text(page) == ("th", ["ข้อความ"])
    assert untranslated_text(page + "<p>Not translated at all</p>", "<html lang='en'><p>x</p>") == [
        "Not translated at all"
    ]


@pytest.mark.parametrize("path", ["/", "/states/", "/ar/", "/th/states/", "/api/v1/figures/", "/changes/feed/"])
def test_the_language_comes_from_the_address_so_no_page_varies_on_the_browsers(client, db, path, settings):
    settings.PUBLIC_PAGE_CACHE = True  # as served in production, from the page cache too
    for _round in range(2):
        response = client.get(path, headers={"accept-language": "ar,th;q=0.8", "accept-encoding": "gzip"})
        assert response.status_code == 200, path
        assert "accept-language" not in response.get("Vary", "").lower(), path
    if path == "/":
        assert b'<html lang="en" dir="ltr">' in client.get(path, headers={"accept-language": "ar"}).content
