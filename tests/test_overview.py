"""The home page: the headline figure, its counting rule and date."""

import pytest

from states.choices import CountingRule
from states.models import State
from tests.helpers import day

HEADLINE_19 = '<data id="rome-statute-parties" value="19">19</data>'


def test_home_page_shows_19_states_parties_on_13_april_2023(client, db):
    response = client.get("/", {"as_of": "2023-04-13"})
    assert response.status_code == 200
    page = response.content.decode()
    assert HEADLINE_19 in page
    assert "Among the 56 states of the ICC&#x27;s Asia-Pacific group" in page
    assert "as of 13 April 2023" in page


def test_home_page_figure_follows_the_date(client, db):
    before = client.get("/", {"as_of": "2019-03-16"}).content.decode()
    after = client.get("/", {"as_of": "2019-03-17"}).content.decode()
    assert HEADLINE_19 in before
    assert '<data id="rome-statute-parties" value="18">18</data>' in after


def test_home_page_without_a_date_shows_today(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b'id="rome-statute-parties"' in response.content


def test_home_page_shows_research_coverage_for_the_headline_rule(client, db):
    researched, total = State.objects.figures(
        as_of=day("2026-11-29"), rule=CountingRule.ICC_ASIA_PACIFIC
    ).research_coverage
    assert 0 < researched < total == 56
    page = client.get("/", {"as_of": "2026-11-29"}).content.decode()
    assert f'<data id="positions-researched" value="{researched}">{researched}</data> of {total} states' in page


@pytest.mark.parametrize("bad", ["13-04-2023", "2023-02-30", "yesterday", "2023-4-13", "2023-W15-4", "<b>x</b>"])
def test_a_malformed_date_gets_a_400_that_names_the_expected_format(client, db, bad):
    response = client.get("/", {"as_of": bad})
    assert response.status_code == 400
    assert b"YYYY-MM-DD" in response.content
    assert b"<b>x</b>" not in response.content


def test_home_page_refuses_post(client, db):
    assert client.post("/").status_code == 405
