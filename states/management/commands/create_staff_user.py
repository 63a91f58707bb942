"""Make a staff account without a shell: the person gets a one-time link to
choose their own password (Django's password-reset machinery), so nobody
else ever knows it.

    manage.py create_staff_user ed_lim ed.lim@example.org --role Editor

Run ``manage.py setup_roles`` first (make run and make serve do). The link
works once, for PASSWORD_RESET_TIMEOUT (three days by default); run the
command again with the same name for a new link.
"""

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from states.admin_site import set_password_link

ROLES = ["Editor", "Publisher"]


class Command(BaseCommand):
    help = "Create a staff account (Editor or Publisher) and print a one-time link to set its password."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="The site's address as staff reach it, for the link (default: %(default)s).",
        )

    def handle(self, *args, username, email, role, site_url, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an email address.") from error
        group = Group.objects.filter(name=role).first()
        if group is None:
            raise CommandError(f"There is no {role} group yet: run manage.py setup_roles first.")
        user, created = User.objects.get_or_create(username=username, defaults={"email": email, "is_staff": True})
        if created:
            user.set_unusable_password()  # until they choose one through the link
            user.save()
        elif not user.is_staff:
            raise CommandError(f"{username} exists and is not staff: change them in the staff site instead.")
        user.groups.add(group)
        action = "Created" if created else "Found"
        self.stdout.write(f"{action} {username} ({email}), in the {role} group.")
        self.stdout.write("Send them this link to choose their password (it works once, within three days):")
        self.stdout.write(set_password_link(user, site_url.rstrip("/")))
        if role == "Publisher":
            self.stdout.write("As a Publisher, they will set up two-factor sign-in the first time they sign in.")
