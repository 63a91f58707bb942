"""Two-factor sign-in: required for publishers and superusers, optional for
editors, with an authenticator app set up from a QR code drawn on the site
and recovery codes that work once."""

import re

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import PASSWORD, second_factor_device, staff_user

ADMIN = "/admin/states/positionstatement/"


def sign_in_with_password(client, user):
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD, "next": ADMIN})
    assert response.status_code == 302
    return client.get(ADMIN)


def code_for(device):
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(6)


def test_a_publisher_reaches_nothing_until_they_give_a_second_factor(client, roles):
    publisher = staff_user("pub_tan", "Publisher")
    response = sign_in_with_password(client, publisher)
    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/?next=%2Fadmin%2Fstates%2Fpositionstatement%2F"
    assert client.get("/admin/research-queue/").status_code == 302


def test_setting_up_the_app_shows_a_qr_code_and_then_recovery_codes(client, roles):
    publisher = staff_user("pub_tan", "Publisher")
    sign_in_with_password(client, publisher)
    page = client.get("/admin/two-factor/").content.decode()
    assert "<svg" in page and "totp-secret" in page  # the QR code, drawn here
    device = TOTPDevice.objects.get(user=publisher, confirmed=False)
    done = client.post("/admin/two-factor/", {"token": code_for(device), "next": ADMIN}).content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", done)
    assert len(codes) == 10
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, roles):
    publisher = staff_user("pub_tan", "Publisher")
    sign_in_with_password(client, publisher)
    client.get("/admin/two-factor/")
    wrong = client.post("/admin/two-factor/", {"token": "000000", "next": ADMIN})
    assert "That code is not right" in wrong.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_a_code_from_the_app_verifies_the_next_sign_in(client, roles):
    publisher = staff_user("pub_tan", "Publisher")
    device = second_factor_device(publisher)
    sign_in_with_password(client, publisher)
    response = client.post("/admin/two-factor/", {"token": code_for(device), "next": ADMIN})
    assert response.status_code == 302 and response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_a_recovery_code_works_once(client, roles):
    publisher = staff_user("pub_tan", "Publisher")
    sign_in_with_password(client, publisher)
    client.get("/admin/two-factor/")
    device = TOTPDevice.objects.get(user=publisher, confirmed=False)
    done = client.post("/admin/two-factor/", {"token": code_for(device), "next": ADMIN}).content.decode()
    recovery = re.findall(r"<li><code>(\w+)</code></li>", done)[0]
    for attempt in range(2):
        client.logout()
        sign_in_with_password(client, publisher)
        response = client.post("/admin/two-factor/", {"token": recovery, "next": ADMIN})
        assert (response.status_code == 302) == (attempt == 0)


def test_an_editor_may_sign_in_without_a_second_factor_but_is_asked_once_set_up(client, roles):
    editor = staff_user("ed_lim", "Editor")
    assert sign_in_with_password(client, editor).status_code == 200
    second_factor_device(editor)
    client.logout()
    assert sign_in_with_password(client, editor).status_code == 302


def test_the_next_address_must_stay_on_this_site(client, roles):
    publisher = staff_user("pub_tan", "Publisher")
    device = second_factor_device(publisher)
    sign_in_with_password(client, publisher)
    response = client.post("/admin/two-factor/", {"token": code_for(device), "next": "https://attacker.example.net/"})
    assert response["Location"] == "/admin/"


def test_a_superuser_needs_a_second_factor_too(client, roles):
    boss = staff_user("boss", is_superuser=True)
    assert sign_in_with_password(client, boss).status_code == 302


def test_the_lockout_page_says_who_can_lift_a_lock(client, roles):
    editor = staff_user("ed_lim", "Editor")
    for _ in range(6):
        response = client.post("/admin/login/", {"username": editor.username, "password": "wrong"})
    page = response.content.decode()
    assert "A publisher can lift the lock early" in page and "ask the site administrator" in page
    # ... as they can: the lock list is open to them, and deleting an attempt lifts the lock.
    publisher = staff_user("pub_tan", "Publisher")
    assert publisher.has_perms(["axes.view_accessattempt", "axes.delete_accessattempt"])
