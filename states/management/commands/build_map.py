"""Build the map's shapes from the vendored Natural Earth data.

Reads states/geodata/world-atlas/countries-10m.json (npm world-atlas 2.0.2,
ISC licence; Natural Earth data, public domain), keeps the tracked states,
projects and simplifies them, and writes states/geodata/asia_pacific_map.json
(where each state is, for names and views) and the static SVG sprite the
pages place the shapes from (static/map/asia-pacific.svg). Run it again only when the vendored file
or the list of tracked states changes; its output is committed.

The projection is equirectangular with longitudes west of 30°W moved east by
360°, so the Pacific (Kiribati, Samoa, the Cook Islands) is not split at 180°.
The frame holds the tracked states and, for orientation, Australia and New
Zealand; every other country inside it is drawn as context. world-atlas ids
are not unique (Australia and Ashmore and Cartier Islands share 036), so
shapes are matched by id and name, never by id alone.
"""

import json
import math
from pathlib import Path

import pycountry
from django.core.management.base import BaseCommand, CommandError

from states.maps import SPRITE_FILE, sprite_svg
from states.models import State

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
SOURCE = GEODATA / "world-atlas" / "countries-10m.json"
OUTPUT = GEODATA / "asia_pacific_map.json"

WIDTH = 1000
PADDING = 12
STANDARD_PARALLEL = math.radians(20)
TOLERANCE = 0.35  # in map units (the map is 1000 wide): finer detail is invisible
CONTEXT_TOLERANCE = 1.2
SMALLEST_RING = 0.9  # islets smaller than this are dropped, except a state's largest
MARKER_BELOW = 7.0  # states whose shapes span less than this get a visible marker
# Countries the frame always takes in, though not tracked (ISO numeric, Natural Earth name).
FRAMED_CONTEXT = {("036", "Australia"), ("554", "New Zealand")}


def shift(lon):
    return lon + 360 if lon < -30 else lon


def decode_arcs(topology):
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((shift(x * scale_x + move_x), y * scale_y + move_y))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def rings_of(geometry, arcs):
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return []
    return [ring_points(ring, arcs) for polygon in polygons for ring in polygon]


def simplify(points, tolerance):
    """Douglas-Peucker, iteratively."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            x0, y0 = points[i]
            # Distance from the point to the line through the two ends.
            d = abs((x2 - x1) * (y1 - y0) - (x1 - x0) * (y2 - y1)) / length if length else math.hypot(x0 - x1, y0 - y1)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def extent(points):
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def path(rings):
    return "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z" for ring in rings)


class Command(BaseCommand):
    help = "Build states/geodata/asia_pacific_map.json from the vendored world-atlas file."

    def handle(self, *args, **options):
        topology = json.loads(SOURCE.read_text())
        arcs = decode_arcs(topology)
        geometries = list(topology["objects"]["countries"]["geometries"])
        tracked = {}
        for iso3 in State.objects.values_list("iso3", flat=True):
            numeric = pycountry.countries.get(alpha_3=iso3).numeric
            shape = shape_of(iso3, [g for g in geometries if g.get("id") == numeric])
            geometries.remove(shape)
            tracked[iso3] = rings_of(shape, arcs)
        if not tracked:
            raise CommandError("No states in the database: run load_seed first.")
        framed = [g for g in geometries if (g.get("id"), g["properties"]["name"]) in FRAMED_CONTEXT]
        if len(framed) != len(FRAMED_CONTEXT):
            raise CommandError(f"Australia or New Zealand is missing from {SOURCE.name}")

        # Fit the tracked states and the framed context into the map's width.
        in_frame = [p for rings in tracked.values() for ring in rings for p in ring]
        in_frame += [p for geometry in framed for ring in rings_of(geometry, arcs) for p in ring]
        west, south, east, north = extent(in_frame)
        squeeze = math.cos(STANDARD_PARALLEL)
        scale = (WIDTH - 2 * PADDING) / ((east - west) * squeeze)
        height = round((north - south) * scale + 2 * PADDING)

        def project(ring):
            return [(PADDING + (lon - west) * squeeze * scale, PADDING + (north - lat) * scale) for lon, lat in ring]

        shapes = {}
        for iso3, rings in tracked.items():
            projected = [project(ring) for ring in rings]
            largest = max(projected, key=lambda ring: _span(extent(ring)))
            kept = [
                simplify(ring, TOLERANCE)
                for ring in projected
                if ring is largest or _span(extent(ring)) >= SMALLEST_RING
            ]
            left, top, right, bottom = extent([p for ring in projected for p in ring])
            marker = None
            if max(_span(extent(ring)) for ring in projected) < MARKER_BELOW:
                marker = [round((left + right) / 2, 1), round((top + bottom) / 2, 1)]
            shapes[iso3] = {
                "d": path(kept),
                "marker": marker,
                "box": [round(v, 1) for v in (left, top, right, bottom)],
                "label": {key: round(value, 1) for key, value in label_place(largest).items()},
            }

        # Every other country inside the frame, drawn faintly for orientation only.
        context = []
        for geometry in geometries:
            rings = []
            for ring in rings_of(geometry, arcs):
                points = project(ring)
                left, top, right, bottom = extent(points)
                inside = right > 0 and left < WIDTH and bottom > 0 and top < height
                if inside and _span((left, top, right, bottom)) >= 2:
                    rings.append(simplify(points, CONTEXT_TOLERANCE))
            if rings:
                context.append({"name": geometry["properties"]["name"], "d": path(rings)})

        built = {
            "source": "Natural Earth 1:10m via npm world-atlas 2.0.2 (countries-10m.json)",
            "width": WIDTH,
            "height": height,
            "context": context,
            "states": shapes,
        }
        OUTPUT.write_text(json.dumps(built, separators=(",", ":"), sort_keys=True))
        SPRITE_FILE.parent.mkdir(exist_ok=True)
        SPRITE_FILE.write_text(sprite_svg(built))
        for written in (OUTPUT, SPRITE_FILE):
            self.stdout.write(f"Wrote {written.name}: {len(shapes)} states, {written.stat().st_size // 1024} KB.")


def shape_of(iso3, candidates):
    """The state's own shape among those with its numeric id: the only one, or
    the one Natural Earth names as pycountry does (ids are shared: 036 is also
    Ashmore and Cartier Islands)."""
    if len(candidates) == 1:
        return candidates[0]
    country = pycountry.countries.get(alpha_3=iso3)
    names = {country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)}
    named = [geometry for geometry in candidates if geometry["properties"]["name"] in names]
    if len(named) != 1:
        raise CommandError(
            f"{iso3}: {len(candidates)} shapes share its id in {SOURCE.name}, none named as pycountry names it"
        )
    return named[0]


def label_place(ring):
    """Where a name fits on a piece of land: the middle of its widest band of
    land (a run across the shape that is as wide a little above and below).
    The middle of the shape's box is not enough: Pakistan's box is mostly
    Afghanistan and the sea, and a name there sat on its neighbour."""
    left, top, right, bottom = extent(ring)
    half_band = min(4.0, (bottom - top) / 4)  # about half a name's height on the wide map
    best = None
    for step in range(1, 24):
        y = top + (bottom - top) * step / 24
        for start, end in runs_across(ring, y):
            middle = (start + end) / 2
            above = _run_through(ring, y - half_band, middle)
            below = _run_through(ring, y + half_band, middle)
            width = min(end - start, above, below)
            if best is None or width > best[0]:
                best = (width, middle, y)
    if best is None or best[0] <= 0:
        return {"x": (left + right) / 2, "y": (top + bottom) / 2, "width": 0, "height": 0}
    width, x, y = best
    column = [(start, end) for start, end in runs_across([(py, px) for px, py in ring], x) if start <= y <= end]
    height = max((end - start for start, end in column), default=0)
    return {"x": x, "y": y, "width": width, "height": height}


def runs_across(ring, y):
    """The stretches of a horizontal line at ``y`` that lie inside the ring (even-odd rule)."""
    crossings = []
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 <= y < y2) or (y2 <= y < y1):
            crossings.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    crossings.sort()
    return list(zip(crossings[::2], crossings[1::2], strict=False))


def _run_through(ring, y, x):
    return next((end - start for start, end in runs_across(ring, y) if start <= x <= end), 0)


def _span(box):
    left, top, right, bottom = box
    return max(right - left, bottom - top)
