"""Every change says why and is kept: history with revert, the public list of
changes, and no lost work when two people edit the same record."""

import re

from tests.helpers import staff_user, statement_form

STATEMENTS = "/admin/states/positionstatement/"


def test_a_save_without_a_reason_is_refused(as_user, publisher, published_statement):
    response = as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/", statement_form(published_statement, change_reason="")
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_each_change_records_one_history_row_with_user_and_reason(as_user, publisher, published_statement):
    before = published_statement.history.count()
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Edited once.", change_reason="Fixed a typo"),
    )
    history = published_statement.history.order_by("-history_date")
    assert history.count() == before + 1
    latest = history.first()
    assert latest.history_user == publisher
    assert latest.history_change_reason == "Fixed a typo"
    assert latest.summary == "Edited once."


def test_staff_can_revert_to_an_earlier_version(as_user, publisher, published_statement):
    original = published_statement.summary
    url = f"{STATEMENTS}{published_statement.pk}/change/"
    as_user(publisher).post(url, statement_form(published_statement, summary="A mistake."))
    published_statement.refresh_from_db()
    earlier = published_statement.history.filter(summary=original).first()
    revert_url = f"{STATEMENTS}{published_statement.pk}/history/{earlier.history_id}/"
    assert as_user(publisher).get(revert_url).status_code == 200
    as_user(publisher).post(
        revert_url, statement_form(published_statement, summary=original, change_reason="Reverted the mistake")
    )
    published_statement.refresh_from_db()
    assert published_statement.summary == original
    assert published_statement.history.first().history_change_reason == "Reverted the mistake"


def test_changes_page_lists_published_changes_with_reasons_but_not_names(
    client, as_user, editor, publisher, published_statement
):
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Edited.", change_reason="Checked against the mission's text"),
    )
    as_user(editor).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="Draft.", change_reason="A draft nobody has published"),
    )
    client.logout()
    page = client.get("/changes/").content.decode()
    rows = re.findall(r'<tr id="change-\d+"><td[^>]*><time[^>]*>[^<]*</time></td>(.*?)</tr>', page)
    assert "Checked against the mission&#x27;s text" in rows[0]
    assert "Micronesia" in rows[0]
    assert "A draft nobody has published" not in page
    assert publisher.username not in page and editor.username not in page


def test_a_concurrent_edit_is_refused_and_shows_what_changed(as_user, client, publisher, roles, published_statement):
    colleague = staff_user("colleague", "Publisher")
    seen = statement_form(published_statement)  # both open the form at version N
    as_user(colleague).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        {**seen, "summary": "The colleague's summary.", "change_reason": "Colleague's fix"},
    )
    response = as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/", {**seen, "quote": "my new quote"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else after you opened it" in page
    assert "colleague saved it" in page
    assert "The colleague&#x27;s summary." in page
    assert "my new quote" in page  # the user's own edit is still in the form
    published_statement.refresh_from_db()
    assert published_statement.summary == "The colleague's summary."
    assert published_statement.quote != "my new quote"
