"""Django's makemessages, with what this project leaves out of its catalogues
built in, so `make messages` and the test that the catalogues are complete
(tests/test_translations.py) gather the same strings.

The admin is for staff and stays in English: its templates and modules are not
translated. The public pages, their models' labels and their messages are.
"""

from django.core.management.commands import makemessages

NOT_TRANSLATED = [
    ".venv/*",
    "staticfiles/*",
    "tests/*",
    "templates/admin/*",
    "templates/simple_history/*",
    "states/admin.py",
    "states/admin_site.py",
    "alerts/admin.py",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *NOT_TRANSLATED]
        return super().handle(*args, **options)
