"""The messages alerts send, in the subscriber's language, each with a plain
text and an HTML part, and one-click unsubscribe headers (RFC 8058)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alerts.models import DeliveryKind


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def links(subscription):
    """The subscription's own addresses, in its language."""
    with translation.override(subscription.language):
        return {
            "confirm": absolute(reverse("alerts:confirm", args=[subscription.confirmation_key()])),
            "unsubscribe": absolute(reverse("alerts:unsubscribe", args=[subscription.token])),
            "changes": absolute(reverse("states:changes")),
            "privacy": absolute(reverse("alerts:privacy")),
        }


def message_for(delivery):
    subscription = delivery.subscription
    context = {"subscription": subscription, "links": links(subscription), "site": settings.SITE_URL}
    with translation.override(subscription.language):
        if delivery.kind == DeliveryKind.CONFIRMATION:
            template, subject = "confirmation", _("Confirm your email alerts from the CAH Tracker")
        elif delivery.kind == DeliveryKind.ALERT:
            context["changes"] = [delivery.change]
            template, subject = "changes", _("CAH Tracker: %(change)s") % {"change": delivery.change.headline}
        else:
            context["changes"] = list(subscription.changes_for_digest(delivery.covers_until))
            template, subject = "changes", _("CAH Tracker: this week's changes")
        context["changes"] = [
            {"change": change, "link": absolute(change.get_absolute_url() or reverse("states:changes"))}
            for change in context.get("changes", [])
        ]
        text = render_to_string(f"alerts/email/{template}.txt", context)
        html = render_to_string(f"alerts/email/{template}.html", context)
    headers = {}
    if delivery.kind != DeliveryKind.CONFIRMATION:
        headers = {
            "List-Unsubscribe": f"<{context['links']['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message = EmailMultiAlternatives(subject, text, to=[subscription.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
