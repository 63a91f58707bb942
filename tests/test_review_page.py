"""Review as a page: a draft shows the published version beside it in plain
labels, who proposed it, when and why; a publisher publishes it or sends it
back with a note from there; history says who proposed and who published."""

import pytest

from states.models import PositionStatement, PublishedChange
from tests.helpers import publish_from_its_page, statement_form

STATEMENTS = "/admin/states/positionstatement/"


@pytest.fixture
def proposed(as_user, editor, published_statement):
    """An editor's draft: Micronesia's statement, now non-committal."""
    as_user(editor).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(
            published_statement, position="non_committal", change_reason="The 2025 statement hedges its support"
        ),
    )
    return PositionStatement.objects.drafts().get(draft_of=published_statement)


def test_a_draft_shows_the_published_version_beside_it_in_plain_labels(as_user, publisher, proposed):
    page = as_user(publisher).get(f"{STATEMENTS}{proposed.pk}/change/").content.decode()
    assert "Proposed by ed_lim" in page
    assert "The 2025 statement hedges its support" in page
    assert "<del>Supports a convention</del>" in page and "<ins>Non-committal</ins>" in page
    assert "non_committal" not in page.split('class="review-panel"')[1].split("</section>")[0]
    assert 'value="publish"' in page and 'value="send_back"' in page


def test_an_editor_sees_the_draft_is_waiting_and_gets_no_decision_buttons(as_user, editor, proposed):
    page = as_user(editor).get(f"{STATEMENTS}{proposed.pk}/change/").content.decode()
    assert "Waiting for review." in page
    assert 'value="publish"' not in page and 'value="send_back"' not in page


def test_an_editor_cannot_publish_through_the_review_address(client, as_user, editor, proposed):
    response = as_user(editor).post(f"{STATEMENTS}{proposed.pk}/review/", {"decision": "publish"})
    assert response.status_code == 403
    assert PositionStatement.objects.filter(pk=proposed.pk, publication="draft").exists()


def test_sent_back_revised_and_published_from_the_page(client, as_user, editor, publisher, proposed):
    published = proposed.draft_of
    as_user(publisher).post(f"{STATEMENTS}{proposed.pk}/review/", {"decision": "send_back", "note": "Quote it."})
    page = as_user(editor).get(f"{STATEMENTS}{proposed.pk}/change/").content.decode()
    assert "Sent back:" in page and "Quote it." in page

    proposed.refresh_from_db()
    as_user(editor).post(
        f"{STATEMENTS}{proposed.pk}/change/",
        statement_form(proposed, quote="we are not yet convinced", change_reason="Quoted the statement"),
    )
    page = as_user(publisher).get(f"{STATEMENTS}{proposed.pk}/change/").content.decode()
    assert "Waiting for review." in page and "Quote it." not in page

    response = publish_from_its_page(as_user(publisher), STATEMENTS, proposed)
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.position == "non_committal" and published.quote == "we are not yet convinced"
    assert not PositionStatement.objects.filter(pk=proposed.pk).exists()
    latest = published.history.latest()
    assert (latest.proposed_by.username, latest.history_user.username) == ("ed_lim", "pub_tan")
    assert PublishedChange.objects.latest("pk").reason == "Quoted the statement"

    history = as_user(publisher).get(f"{STATEMENTS}{published.pk}/history/").content.decode()
    assert "<strong>Position shown:</strong> Supports a convention → Non-committal" in history
    assert "<td>ed_lim</td>" in history and "<td>pub_tan</td>" in history


def test_sending_back_needs_a_note(as_user, publisher, proposed):
    as_user(publisher).post(f"{STATEMENTS}{proposed.pk}/review/", {"decision": "send_back", "note": " "})
    proposed.refresh_from_db()
    assert proposed.sent_back_note == ""


def test_the_admin_index_counts_the_drafts_waiting_and_the_list_names_them(as_user, publisher, proposed):
    index = as_user(publisher).get("/admin/").content.decode()
    assert "Waiting for review: 1 draft" in index
    listing = as_user(publisher).get("/admin/waiting-for-review/").content.decode()
    assert f'href="{STATEMENTS}{proposed.pk}/change/"' in listing
    assert "The 2025 statement hedges its support" in listing


def test_the_reason_is_asked_for_next_to_the_save_buttons(as_user, publisher, published_statement):
    page = as_user(publisher).get(f"{STATEMENTS}{published_statement.pk}/change/").content.decode()
    reason, save = page.index('name="change_reason"'), page.index('name="_save"')
    assert reason < save and "<fieldset" not in page[reason:save]


def test_a_draft_sent_back_still_names_its_editor_and_their_reason(as_user, editor, publisher, proposed):
    as_user(publisher).post(f"{STATEMENTS}{proposed.pk}/review/", {"decision": "send_back", "note": "Quote it."})
    listing = as_user(editor).get("/admin/waiting-for-review/").content.decode()
    assert "<td>ed_lim</td>" in listing and "The 2025 statement hedges its support" in listing
    assert "Sent back: Quote it." in listing
