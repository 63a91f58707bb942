"""The registry of what is tracked (states.dimensions): declared once, and
the map's layers, the figures and the embeds read it."""

from states.dimensions import DIMENSIONS
from states.embeds import FIGURES
from states.maps import MapLayer, category_style
from states.rules import Figures


def test_the_map_has_one_layer_per_dimension_under_the_codes_partners_use():
    assert list(MapLayer.values) == list(DIMENSIONS) == ["rome_statute", "position", "submission"]
    assert [str(MapLayer(code).label) for code in DIMENSIONS] == [str(d.label) for d in DIMENSIONS.values()]


def test_every_category_but_not_yet_researched_has_a_colour_and_texture_of_its_own_within_its_dimension():
    for dimension in DIMENSIONS.values():
        claimed = [category for category in dimension.categories if category != dimension.not_yet_researched]
        assert set(dimension.styles) == set(claimed), dimension.code
        assert len({dimension.style(category) for category in claimed}) == len(claimed), dimension.code
        if dimension.not_yet_researched is not None:
            assert dimension.style(dimension.not_yet_researched) == category_style(dimension.not_yet_researched)


def test_each_embedded_figure_counts_a_category_of_its_dimension():
    for figure in FIGURES.values():
        assert figure.category in figure.dimension.categories


def test_figures_count_every_category_of_a_dimension_even_with_no_states():
    none = Figures([])
    for dimension in DIMENSIONS.values():
        assert none.counts(dimension) == dict.fromkeys(dimension.categories, 0)
        assert all(evidence.total == 0 for evidence in none.evidence(dimension).values())
