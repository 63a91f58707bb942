"""Review before publishing: an editor's work stays a draft, invisible to the
public, until a publisher publishes it; publishing checks the rules again."""

from states.choices import Publication
from states.models import PositionStatement, Source, TimelineEvent, TreatyAction
from tests.helpers import new_statement_form, publish_in_bulk, statement_form

STATEMENTS = "/admin/states/positionstatement/"


def test_an_editors_new_statement_is_invisible_until_a_publisher_publishes_it(
    client, as_user, editor, publisher, singapore, source
):
    def public_profile():
        return client.get("/states/SGP/", {"as_of": "2026-11-29"}).content.decode()

    before = public_profile()
    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(singapore, source))
    client.logout()
    assert public_profile() == before
    assert "Non-committal" in before
    draft = PositionStatement.objects.drafts().get(state=singapore)
    publish_in_bulk(as_user(publisher), STATEMENTS, draft)
    client.logout()
    after = public_profile()
    assert "Preparatory Committee, second session" in after
    assert '<strong id="convention-position">Supports a convention</strong>' in after


def test_a_draft_change_leaves_the_published_version_visible(client, as_user, editor, publisher, published_statement):
    as_user(editor).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="A corrected summary."),
    )
    client.logout()
    page = client.get("/states/FSM/").content.decode()
    assert "A corrected summary." not in page
    assert published_statement.summary in page
    draft = PositionStatement.objects.drafts().get(draft_of=published_statement)
    publish_in_bulk(as_user(publisher), STATEMENTS, draft)
    client.logout()
    assert "A corrected summary." in client.get("/states/FSM/").content.decode()
    assert not PositionStatement.objects.drafts().exists()
    assert PositionStatement.objects.filter(state__iso3="FSM").count() == 1


def test_a_second_draft_of_the_same_fact_is_refused_with_a_message(as_user, editor, published_statement):
    url = f"{STATEMENTS}{published_statement.pk}/change/"
    as_user(editor).post(url, statement_form(published_statement, summary="First draft."))
    response = as_user(editor).post(url, statement_form(published_statement, summary="Second draft."))
    assert "already waiting for review" in response.content.decode()
    assert PositionStatement.objects.drafts().filter(draft_of=published_statement).get().summary == "First draft."


def test_publishing_runs_the_rules_again(as_user, editor, publisher, published_statement):
    # Two drafts that would duplicate each other once both are published.
    duplicate = PositionStatement.objects.get(pk=published_statement.pk)
    duplicate.pk = None
    duplicate._state.adding = True
    duplicate.publication = Publication.DRAFT
    duplicate.save()
    response = publish_in_bulk(as_user(publisher), STATEMENTS, duplicate, follow=True)
    assert "Not published" in response.content.decode()
    assert "already recorded" in response.content.decode()


def test_a_draft_timeline_event_stays_off_the_convention_page(client, editor, source):
    draft = TimelineEvent(date="2027-06-01", topic="cah_convention", event="A drafted session", source=source)
    draft.save_change_by(editor, "Drafted")
    assert "A drafted session" not in client.get("/convention/").content.decode()


def test_a_fact_without_a_source_is_refused_with_a_message(as_user, publisher, singapore, source):
    response = as_user(publisher).post(f"{STATEMENTS}add/", new_statement_form(singapore, source, source=""))
    assert "Every fact needs its source" in response.content.decode()


def test_source_model_is_not_draftable():
    assert not hasattr(Source, "publication")


def test_publishing_checks_a_treaty_action_against_the_states_other_actions(
    as_user, editor, publisher, make_state, rome_statute, source
):
    state = make_state()
    # Saved as a draft without the form (as an import would): a ratification with no signature.
    draft = TreatyAction(state=state, treaty=rome_statute, action_type="ratification", date="2010-05-01", source=source)
    draft.save_change_by(editor, "Drafted")
    response = publish_in_bulk(as_user(publisher), "/admin/states/treatyaction/", draft, follow=True)
    assert "without having signed first" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published
