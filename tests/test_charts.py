"""Chart geometry (states/charts.py): what the templates draw."""

from states.charts import stacked_bars
from states.choices import TreatyStatus


def test_stacked_bars_measure_every_bar_against_the_longest_in_percent():
    chart = stacked_bars(
        [
            ("Western Asia", {TreatyStatus.NON_PARTY: 6, TreatyStatus.SIGNATORY: 9, TreatyStatus.STATE_PARTY: 5}),
            ("Polynesia", {TreatyStatus.NON_PARTY: 2, TreatyStatus.STATE_PARTY: 3}),
        ],
        [TreatyStatus.NON_PARTY, TreatyStatus.SIGNATORY, TreatyStatus.STATE_PARTY],
    )
    western, polynesia = chart["bars"]
    assert [(segment["x"], segment["width"]) for segment in western["segments"]] == [
        ("0.00%", "30.00%"),
        ("30.00%", "45.00%"),
        ("75.00%", "25.00%"),
    ]
    # A shorter bar is drawn to the same scale, and a category it lacks takes no room.
    assert [(segment["x"], segment["width"]) for segment in polynesia["segments"]] == [
        ("0.00%", "10.00%"),
        ("10.00%", "15.00%"),
    ]
    assert polynesia["cells"] == [2, 0, 3] and polynesia["total"] == 5


def test_stacked_bars_with_nothing_counted_draw_empty_bars_not_a_division_by_zero():
    chart = stacked_bars([("Micronesia", {})], [TreatyStatus.STATE_PARTY])
    assert chart["bars"][0]["segments"] == [] and chart["bars"][0]["total"] == 0
