from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticCodesConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as AuthenticatorAppsConfig


class StatesConfig(AppConfig):
    name = "states"
    verbose_name = _("Tracked states")

    def ready(self):
        from states import changelog  # noqa: F401 (connects the public record of changes)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the staff site (and its research queue) as the default site."""

    default = False  # states' own default config is StatesConfig
    default_site = "states.admin_site.StaffAdminSite"


# The libraries' own apps, under names staff understand in the admin's index
# (their labels, and so their tables and permissions, stay the libraries').


class SignInAttemptsConfig(AxesAppConfig):
    default = False
    verbose_name = _("Sign-in attempts and lockouts")


class AuthenticatorAppsNamed(AuthenticatorAppsConfig):
    default = False
    verbose_name = _("Two-factor sign-in: authenticator apps")


class RecoveryCodesNamed(StaticCodesConfig):
    default = False
    verbose_name = _("Two-factor sign-in: recovery codes")
