"""What the background worker does for alerts (django-tasks): mail a
confirmation, an alert of a published change, a weekly digest. A publish
only enqueues (``alerts.signals``), so it commits whether or not the mail
server answers; a failed send is recorded on its ``Delivery`` and tried again
later, with a growing wait, where the task backend can defer (the database
backend of ``make serve`` can; the immediate one of ``make run`` cannot)."""

import logging
import smtplib
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from alerts.messages import message_for
from alerts.models import Delivery, DeliveryKind, DeliveryStatus, Frequency, Subscription
from states.models import PublishedChange

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_WAIT = timedelta(minutes=5)  # then 10, 20, 40 and 80 minutes


@task()
def deliver(delivery_id):
    """Send one message; on failure, record why and try again later (or give up)."""
    delivery = Delivery.objects.select_related("subscription", "change").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == DeliveryStatus.SENT:
        return  # unsubscribed meanwhile (deleted with its deliveries), or already sent
    delivery.attempts += 1
    try:
        message_for(delivery).send()
    except (smtplib.SMTPException, OSError) as error:
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        again = delivery.attempts < MAX_ATTEMPTS and deliver.get_backend().supports_defer
        delivery.status = DeliveryStatus.RETRYING if again else DeliveryStatus.FAILED
        delivery.save()
        logger.warning("Alert delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        if again:
            wait = FIRST_WAIT * 2 ** (delivery.attempts - 1)
            deliver.using(run_after=timezone.now() + wait).enqueue(delivery.pk)
        return
    delivery.status, delivery.last_error = DeliveryStatus.SENT, ""
    delivery.save()
    if delivery.kind == DeliveryKind.DIGEST:
        Subscription.objects.filter(pk=delivery.subscription_id).update(digest_sent_up_to=delivery.covers_until)


@task()
def alert_subscribers(change_id):
    """A message to each confirmed subscriber of immediate alerts whom a published change concerns."""
    change = PublishedChange.objects.filter(pk=change_id).first()
    if change is None:
        return
    for subscription in Subscription.objects.following(change).filter(frequency=Frequency.IMMEDIATE):
        delivery = Delivery.objects.create(
            subscription=subscription, kind=DeliveryKind.ALERT, change=change, status=DeliveryStatus.RETRYING
        )
        deliver.enqueue(delivery.pk)


@task()
def send_weekly_digests():
    """A digest to each confirmed weekly subscriber with changes since the last one."""
    now = timezone.now()
    for subscription in Subscription.objects.confirmed().filter(frequency=Frequency.WEEKLY):
        if not subscription.changes_for_digest(now).exists():
            continue
        delivery = Delivery.objects.create(
            subscription=subscription, kind=DeliveryKind.DIGEST, covers_until=now, status=DeliveryStatus.RETRYING
        )
        deliver.enqueue(delivery.pk)
    Subscription.objects.expired_unconfirmed(now).delete()  # sign-ups never confirmed: nothing kept


def confirm_by_mail(subscription):
    delivery = Delivery.objects.create(
        subscription=subscription, kind=DeliveryKind.CONFIRMATION, status=DeliveryStatus.RETRYING
    )
    deliver.enqueue(delivery.pk)
