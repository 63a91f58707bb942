"""Create the two staff roles, Editor and Publisher, with their permissions.

Idempotent: run it again (after a new model or permission) and each group ends
up with exactly the permissions listed here.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

REVIEWED = ["treatyaction", "positionstatement", "writtensubmission", "timelineevent"]

ROLES = {
    # Editors draft: they add and change facts (saved as drafts), add sources,
    # and open a state's page to work on its facts, but publish and delete nothing.
    "Editor": [
        *(f"{action}_{model}" for model in REVIEWED for action in ("view", "add", "change")),
        "view_source",
        "add_source",
        "change_source",
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
    ],
}


class Command(BaseCommand):
    help = "Create or update the Editor and Publisher groups."

    def handle(self, *args, **options):
        for name, codenames in ROLES.items():
            group, created = Group.objects.get_or_create(name=name)
            permissions = Permission.objects.filter(content_type__app_label="states", codename__in=codenames)
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise SystemExit(f"Unknown permissions for {name}: {', '.join(sorted(missing))}. Run migrate first.")
            group.permissions.set(permissions)
            self.stdout.write(f"{'Created' if created else 'Updated'} group {name} ({len(codenames)} permissions).")
