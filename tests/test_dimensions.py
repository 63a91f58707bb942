"""The registry of what is tracked (states.dimensions): declared once, and
the map's layers, the figures and the embeds read it."""

from states.admin import StateAdmin
from states.api import StandingSerializer
from states.dimensions import DIMENSIONS, instrument_dimensions
from states.embeds import FIGURES
from states.filters import SORT_KEYS, StateFilter
from states.maps import category_style
from states.models import Treaty
from states.rules import Figures
from states.views import csv_columns


def test_the_declared_dimensions_keep_the_codes_partners_use():
    assert list(DIMENSIONS) == ["rome_statute", "position", "submission"]


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


def test_the_csv_keeps_the_column_names_partners_read_each_dimensions_from_the_registry():
    names = [name for name, _value in csv_columns(DIMENSIONS)]
    assert names == [
        "iso3",
        "name",
        "in_counting_rule",
        "un_regional_group",
        "un_regional_group_label",
        "subregion",
        "subregion_label",
        "rome_statute_status",
        "rome_statute_status_label",
        "rome_statute_detail",
        "entry_into_force",
        "rome_statute_source",
        "rome_statute_verification",
        "position",
        "position_label",
        "position_whose_words",
        "position_source",
        "position_verification",
        "submission",
        "submission_label",
        "submission_source",
        "submission_verification",
        "verification",
        "verification_label",
        "last_verified",
        "as_of",
    ]


def test_the_table_filters_and_sorts_by_each_dimension_under_the_names_links_use():
    menus = list(StateFilter.base_filters)
    assert menus == [
        "q",
        "subregion",
        "un_regional_group",
        "in_counting_rule",
        "status",
        "position",
        "submission",
        "treaty",
        "treaty_status",
        "verification",
    ]
    assert {"status", "position", "submission"} <= set(SORT_KEYS)
    for dimension in DIMENSIONS.values():
        offered = [value for value, _label in StateFilter.base_filters[dimension.query_name].extra["choices"]]
        assert offered == [status.value for status in dimension.all_statuses]


def test_the_api_and_the_admin_give_each_dimensions_status():
    fields = list(StandingSerializer().fields)
    assert fields[:7] == [
        "as_of",
        "rome_statute_status",
        "rome_statute_detail",
        "entry_into_force",
        "position",
        "position_whose_words",
        "submission",
    ]
    columns = [getattr(column, "__name__", column) for column in StateAdmin.list_display]
    assert [f"{code}_today" for code in DIMENSIONS] == [name for name in columns if str(name).endswith("_today")]


def test_a_treaty_named_like_a_declared_dimension_gets_a_layer_of_its_own_and_replaces_none():
    dimensions = {**DIMENSIONS, **instrument_dimensions([Treaty(slug="position", short_name="Position treaty")])}
    assert dimensions["position"] is DIMENSIONS["position"]
    assert dimensions["treaty_position"].csv_column == "treaty_position_status"
