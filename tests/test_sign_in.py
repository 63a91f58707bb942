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


def sign_in_through_the_proxy(client, username, password, reader, claimed=""):
    forwarded = f"{claimed}, {reader}" if claimed else reader
    return client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_the_proxy_one_readers_wrong_passwords_do_not_lock_out_a_publisher_elsewhere(client, editor, settings):
    settings.TRUSTED_PROXIES = 1
    for _ in range(6):
        sign_in_through_the_proxy(client, editor.username, "wrong", "198.51.100.66")
    assert sign_in_through_the_proxy(client, editor.username, "wrong", "198.51.100.66").status_code == 429
    # The editor, from their own address through the same proxy, signs in.
    assert sign_in_through_the_proxy(client, editor.username, PASSWORD, "198.51.100.10").status_code == 302


def test_behind_the_proxy_an_attacker_cannot_escape_the_lock_by_writing_x_forwarded_for(client, editor, settings):
    settings.TRUSTED_PROXIES = 1
    for number in range(6):
        sign_in_through_the_proxy(client, editor.username, "wrong", "198.51.100.66", claimed=f"192.0.2.{number}")
    response = sign_in_through_the_proxy(client, editor.username, PASSWORD, "198.51.100.66", claimed="192.0.2.77")
    assert response.status_code == 429
