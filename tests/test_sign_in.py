"""Signing in to the staff site: throttled, and protected against forged requests."""

from tests.helpers import PASSWORD

STATEMENTS = "/admin/states/positionstatement/"


def test_the_sixth_bad_password_is_locked_out_with_a_clear_message(client, editor):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": editor.username, "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = client.post("/admin/login/", {"username": editor.username, "password": "wrong"})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    # Locked even with the right password, for that user from that address.
    response = client.post("/admin/login/", {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 429


def test_the_admin_forms_carry_a_csrf_token(as_user, publisher, published_statement):
    page = as_user(publisher).get(f"{STATEMENTS}{published_statement.pk}/change/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
