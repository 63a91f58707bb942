"""The map: complete (Australia and New Zealand drawn for orientation), every
state named or numbered in a key, and views that zoom into each part."""

import gzip
import json
import re

import pytest

from states.maps import MAP_FILE, SPRITE_FILE, MapView, sprite_svg

ALL_TRACKED = 61


def overview(client, **query):
    return client.get("/", {"as_of": "2026-11-29", **query}).content.decode()


def lettering(page, screen):
    group = re.search(rf'<g class="lettering lettering-{screen}"[^>]*>(.*?)</g>', page, re.S).group(1)
    names = re.findall(r'<text x="[^"]*" y="[^"]*"(?: class="beside")?>([^<]+)</text>', group)
    numbers = re.findall(r'<text class="number"[^>]*>(\d+)</text>', group)
    return names, numbers


def key_of(page, screen):
    block = re.search(rf'<details class="map-key-wrap lettering-{screen}".*?</details>', page, re.S)
    return (
        re.findall(r'<li value="(\d+)"><a href="/states/[A-Z]{3}/">([^<]+)</a></li>', block.group(0)) if block else []
    )


def test_the_built_shapes_keep_australia_and_new_zealand_as_context():
    shapes = json.loads(MAP_FILE.read_text())
    context = {country["name"] for country in shapes["context"]}
    assert {"Australia", "New Zealand"} <= context
    assert "Ashmore and Cartier Is." not in context or "Australia" in context
    australia = next(country for country in shapes["context"] if country["name"] == "Australia")
    assert len(australia["d"]) > 1000  # the continent, not the islets that share its id


def test_the_overview_draws_australia_and_new_zealand(client, db):
    page = overview(client)
    assert '<use class="context" href="/static/map/asia-pacific.svg#context"/>' in page
    shapes = json.loads(MAP_FILE.read_text())
    australia = next(country for country in shapes["context"] if country["name"] == "Australia")
    assert australia["d"] in SPRITE_FILE.read_text()


def test_the_static_map_file_is_built_from_the_shapes():
    # manage.py build_map writes both; a hand edit of either would show a map that disagrees with its names.
    assert SPRITE_FILE.read_text() == sprite_svg(json.loads(MAP_FILE.read_text()))


def test_the_overview_places_every_state_from_the_static_map_file_not_inline(client, db):
    page = overview(client)
    sprite = "/static/map/asia-pacific.svg"
    placed = re.findall(rf'<use class="state[^"]*" href="{sprite}#([A-Z]{{3}})" fill="url\(#map-', page)
    sprite_ids = set(re.findall(r'<path id="([A-Z]{3})"', SPRITE_FILE.read_text()))
    assert len(placed) == ALL_TRACKED and set(placed) <= sprite_ids
    drawn = page.split('<svg id="map"')[1].split("</defs>")[1].split("</svg>")[0]
    assert "<path" not in drawn  # no geometry in the page itself, only the fills' textures in <defs>
    assert len(gzip.compress(page.encode())) < 30 * 1024


@pytest.mark.parametrize("screen", ["wide", "narrow"])
def test_every_state_is_named_on_the_map_or_numbered_in_the_key(client, db, screen):
    page = overview(client)
    names, numbers = lettering(page, screen)
    key = key_of(page, screen)
    assert len(names) + len(numbers) == ALL_TRACKED
    assert [number for number, _name in key] == numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert len(set(names) | {name for _number, name in key}) == ALL_TRACKED
    assert "Mongolia" in names  # a large state carries its name


def test_phones_get_fewer_names_in_larger_letters(client, db):
    page = overview(client)
    wide_names, _ = lettering(page, "wide")
    narrow_names, _ = lettering(page, "narrow")
    assert len(narrow_names) < len(wide_names)


@pytest.mark.parametrize("view", [view for view in MapView if view != MapView.WHOLE_REGION])
def test_a_view_zooms_into_its_part_of_the_region_where_more_names_fit(client, db, view):
    whole = overview(client)
    zoomed = overview(client, view=view.value)
    whole_box = re.search(r'<svg id="map" viewBox="([^"]+)"', whole).group(1).split()
    zoomed_box = re.search(r'<svg id="map" viewBox="([^"]+)"', zoomed).group(1).split()
    assert float(zoomed_box[2]) < float(whole_box[2])
    assert f'aria-current="true">{view.label}</a>' in zoomed


def test_the_pacific_view_names_its_island_states(client, db):
    names, _numbers = lettering(overview(client, view="pacific"), "wide")
    assert {"Kiribati", "Samoa", "Tonga", "Marshall Islands", "Papua New Guinea"} <= set(names)


def test_an_unknown_view_is_refused_with_a_link_to_the_whole_region(client, db):
    response = client.get("/", {"as_of": "2026-11-29", "view": "moon"})
    assert response.status_code == 400
    assert 'href="/?as_of=2026-11-29">Open the page without it</a>' in response.content.decode()


def test_map_links_keep_the_date_layer_and_view(client, db):
    page = overview(client, map="position", view="pacific")
    assert 'href="?as_of=2026-11-29&amp;map=submission&amp;view=pacific#map"' in page
    assert 'href="?as_of=2026-11-29&amp;map=position&amp;view=west_asia#map"' in page
