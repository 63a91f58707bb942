"""Create the two staff roles, Editor and Publisher, with their permissions.

Idempotent: run it again (after a new model or permission) and each group ends
up with exactly the permissions listed here.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db.models import Q

from states.models import REVIEWED_MODELS

REVIEWED = [model._meta.model_name for model in REVIEWED_MODELS]

ROLES = {
    # Editors draft: they add and change facts (saved as drafts), add sources
    # for them, and open a state's page to work on its facts, but publish,
    # delete and change nothing the public sees at once (a source's address is).
    "Editor": [
        *(f"{action}_{model}" for model in REVIEWED for action in ("view", "add", "change")),
        "view_source",
        "add_source",
        "view_state",
        "change_state",
        "view_treaty",
        "view_correctionreport",
        "change_correctionreport",
    ],
    # Publishers review: everything editors do, plus publish and delete, and
    # the records that are public as soon as they are saved (states, treaties).
    "Publisher": [
        *(f"{action}_{model}" for model in REVIEWED for action in ("view", "add", "change", "delete", "publish")),
        *(
            f"{action}_{model}"
            for model in ("source", "state", "treaty")
            for action in ("view", "add", "change", "delete")
        ),
        "publish_state",
        "view_correctionreport",
        "change_correctionreport",
        "delete_correctionreport",
        # Sign-in locks (django-axes): a publisher sees them and lifts one by deleting it.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Whether alerts reach readers (failed sends, with the mail server's reply); never the subscribers' list.
        "alerts.view_delivery",
    ],
}


def permissions_named(codenames):
    """The permissions for codenames of this app ("add_source") or another ("axes.view_accessattempt")."""
    query = Q(pk__in=[])
    for name in codenames:
        app_label, _dot, codename = name.rpartition(".")
        query |= Q(content_type__app_label=app_label or "states", codename=codename)
    return Permission.objects.filter(query)


class Command(BaseCommand):
    help = "Create or update the Editor and Publisher groups."

    def handle(self, *args, **options):
        for name, codenames in ROLES.items():
            group, created = Group.objects.get_or_create(name=name)
            permissions = permissions_named(codenames)
            found = {
                f"{app}.{codename}" for app, codename in permissions.values_list("content_type__app_label", "codename")
            }
            missing = {name for name in codenames if (name if "." in name else f"states.{name}") not in found}
            if missing:
                raise SystemExit(f"Unknown permissions for {name}: {', '.join(sorted(missing))}. Run migrate first.")
            group.permissions.set(permissions)
            self.stdout.write(f"{'Created' if created else 'Updated'} group {name} ({len(codenames)} permissions).")
