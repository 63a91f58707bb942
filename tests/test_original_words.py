"""What a source says is shown as it says it: a quote in the language it was
said in, marked so that browsers and screen readers read it right, and a date
only as far as the source gives it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from states.choices import DatePrecision
from states.models import PositionStatement
from tests.helpers import comments_made, published_statement, statement_fields


def test_a_quote_in_arabic_is_marked_as_arabic_written_right_to_left(client, make_state, source):
    state = make_state()
    published_statement(
        state, "2024-10-10", "supports_with_reservations", source, quote="تدرك دولة الإمارات", quote_language="ar"
    )
    page = client.get(f"/states/{state.iso3}/").content.decode()
    assert '<blockquote lang="ar" dir="rtl"><p>“تدرك دولة الإمارات”</p></blockquote>' in page


def test_a_quote_with_no_language_given_is_english(client, make_state, source):
    state = make_state()
    published_statement(state, "2024-10-10", "supports", source, quote="adopt the convention")
    page = client.get(f"/states/{state.iso3}/").content.decode()
    assert '<blockquote lang="en" dir="ltr"><p>“adopt the convention”</p></blockquote>' in page


def test_a_quote_language_that_is_not_a_code_is_refused_by_the_form_and_the_database(make_state, source):
    state = make_state()
    statement = PositionStatement(**statement_fields(state, source), quote="x", quote_language="Arabic")
    with pytest.raises(ValidationError, match="Give a language code such as zh or ar."):
        statement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        statement.save()


def test_comments_dated_only_to_the_year_show_the_year_and_no_made_up_day(client, make_state, source):
    state = make_state()
    comments_made(state, "2023-01-01", source, DatePrecision.YEAR, document_symbol="A/78/717").save()
    page = client.get(f"/states/{state.iso3}/", {"as_of": "2026-11-29"}).content.decode()
    entry = page[page.index('id="written-submission"') :][:600]
    assert "Made a submission" in entry and "<br>2023" in entry
    assert "1 January 2023" not in page
    api = client.get(f"/api/v1/states/{state.iso3}/").json()["written_submission"]
    assert (api["submitted_on"], api["submitted_on_precision"]) == ("2023-01-01", "year")
