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
    whole_box = re.search(r'<svg id="map"[^>]* viewBox="([^"]+)"', whole).group(1).split()
    zoomed_box = re.search(r'<svg id="map"[^>]* viewBox="([^"]+)"', zoomed).group(1).split()
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


def test_the_whole_region_ends_below_the_southernmost_tracked_state_not_below_new_zealand(client, db):
    # Australia and New Zealand stay in the shapes for orientation, but the
    # third of the frame south of Tonga was only ocean and two untracked states.
    shapes = json.loads(MAP_FILE.read_text())
    view_box = re.search(r'<svg id="map"[^>]* viewBox="([^"]+)"', overview(client)).group(1)
    box = [float(value) for value in view_box.split()]
    southernmost = max(shape["box"][3] for shape in shapes["states"].values())
    assert southernmost < box[1] + box[3] <= southernmost + 30 < shapes["height"] * 0.8


def _rings(d):
    return [
        [tuple(float(value) for value in point.split(",")) for point in ring.split("L")]
        for ring in re.findall(r"M([^MZ]+)Z", d)
    ]


def _inside(point, ring):
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 <= y < y2 or y2 <= y < y1) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_each_states_name_is_placed_on_its_own_land_not_on_a_neighbour():
    # Pakistan's name sat on Afghanistan when it was placed in the middle of its box.
    shapes = json.loads(MAP_FILE.read_text())["states"]
    for iso3, shape in shapes.items():
        if shape["marker"]:
            continue  # a small island state is named beside its circle
        label = (shape["label"]["x"], shape["label"]["y"])
        assert any(_inside(label, ring) for ring in _rings(shape["d"])), iso3
        neighbours = [other for code, other in shapes.items() if code != iso3 and not other["marker"]]
        assert not any(_inside(label, ring) for other in neighbours for ring in _rings(other["d"])), iso3


def _areas(page, screen):
    """The space each name and number takes on the map, as the lettering measures it."""
    group = re.search(rf'<g class="lettering lettering-{screen}"[^>]*font-size="([^"]+)"[^>]*>(.*?)</g>', page, re.S)
    size, body = float(group.group(1)), group.group(2)
    areas = []
    for css, x, y, text in re.findall(r'<text(?: class="([a-z]+)")? x="([^"]+)" y="([^"]+)">([^<]+)</text>', body):
        x, y = float(x), float(y)
        if css == "number":
            width = len(text) * 0.62 * size + size * 0.2
            areas.append((text, (x - width / 2, y - size * 0.5, x + width / 2, y + size * 0.5)))
        else:
            width = len(text) * 0.56 * size
            left = x if css == "beside" else x - width / 2
            areas.append((text, (left, y - size * 0.6, left + width, y + size * 0.6)))
    return areas


@pytest.mark.parametrize("screen", ["wide", "narrow"])
@pytest.mark.parametrize("view", list(MapView))
def test_no_name_or_number_on_the_map_covers_another(client, db, view, screen):
    areas = _areas(overview(client, view=view.value), screen)
    assert areas
    for index, (text, area) in enumerate(areas):
        for other_text, other in areas[index + 1 :]:
            covers = area[0] < other[2] and other[0] < area[2] and area[1] < other[3] and other[1] < area[3]
            assert not covers, f"{text} covers {other_text}"


def test_a_number_moved_off_a_crowded_state_has_a_line_back_to_it(client, db):
    page = overview(client, view="west_asia")
    group = re.search(r'<g class="lettering lettering-narrow"[^>]*>(.*?)</g>', page, re.S).group(1)
    leaders = re.findall(r'<line class="leader" x1="([^"]+)" y1="([^"]+)"', group)
    assert leaders  # Lebanon, the State of Palestine, Israel and Jordan share a thumb's width
    shapes = json.loads(MAP_FILE.read_text())["states"]
    starts = {(float(x), float(y)) for x, y in leaders}
    points = {tuple(shape["marker"] or (shape["label"]["x"], shape["label"]["y"])) for shape in shapes.values()}
    assert starts <= points


def test_on_a_phone_the_whole_region_is_drawn_wider_than_the_screen_and_says_so(client, db):
    page = overview(client)
    assert '<svg id="map" class="whole-region"' in page
    assert "Scroll sideways to see the whole region" in page
    assert "Scroll sideways to see the whole region" not in overview(client, view="pacific")
