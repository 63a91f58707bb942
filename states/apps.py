from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class StatesConfig(AppConfig):
    name = "states"
    verbose_name = _("Tracked states")

    def ready(self):
        from states import changelog  # noqa: F401 (connects the public record of changes)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the staff site (and its research queue) as the default site."""

    default = False  # states' own default config is StatesConfig
    default_site = "states.admin_site.StaffAdminSite"
