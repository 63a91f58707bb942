"""The map of the Asia-Pacific as server-rendered SVG.

Shapes come from states/geodata/asia_pacific_map.json (built by
``manage.py build_map`` from vendored Natural Earth data). The geometry never
changes, so it is not in the page: ``build_map`` also writes it as a static
SVG sprite (static/map/asia-pacific.svg, compressed and cached for good under
its hashed name), and the page places each state with ``<use>`` inside its
link, giving it only its category's fill. Each category has a
colour and a texture, so a state's standing can be told without colour.
States are named on the map where the name fits, and numbered in a key
below it where it does not; a view zooms into one part of the region (the
same shapes under another viewBox), where more names fit.
"""

import json
import math
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import models
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from states.choices import Subregion
from states.dimensions import DIMENSIONS, NOT_YET_RESEARCHED_STYLE, tracked_dimensions

MAP_FILE = Path(__file__).resolve().parent / "geodata" / "asia_pacific_map.json"
SPRITE = "map/asia-pacific.svg"  # under static/
SPRITE_FILE = Path(settings.BASE_DIR) / "static" / SPRITE


class MapView(models.TextChoices):
    """The part of the region the map shows."""

    WHOLE_REGION = "all", _("The whole region")
    WEST_ASIA = "west_asia", _("West Asia")
    CENTRAL_AND_SOUTH_ASIA = "central_south_asia", _("Central and South Asia")
    EAST_AND_SOUTH_EAST_ASIA = "east_south_east_asia", _("East and South-East Asia")
    PACIFIC = "pacific", _("The Pacific")

    @property
    def subregions(self):
        """The M49 subregions whose states the view frames (all of them for the whole region)."""
        return {
            MapView.WEST_ASIA: {Subregion.WESTERN_ASIA},
            MapView.CENTRAL_AND_SOUTH_ASIA: {Subregion.CENTRAL_ASIA, Subregion.SOUTHERN_ASIA},
            MapView.EAST_AND_SOUTH_EAST_ASIA: {Subregion.EASTERN_ASIA, Subregion.SOUTH_EASTERN_ASIA},
            MapView.PACIFIC: {Subregion.MELANESIA, Subregion.MICRONESIA, Subregion.POLYNESIA},
        }.get(self, set(Subregion))


# A name is written this large (in map units on the whole 1,000-wide map; a
# zoomed view scales it, so it reads the same on screen).
LABEL_SIZE = 11
CHARACTER_WIDTH = 0.56  # of the font size, for a typical name
OVERHANG = 1.4

# (fill colour, texture) for each category of every dimension. Textures:
# solid, hatch, dots, cross, lines. A category without one claims nothing.
CATEGORY_STYLE = {category: style for dimension in DIMENSIONS.values() for category, style in dimension.styles.items()}


def category_style(value):
    return CATEGORY_STYLE.get(value, NOT_YET_RESEARCHED_STYLE)


@lru_cache(maxsize=1)
def map_shapes():
    return json.loads(MAP_FILE.read_text())


def sprite_svg(shapes):
    """The shapes as one SVG document: the context countries as one path
    (#context), each tracked state as a path named by its ISO code. The paths
    carry no fill or stroke of their own, so they take the page's, inherited
    through <use>; a stroke keeps its width at any zoom."""
    context = "".join(country["d"] for country in shapes["context"])
    pieces = [("context", context)] + [(iso3, shape["d"]) for iso3, shape in sorted(shapes["states"].items())]
    paths = [f'<path id="{escape(name)}" vector-effect="non-scaling-stroke" d="{d}"/>' for name, d in pieces]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        f"<!-- {escape(shapes['source'])}; built by manage.py build_map. -->\n"
        "<defs>\n" + "\n".join(paths) + "\n</defs>\n</svg>\n"
    )


def patterns():
    """One SVG pattern per (colour, texture) in use, for <defs>."""
    styles = {category_style(value) for value in CATEGORY_STYLE} | {NOT_YET_RESEARCHED_STYLE}
    return [{"id": pattern_id(style), "colour": style[0], "texture": style[1]} for style in sorted(styles)]


def pattern_id(style):
    colour, texture = style
    return f"fill-{colour.lstrip('#')}-{texture}"


def legend_entry(value, count=None):
    return {"value": value, "label": value.label, "fill": pattern_id(category_style(value)), "count": count}


def view_box(states, width, height, view):
    """(x, y, width, height) framing the view's states, with a margin."""
    boxes = [shape["box"] for shape in states if shape["subregion"] in view.subregions]
    if view == MapView.WHOLE_REGION:
        # The full width, down to the southernmost tracked state (Tonga): the
        # shapes' frame goes on to the south of New Zealand, a third of the
        # map that is only ocean and Australia, neither of them tracked.
        return 0, 0, width, min(height, max(box[3] for box in boxes) + 24)
    left, top = min(box[0] for box in boxes), min(box[1] for box in boxes)
    right, bottom = max(box[2] for box in boxes), max(box[3] for box in boxes)
    margin = max(right - left, bottom - top) * 0.06
    left, top, right, bottom = left - margin, top - margin, right + margin, bottom + margin
    # No taller than it is wide (a phone scrolls past a tall map): widen around the middle.
    if bottom - top > right - left:
        middle, half = (left + right) / 2, (bottom - top) / 2
        left, right = middle - half, middle + half
    return left, top, right - left, bottom - top


# Lettering for wide screens, and a larger one for phones (shown by CSS media
# queries): on a phone a part of the region is a third as wide as on a wide
# screen, so fewer names fit and more states are numbered in the key. The
# whole region is drawn 38rem wide on a phone (scrolled sideways, with a
# cue): at the phone's own width its sixty states left no room for numbers.
SCREENS = {"wide": 1.0, "narrow": 2.6}
WHOLE_REGION_ON_A_PHONE = 1.6


def lettering(states, box, screen, view):
    """Names where they fit (on the state's largest piece of land, else beside
    it or beside a small island state's circle) without covering another
    name; numbers (for the key under the map) on the other states in view,
    moved beside their state, with a line to it, where that is taken."""
    x0, y0, width, height = box
    enlarge = WHOLE_REGION_ON_A_PHONE if (screen, view) == ("narrow", MapView.WHOLE_REGION) else SCREENS[screen]
    size = LABEL_SIZE * enlarge * width / 1000
    radius = 7 * width / 1000
    taken, names, key = [], [], []

    def place(x, y, text_width, anchor, owner, half_height=size * 0.65):
        """Take the space for a name if it is in view and free; a name beside
        its state (anchor "start") must also keep off every other state's land."""
        left = x - text_width / 2 if anchor == "middle" else x
        area = (left, y - half_height, left + text_width, y + half_height)
        inside = x0 <= area[0] and area[2] <= x0 + width and y0 <= area[1] and area[3] <= y0 + height
        blocked = any(_overlap(area, other) for other in taken)
        if anchor == "start":
            blocked = blocked or any(_overlap(area, shape["box"]) for shape in states if shape is not owner)
        if not inside or blocked:
            return False
        taken.append(area)
        return True

    # Large states first, so they keep their names; small ones fill in around them.
    for shape in sorted(states, key=lambda shape: (-shape["label"]["width"], shape["state"].local_name)):
        label, name = shape["label"], shape["state"].local_name
        if not (x0 <= label["x"] <= x0 + width and y0 <= label["y"] <= y0 + height):
            continue
        text_width = len(name) * CHARACTER_WIDTH * size
        # A name may overhang its widest band of land a little, as on printed maps.
        fits_on_land = label["width"] * OVERHANG >= text_width and label["height"] >= 1.3 * size
        if fits_on_land and place(label["x"], label["y"], text_width, "middle", shape):
            names.append({"x": label["x"], "y": label["y"], "text": name, "anchor": "middle"})
            continue
        # Beside the circle of a small island state, or to the right of a small shape.
        beside = (shape["marker"][0] + radius * 1.4, shape["marker"][1]) if shape["marker"] else None
        beside = beside or (shape["box"][2] + size * 0.3, label["y"])
        if place(*beside, text_width, "start", shape):
            names.append({"x": beside[0], "y": beside[1], "text": name, "anchor": "start"})
            continue
        x, y = shape["marker"] or (label["x"], label["y"])
        key.append({"x": x, "y": y, "state": shape["state"]})
    key.sort(key=lambda entry: entry["state"].local_name)
    for number, entry in enumerate(key, start=1):
        entry["number"] = number
    # Numbers are placed after every name, each on its state if that is free,
    # else at the nearest free spot with a line back to the state: in West
    # Asia a dozen small states share a thumb's width of a phone's map.
    for entry in sorted(key, key=lambda entry: (entry["x"], entry["y"])):
        text_width = len(str(entry["number"])) * 0.62 * size + size * 0.2
        spot = next(
            (
                (x, y)
                for x, y in _spots_around(entry["x"], entry["y"], size)
                if place(x, y, text_width, "middle", None, half_height=size * 0.55)
            ),
            None,
        )
        if spot is None:  # nowhere free in view: on the state itself, as before
            spot = (entry["x"], entry["y"])
        entry["at"] = spot
        entry["moved"] = spot != (entry["x"], entry["y"])
    return {
        "screen": screen,
        "size": round(size, 2),
        "halo": round(size / 4, 2),
        # Coordinates as text: the template writes them as they are, not as localised numbers.
        "names": [{**name, "x": f"{name['x']:.1f}", "y": f"{name['y']:g}"} for name in names],
        "key": [
            {
                **entry,
                "x": f"{entry['at'][0]:.1f}",
                "y": f"{entry['at'][1]:.1f}",
                # A line from the state to its number, ending short of the number's halo.
                "leader": _leader(entry, size) if entry["moved"] else None,
            }
            for entry in key
        ],
    }


def _spots_around(x, y, size):
    """The state's own point, then rings of spots ever farther from it."""
    yield x, y
    for ring in range(1, 7):
        distance = ring * size * 1.05
        for step in range(8 + 4 * ring):
            angle = 2 * math.pi * step / (8 + 4 * ring)
            yield x + distance * math.cos(angle), y + distance * math.sin(angle)


def _leader(entry, size):
    (x, y), (tx, ty) = (entry["x"], entry["y"]), entry["at"]
    length = math.hypot(tx - x, ty - y)
    shorten = min(size * 0.5, length) / length
    end = (tx - (tx - x) * shorten, ty - (ty - y) * shorten)
    return {"x1": f"{x:.1f}", "y1": f"{y:.1f}", "x2": f"{end[0]:.1f}", "y2": f"{end[1]:.1f}"}


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def map_signature(standings, layer, figures):
    """What the map of ``layer`` shows of ``standings``, apart from the view:
    each state's category, status and marks, and the count it is part of.
    Two dates with the same signature have the same map."""
    dimension = tracked_dimensions(standings)[layer]
    counted = {standing.state.pk for standing in figures.standings}
    return (
        figures.rule,
        tuple(
            (
                standing.state.pk,
                dimension.category_of(standing),
                dimension.status(standing),
                dimension.rests_on_primary_record(standing),
                standing.state.pk in counted,
            )
            for standing in standings
        ),
    )


def asia_pacific_map(standings, layer, figures, view=MapView.WHOLE_REGION):
    """Everything the map template needs: a shape for each of ``standings``
    with its category, names or key numbers for the view, and a legend that
    counts exactly the states of ``figures`` (the page's counting rule).
    States drawn but outside the rule are listed apart, never counted."""
    shapes = map_shapes()
    dimension = tracked_dimensions(standings)[layer]
    counted = {standing.state.pk for standing in figures.standings}
    states = []
    for standing in standings:
        shape = shapes["states"].get(standing.state.iso3)
        if shape is None:
            continue
        category = dimension.category_of(standing)
        status = dimension.status(standing).label
        is_counted = standing.state.pk in counted
        unverified = not dimension.rests_on_primary_record(standing)
        # Said for the state's link (its tooltip and its name to a screen reader).
        description = f"{standing.state.local_name}: {status}"
        description += f" ({gettext('not yet verified')})" if unverified else ""
        description += f" ({gettext('outside the count')})" if not is_counted else ""
        states.append(
            {
                "state": standing.state,
                "subregion": standing.state.subregion,
                "category": category,
                "status": status,
                "description": description,
                "counted": is_counted,
                "unverified": unverified,
                "classes": " ".join(["state"] + ["outside-rule"] * (not is_counted) + ["unverified"] * unverified),
                "fill": pattern_id(category_style(category)),
                "marker": shape["marker"],
                "box": shape["box"],
                "label": shape["label"],
            }
        )
    view = MapView(view)
    box = view_box(states, shapes["width"], shapes["height"], view)
    # Markers last, so small island states sit on top of larger neighbours.
    states.sort(key=lambda shape: shape["marker"] is not None)
    counts = figures.counts(dimension)
    return {
        "layer": dimension,
        "view": view,
        "views": MapView,
        "whole_region": view == MapView.WHOLE_REGION,
        "view_box": " ".join(f"{value:.1f}" for value in box),
        "frame": [round(value, 1) for value in box],
        "letterings": [lettering(states, box, screen, view) for screen in SCREENS],
        # Markers (small island states) keep their size on screen whatever the zoom.
        "marker_radius": round(7 * box[2] / 1000, 2),
        "pattern_scale": round(box[2] / 1000, 3),
        "width": shapes["width"],
        "height": shapes["height"],
        "sprite": static(SPRITE),
        "states": states,
        "unverified": sum(1 for shape in states if shape["unverified"] and shape["counted"]),
        "outside": sorted(
            (shape["state"] for shape in states if not shape["counted"]), key=lambda state: state.local_name
        ),
        "patterns": patterns(),
        "legend": [legend_entry(value, counts[value]) for value in dimension.categories],
    }
