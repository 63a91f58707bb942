"""A state's admin page: its treaty actions, statements and submission edited
in one place, checked together, and drafted for editors."""

from states.models import PositionStatement, State
from tests.helpers import rome_action, state_page_form


def test_an_editor_changing_a_fact_on_the_state_page_drafts_it(as_user, editor):
    fsm = State.objects.get(iso3="FSM")
    page = as_user(editor).get(f"/admin/states/state/{fsm.pk}/change/").content.decode()
    statement = PositionStatement.objects.published().get(state=fsm)
    edited = {
        "id": statement.pk,
        "date": statement.date.isoformat(),
        "date_precision": statement.date_precision,
        "forum": statement.forum,
        "summary": "A corrected summary.",
        "quote": statement.quote,
        "position": statement.position,
        "whose_words": statement.whose_words,
        "source": statement.source_id,
        "verification": statement.verification,
        "seen_version": statement.version,
    }
    form = state_page_form(fsm, statements=[edited], reason="Corrected the summary")
    assert 'name="position_statements-0-summary"' in page
    response = as_user(editor).post(f"/admin/states/state/{fsm.pk}/change/", form)
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.summary != "A corrected summary."
    assert PositionStatement.objects.drafts().get(draft_of=statement).summary == "A corrected summary."


def test_a_signature_and_a_ratification_can_be_recorded_in_one_save(
    as_user, publisher, make_state, rome_statute, source
):
    state = make_state()
    form = state_page_form(
        state,
        actions=[
            rome_action(rome_statute, source, "ratification", "2010-05-01"),
            rome_action(rome_statute, source, "signature", "2000-01-10"),
        ],
    )
    response = as_user(publisher).post(f"/admin/states/state/{state.pk}/change/", form)
    assert response.status_code == 302
    assert sorted(state.treaty_actions.values_list("action_type", flat=True)) == ["ratification", "signature"]


def test_the_state_page_refuses_a_withdrawal_before_the_state_was_a_party(
    as_user, publisher, make_state, rome_statute, source
):
    state = make_state()
    form = state_page_form(
        state,
        actions=[
            rome_action(rome_statute, source, "accession", "2010-05-01"),
            rome_action(rome_statute, source, "withdrawal", "2010-06-01"),
        ],
    )
    response = as_user(publisher).post(f"/admin/states/state/{state.pk}/change/", form)
    assert response.status_code == 200
    assert "was not a State Party to the Rome Statute on 2010-06-01" in response.content.decode()
    assert not state.treaty_actions.exists()
