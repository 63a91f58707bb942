from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Email alerts of published changes, for readers who follow the record by
    mail: double opt-in, one-click unsubscribe, sent by a background worker."""

    name = "alerts"
    verbose_name = _("Email alerts")

    def ready(self):
        from alerts import signals  # noqa: F401  (connects the alert to each published change)
