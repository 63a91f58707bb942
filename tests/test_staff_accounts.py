"""Staff accounts without a shell: a command (and a superuser's action) makes
the account and a one-time link for its owner to choose a password."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from tests.helpers import staff_user

NEW_PASSWORD = "a brand new passphrase 42"


def create(*args):
    out = io.StringIO()
    call_command("create_staff_user", *args, stdout=out)
    return out.getvalue()


def link_path(output):
    return re.search(r"https?://[^/]+(/admin/set-password/\S+/)", output).group(1)


def test_the_command_makes_an_editor_who_sets_a_password_through_the_link_once(client, roles):
    output = create("ed_lim", "ed.lim@example.org", "--role", "Editor")
    user = User.objects.get(username="ed_lim")
    assert user.is_staff and not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Editor"]
    link = link_path(output)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True).content.decode()
    assert "new_password1" not in again  # used once, the link is spent


def test_the_command_refuses_an_unknown_role_and_a_bad_address(roles):
    with pytest.raises(CommandError):
        create("x", "x@example.org", "--role", "Admin")
    with pytest.raises(CommandError):
        create("x", "not an address", "--role", "Editor")
    assert not User.objects.filter(username="x").exists()


def test_a_superuser_can_make_the_link_from_the_staff_site(as_user, superuser, roles):
    editor = staff_user("ed_new", "Editor")
    response = as_user(superuser).post(
        "/admin/auth/user/", {"action": "make_set_password_link", "_selected_action": [editor.pk]}, follow=True
    )
    assert "/admin/set-password/" in response.content.decode()


def test_a_publisher_is_not_offered_the_link(as_user, publisher):
    editor = staff_user("ed_new", "Editor")
    response = as_user(publisher).post(
        "/admin/auth/user/", {"action": "make_set_password_link", "_selected_action": [editor.pk]}, follow=True
    )
    assert "/admin/set-password/" not in response.content.decode()
