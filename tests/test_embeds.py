"""Embeds for partner sites: a figure, the map, a state's standing and a badge,
which only they may frame; every other page keeps refusing to be framed."""

import datetime
import re

import pytest

from states.embeds import FIGURES
from states.models import State, Treaty
from states.rules import Figures
from states.views import HEADLINE_RULE

EMBEDS = [
    "/embed/figure/rome-statute-parties/",
    "/embed/figure/convention-supporters/",
    "/embed/figure/written-comments/",
    "/embed/map/?layer=position",
    "/embed/state/PHL/",
]


@pytest.mark.parametrize("url", EMBEDS)
def test_an_embed_may_be_framed_by_any_site(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    again = client.get(url)  # from the cache: the same rule
    assert "X-Frame-Options" not in again and "frame-ancestors *" in again["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/states/PHL/", "/about/", "/admin/login/"])
def test_every_other_page_still_refuses_to_be_framed(client, db, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("as_of", ["2019-03-17", "2023-04-13", "2026-11-29"])
def test_each_embedded_figure_is_the_pages_figure_with_its_rule_date_and_a_link_back(client, db, as_of):
    figures = Figures(
        State.objects.standings(Treaty.objects.rome_statute(), datetime.date.fromisoformat(as_of)), HEADLINE_RULE
    )
    page = client.get("/embed/figure/rome-statute-parties/", {"as_of": as_of}).content.decode()
    count = int(re.search(r'<data value="(\d+)">', page).group(1))
    assert count == figures.states_parties == FIGURES["rome-statute-parties"].count(figures)
    overview = client.get("/", {"as_of": as_of}).content.decode()
    assert f'id="rome-statute-parties" value="{count}"' in overview
    assert f"?as_of={as_of}" in page and "ICC" in page  # the date and the counting rule, with a link back


def test_the_figure_is_also_a_small_svg_badge(client, db):
    response = client.get("/embed/figure/rome-statute-parties.svg", {"as_of": "2026-11-29"})
    assert response["Content-Type"].startswith("image/svg+xml")
    assert re.search(rb"<text[^>]*>\d+</text>", response.content)


@pytest.mark.parametrize(
    ("url", "status"), [("/embed/figure/nope/", 404), ("/embed/map/?layer=moon", 400), ("/embed/state/XYZ/", 404)]
)
def test_a_wrong_embed_address_gets_a_clear_4xx(client, db, url, status):
    assert client.get(url).status_code == status


def test_the_overview_and_each_profile_offer_the_code_to_embed(client, db):
    overview = client.get("/").content.decode().replace("&quot;", '"')
    assert '&lt;iframe src="http://testserver/embed/figure/rome-statute-parties/"' in overview
    profile = client.get("/states/PHL/").content.decode().replace("&quot;", '"')
    assert "http://testserver/embed/state/PHL/" in profile


def test_about_and_the_footer_say_how_to_reuse_the_data_and_under_what_licence(client, db):
    about = client.get("/about/").content.decode()
    reuse = about.split('id="reuse"')[1].split("</section>")[0]
    assert "CC BY 4.0" in reuse
    for link in (
        "/api/docs/",
        "/api/v1/schema/",
        "/changes/feed/",
        "/embed/figure/rome-statute-parties/",
        "/embed/map/",
    ):
        assert f'href="{link}' in reuse
    assert 'href="/about/#reuse"' in client.get("/").content.decode()


# --- In every language (issue 19) -------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "th", "ar"])
@pytest.mark.parametrize("url", EMBEDS)
def test_an_embed_in_any_language_may_be_framed_by_any_site(client, db, language, url):
    response = client.get(f"/{language}{url}")
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    again = client.get(f"/{language}{url}")  # from the cache: the same rule
    assert "X-Frame-Options" not in again and "frame-ancestors *" in again["Content-Security-Policy"]


@pytest.mark.parametrize("language", ["id", "th", "ar"])
def test_a_page_in_any_language_that_is_not_an_embed_still_refuses_to_be_framed(client, db, language):
    response = client.get(f"/{language}/states/PHL/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("language", ["id", "ar"])
def test_the_embed_map_writes_coordinates_with_a_dot_in_languages_that_write_decimal_commas(client, db, language):
    english = client.get("/embed/map/?layer=position").content.decode()
    page = client.get(f"/{language}/embed/map/?layer=position").content.decode()
    coordinates = re.findall(r' (?:cx|cy|r)="([^"]*)"', page)
    assert coordinates and not [value for value in coordinates if "," in value]
    # Every small state's marker is drawn, as in English.
    assert page.count('<circle class="marker') == english.count('<circle class="marker') > 0
