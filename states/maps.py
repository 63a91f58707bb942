"""The map of the Asia-Pacific as server-rendered SVG.

Shapes come from states/geodata/asia_pacific_map.json (built by
``manage.py build_map`` from vendored Natural Earth data). Each category has a
colour and a texture, so a state's standing can be told without colour.
"""

import json
from functools import lru_cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

from states.choices import COUNTED_TREATY_STATUSES, ConventionPosition, Evidence, SubmissionStatus, TreatyStatus

MAP_FILE = Path(__file__).resolve().parent / "geodata" / "asia_pacific_map.json"


class MapLayer(models.TextChoices):
    ROME_STATUTE = "rome_statute", _("Rome Statute status")
    POSITION = "position", _("Position on a convention")
    SUBMISSION = "submission", _("Written comments (res. 77/249)")


# (fill colour, texture) for each category value. Textures: solid, hatch, dots, cross, lines.
CATEGORY_STYLE = {
    TreatyStatus.STATE_PARTY: ("#1f5fa6", "solid"),
    TreatyStatus.JOINED_NOT_IN_FORCE: ("#7cc3ee", "dots"),
    TreatyStatus.SIGNATORY: ("#f2b134", "hatch"),
    TreatyStatus.WITHDRAWN: ("#e0673a", "cross"),
    TreatyStatus.NON_PARTY: ("#d9d9d9", "solid"),
    ConventionPosition.SUPPORTS: ("#2a9d75", "solid"),
    ConventionPosition.SUPPORTS_WITH_RESERVATIONS: ("#7cc3ee", "hatch"),
    ConventionPosition.NON_COMMITTAL: ("#f2e15b", "dots"),
    ConventionPosition.OPPOSES_OR_SCEPTICAL: ("#e0673a", "cross"),
    ConventionPosition.NO_PUBLIC_POSITION: ("#a6a6a6", "lines"),
    SubmissionStatus.MADE: ("#2a9d75", "solid"),
    SubmissionStatus.NOT_MADE: ("#e0673a", "cross"),
}
NOT_YET_RESEARCHED_STYLE = ("#f4f4f4", "lines")
NOT_YET_RESEARCHED = (ConventionPosition.NOT_YET_RESEARCHED, SubmissionStatus.NOT_YET_RESEARCHED)


def category_style(value):
    return CATEGORY_STYLE.get(value, NOT_YET_RESEARCHED_STYLE)


def layer_categories(layer):
    """The categories a layer's legend counts, in order."""
    return {
        MapLayer.ROME_STATUTE: COUNTED_TREATY_STATUSES,
        MapLayer.POSITION: list(ConventionPosition),
        MapLayer.SUBMISSION: list(SubmissionStatus),
    }[MapLayer(layer)]


def category_of(standing, layer):
    """The legend category a state is drawn and counted in."""
    return {
        MapLayer.ROME_STATUTE: standing.treaty_status.counted_as,
        MapLayer.POSITION: standing.position,
        MapLayer.SUBMISSION: standing.submission,
    }[MapLayer(layer)]


def fact_of(standing, layer):
    """The fact the state's shown category rests on (None: none recorded)."""
    return {
        MapLayer.ROME_STATUTE: standing.treaty_status_fact,
        MapLayer.POSITION: standing.position_fact,
        MapLayer.SUBMISSION: standing.submission_fact,
    }[MapLayer(layer)]


def rests_on_primary_record(standing, layer):
    """Whether the shown category rests on a fact verified against the
    primary record ("not yet researched" claims nothing, so it needs none)."""
    if category_of(standing, layer) in NOT_YET_RESEARCHED:
        return True
    return Evidence.of(fact_of(standing, layer)) == Evidence.PRIMARY


def status_of(standing, layer):
    """What the state's own status is, in words (more precise than its legend category)."""
    return (
        standing.treaty_status.label if MapLayer(layer) == MapLayer.ROME_STATUTE else category_of(standing, layer).label
    )


@lru_cache(maxsize=1)
def map_shapes():
    return json.loads(MAP_FILE.read_text())


def patterns():
    """One SVG pattern per (colour, texture) in use, for <defs>."""
    styles = {category_style(value) for value in CATEGORY_STYLE} | {NOT_YET_RESEARCHED_STYLE}
    return [{"id": pattern_id(style), "colour": style[0], "texture": style[1]} for style in sorted(styles)]


def pattern_id(style):
    colour, texture = style
    return f"fill-{colour.lstrip('#')}-{texture}"


def legend_entry(value, count=None):
    return {"value": value, "label": value.label, "fill": pattern_id(category_style(value)), "count": count}


def layer_counts(figures, layer):
    """The figures' count for each category of ``layer``."""
    return {
        MapLayer.ROME_STATUTE: figures.treaty_status_counts,
        MapLayer.POSITION: figures.position_counts,
        MapLayer.SUBMISSION: figures.submission_counts,
    }[MapLayer(layer)]


def asia_pacific_map(standings, layer, figures):
    """Everything the map template needs: a shape for each of ``standings``
    with its category, and a legend that counts exactly the states of
    ``figures`` (the page's counting rule). States drawn but outside the rule
    are listed apart, never counted in the legend."""
    shapes = map_shapes()
    categories = layer_categories(layer)
    counted = {standing.state.pk for standing in figures.standings}
    states = []
    for standing in standings:
        shape = shapes["states"].get(standing.state.iso3)
        if shape is None:
            continue
        category = category_of(standing, layer)
        states.append(
            {
                "state": standing.state,
                "category": category,
                "status": status_of(standing, layer),
                "counted": standing.state.pk in counted,
                "unverified": not rests_on_primary_record(standing, layer),
                "fill": pattern_id(category_style(category)),
                "d": shape["d"],
                "marker": shape["marker"],
            }
        )
    # Markers last, so small island states sit on top of larger neighbours.
    states.sort(key=lambda shape: shape["marker"] is not None)
    counts = layer_counts(figures, layer)
    return {
        "layer": MapLayer(layer),
        "layers": MapLayer,
        "width": shapes["width"],
        "height": shapes["height"],
        "context": shapes["context"],
        "states": states,
        "unverified": sum(1 for shape in states if shape["unverified"] and shape["counted"]),
        "outside": sorted((shape["state"] for shape in states if not shape["counted"]), key=lambda state: state.name),
        "patterns": patterns(),
        "legend": [legend_entry(value, counts[value]) for value in categories],
    }
