"""Staff edit the records in the admin; the public never reaches it."""

import pytest

from states.models import PositionStatement, State, TreatyAction


@pytest.fixture
def philippines(db):
    return State.objects.get(iso3="PHL")


def test_anonymous_visitors_are_sent_to_the_login_page(client, philippines):
    response = client.get(f"/admin/states/state/{philippines.pk}/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/states/state/",
        "/admin/states/treatyaction/",
        "/admin/states/positionstatement/",
        "/admin/states/writtensubmission/",
        "/admin/states/source/",
        "/admin/states/treaty/",
    ],
)
def test_staff_can_open_every_list(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_a_state_page_shows_its_actions_inline(admin_client, philippines):
    page = admin_client.get(f"/admin/states/state/{philippines.pk}/change/").content.decode()
    assert "Withdrawal notified" in page
    assert 'value="2018-03-17"' in page


def test_the_admin_refuses_a_withdrawal_before_the_state_was_a_party(admin_client, rome_statute, source):
    cambodia = State.objects.get(iso3="KHM")
    response = admin_client.post(
        "/admin/states/treatyaction/add/",
        {
            "state": cambodia.pk,
            "treaty": rome_statute.pk,
            "action_type": "withdrawal",
            "date": "2002-05-01",
            "source": source.pk,
            "verification": "unverified",
        },
    )
    assert response.status_code == 200
    assert "Cambodia was not a State Party to the Rome Statute on 2002-05-01" in response.content.decode()
    assert not TreatyAction.objects.filter(state=cambodia, action_type="withdrawal").exists()


def test_sources_are_offered_by_autocomplete(as_user, editor):
    response = as_user(editor).get(
        "/admin/autocomplete/",
        {"app_label": "states", "model_name": "positionstatement", "field_name": "source", "term": "Singapore"},
    )
    assert response.status_code == 200
    assert "Singapore" in response.content.decode()


def test_a_second_published_statement_with_the_same_state_source_and_date_is_refused_in_words(
    as_user, publisher, published_statement
):
    statement = published_statement
    response = as_user(publisher).post(
        "/admin/states/positionstatement/add/",
        {
            "state": statement.state_id,
            "source": statement.source_id,
            "date": statement.date.isoformat(),
            "date_precision": "day",
            "forum": "The same statement again",
            "summary": "Entered twice by mistake.",
            "position": statement.position,
            "whose_words": statement.whose_words,
            "verification": "primary",
            "change_reason": "Adding it again",
        },
    )
    assert response.status_code == 200
    assert "This statement is already recorded (same state, source and date)." in response.content.decode()
    assert not PositionStatement.objects.filter(forum="The same statement again").exists()


def test_a_source_that_is_not_an_id_is_refused_by_the_form_not_a_500(as_user, publisher, singapore):
    response = as_user(publisher).post(
        "/admin/states/positionstatement/add/",
        {"state": singapore.pk, "source": "secondary", "date": "2026-11-20", "date_precision": "day"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_admin_index_names_the_libraries_apps_in_plain_english(as_user, superuser):
    page = as_user(superuser).get("/admin/").content.decode()
    for plain in ("Sign-in attempts and lockouts", "Two-factor sign-in: authenticator apps"):
        assert plain in page
    for library_name in ("AXES", "Axes", "OTP_TOTP", "Otp_Totp", "OTP_STATIC"):
        assert f">{library_name}<" not in page
