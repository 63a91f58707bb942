"""Subscribing to alerts, confirming, unsubscribing, and what is kept. These
pages carry forms (and CSRF tokens), so they are never in the page cache;
the cached pages only link to them."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from alerts.forms import SubscribeForm
from alerts.models import Follows, Frequency, Subscription
from alerts.tasks import confirm_by_mail

SIGN_UPS_PER_ADDRESS_A_DAY = 3


def too_many_sign_ups(email):
    """Why a sign-up is refused for now (None if it is not): too many for the
    address in a day, or for the whole site in an hour."""
    now = timezone.now()
    if Subscription.objects.filter(email__iexact=email, created_at__gt=now - timedelta(days=1)).count() >= (
        SIGN_UPS_PER_ADDRESS_A_DAY
    ):
        return _("This address has asked for alerts several times today. Try again tomorrow.")
    if Subscription.objects.filter(created_at__gt=now - timedelta(hours=1)).count() >= settings.ALERT_SIGN_UPS_PER_HOUR:
        return _("Many people are signing up just now. Try again in an hour.")
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    # A profile's link names its state (?states=PHL): the form starts with it chosen.
    chosen = [code.upper() for code in request.GET.getlist("states")[:20]]
    initial = {"follows": Follows.STATES if chosen else Follows.EVERYTHING, "frequency": Frequency.IMMEDIATE}
    form = SubscribeForm(request.POST or None, initial={**initial, "states": chosen})
    if request.method == "POST" and form.is_valid():
        refused = too_many_sign_ups(form.cleaned_data["email"])
        if refused:
            return render(request, "alerts/subscribe.html", {"form": form, "refused": refused}, status=429)
        with transaction.atomic():
            subscription = form.save(commit=False)
            subscription.language = get_language()
            subscription.save()
            form.save_m2m()
            transaction.on_commit(lambda: confirm_by_mail(subscription))
        return redirect("alerts:sent")
    return render(request, "alerts/subscribe.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
def sent(request):
    return render(request, "alerts/sent.html")


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, key):
    subscription = Subscription.awaiting(key)
    if subscription is None:
        return render(request, "alerts/link_expired.html", status=410)
    if request.method == "POST":
        if not subscription.is_confirmed:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
        return render(request, "alerts/confirmed.html", {"subscription": subscription})
    # A button, not the link itself: mail scanners open links, and must not confirm for the reader.
    return render(request, "alerts/confirm.html", {"subscription": subscription})


@csrf_exempt  # the token in the address is the authority; mail programs post here without a form (RFC 8058)
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    if request.method == "POST":
        Subscription.objects.filter(token=token).delete()  # and every delivery to it
        return render(request, "alerts/unsubscribed.html")
    subscription = get_object_or_404(Subscription, token=token)
    return render(request, "alerts/unsubscribe.html", {"subscription": subscription})


@require_safe
def privacy(request):
    return render(request, "alerts/privacy.html", {"confirm_hours": 48})
