"""The research pass of December 2026 (../shared/data/positions_2026-12.csv and
written_submissions_2026-12.csv) as the shipped seed holds it: a seed test,
which new research may change."""

import pytest

from states.choices import ConventionPosition, SubmissionStatus
from states.models import PositionStatement, State
from tests.helpers import day

pytestmark = pytest.mark.usefixtures("shipped_seed", "db")


def standing_of(iso3, as_of="2026-12-01"):
    [standing] = State.objects.filter(iso3=iso3).standings(as_of=day(as_of))
    return standing


def test_seed_china_made_written_comments_in_2023_known_only_to_the_year(client):
    assert standing_of("CHN").submission == SubmissionStatus.MADE
    assert standing_of("CHN", "2023-06-01").submission == SubmissionStatus.NOT_YET_RESEARCHED
    page = client.get("/states/CHN/").content.decode()
    entry = page[page.index('id="written-submission"') :][:800]
    assert "<br>2023" in entry and "China News Service" in entry


def test_seed_singapores_intention_to_submit_is_no_submission(client):
    assert standing_of("SGP").submission == SubmissionStatus.NOT_YET_RESEARCHED
    assert "An intention, not a submission" not in client.get("/states/SGP/").content.decode()  # staff-only


@pytest.mark.parametrize(
    ("iso3", "position"),
    [
        ("IRN", ConventionPosition.OPPOSES_OR_SCEPTICAL),
        ("ARE", ConventionPosition.SUPPORTS_WITH_RESERVATIONS),
        ("CHN", ConventionPosition.OPPOSES_OR_SCEPTICAL),  # 19 January 2026, its latest assessed statement
    ],
)
def test_seed_new_positions_count(iso3, position):
    assert standing_of(iso3).position == position


def test_seed_quotes_in_chinese_and_arabic_are_marked_with_their_language(client):
    assert '<blockquote lang="zh" dir="ltr">' in client.get("/states/CHN/").content.decode()
    assert '<blockquote lang="ar" dir="rtl">' in client.get("/states/ARE/").content.decode()


def test_seed_pakistans_january_2026_statement_is_one_statement_dated_to_the_day():
    [statement] = PositionStatement.objects.published().filter(state__iso3="PAK", date__year=2026)
    assert (statement.date, statement.date_precision) == (day("2026-01-20"), "day")
    assert "pakistantoday.com.pk" in statement.source.url


def test_seed_no_statement_summary_ends_in_a_confidence_rating(client):
    for statement in PositionStatement.objects.published():
        assert "confidence" not in statement.summary.lower(), statement


def test_seed_syrias_bureau_seat_is_on_the_convention_timeline_and_not_a_position(client):
    assert "Syria elected a Vice-Chair of the Preparatory Committee" in client.get("/convention/").content.decode()
    assert standing_of("SYR").position == standing_of("SYR", "2026-01-28").position


def test_seed_malaysias_and_thailands_labels_read_as_the_coalitions_assessment(client):
    for iso3, name in (("MYS", "Malaysia"), ("THA", "Thailand")):
        page = client.get(f"/states/{iso3}/").content.decode()
        assert f"The coalition&#x27;s own assessment, not a statement by {name}." in page
    assert standing_of("MYS").position_fact.whose_words == "coalition_assessment"


def test_seed_the_written_comments_have_one_deadline_with_its_source(client):
    page = client.get("/convention/", {"as_of": "2026-11-29"}).content.decode()
    assert page.count("Deadline for States&#x27; written comments") == 1
    assert "asked States to send their comments by 1 December 2023" in page  # the coalition's request, as such


def test_seed_public_notes_read_as_finished_statements(client):
    for path in ("/convention/", "/states/PSE/", "/states/KIR/", "/"):
        page = client.get(path, {"as_of": "2026-11-29"}).content.decode()
        for research_voice in ("confirmed yet", "Mexico says", "A blog post", "stayed at 19", "letter says"):
            assert research_voice not in page, (path, research_voice)
