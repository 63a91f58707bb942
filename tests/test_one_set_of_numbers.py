"""Every number shown for a category on the overview is that category's
figure: the headline, the map legend, the charts and the tables all count the
states of the headline counting rule."""

import re

import pytest

from states.choices import COUNTED_TREATY_STATUSES, CountingRule, TreatyStatus
from states.models import State
from tests.helpers import day

LAYERS = ["rome_statute", "position", "submission"]


def overview(client, on, layer):
    return client.get("/", {"as_of": on, "map": layer}).content.decode()


def legend_counts(page):
    """{category: count} from the map's legend."""
    caption = page[page.index('<figcaption id="map-caption">') :]
    return {
        category: int(count)
        for category, count in re.findall(r'<li data-category="([a-z_]+)">.*?<data value="(\d+)">', caption, re.S)
    }


def table_counts(page, prefix):
    return {
        category: int(count) for category, count in re.findall(rf'<data id="{prefix}-([a-z_]+)" value="(\d+)"', page)
    }


@pytest.mark.parametrize("on", ["2019-03-17", "2023-04-13", "2026-11-29"])
@pytest.mark.parametrize("layer", LAYERS)
def test_every_number_for_a_category_is_that_categorys_figure(client, rome_statute, on, layer):
    figures = State.objects.figures(rome_statute, day(on), CountingRule.ICC_ASIA_PACIFIC)
    page = overview(client, on, layer)
    expected_legend = {
        "rome_statute": figures.treaty_status_counts,
        "position": figures.position_counts,
        "submission": figures.submission_counts,
    }[layer]
    assert legend_counts(page) == {category.value: count for category, count in expected_legend.items()}
    positions = table_counts(page, "positions")
    assert positions.pop("researched") == figures.research_coverage[0]
    assert positions == {c.value: n for c, n in figures.position_counts.items()}
    assert table_counts(page, "submissions") == {c.value: n for c, n in figures.submission_counts.items()}
    headline = dict(re.findall(r'<data id="rome-statute-([a-z-]+)" value="(\d+)"', page))
    assert int(headline["parties"]) == figures.treaty_status_counts[TreatyStatus.STATE_PARTY]
    assert int(headline["non-parties"]) == figures.treaty_status_counts[TreatyStatus.NON_PARTY]
    assert int(headline["signatories"]) == figures.treaty_status_counts[TreatyStatus.SIGNATORY]
    # The position chart's bars, one per position.
    bars = dict(re.findall(r"<title>([^<:]+): \1, (\d+)</title>", page))
    assert {label: int(count) for label, count in bars.items()} == {
        position.label: count for position, count in figures.position_counts.items() if count
    }
    # The subregion table adds up to the status counts.
    table = page[page.index("Rome Statute status by subregion</caption>") :]
    table = table[: table.index("</table>")]
    rows = [
        list(map(int, re.findall(r"<td>(\d+)</td>", row)))
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table)
    ]
    assert [sum(column) for column in zip(*rows, strict=True)] == [
        figures.treaty_status_counts[s] for s in COUNTED_TREATY_STATUSES
    ]


def test_states_outside_the_count_are_named_apart_and_not_counted(client, db):
    page = overview(client, "2026-11-29", "position")
    outside = page[page.index('<span id="map-outside">') :]
    outside = outside[: outside.index("</span>")]
    assert "5 more tracked states" in outside
    assert re.findall(r">([^<]+)</a>", outside) == ["Armenia", "Azerbaijan", "Georgia", "Israel", "Türkiye"]
    assert 'aria-label="Israel: Not yet researched (outside the count)"' in page
    assert "Counts are of the 56 states of" in page
