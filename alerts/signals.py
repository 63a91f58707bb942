"""Each published change enqueues its alerts once its transaction commits:
a publish never waits for, nor fails with, the mail server."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from states.models import PublishedChange

logger = logging.getLogger(__name__)


@receiver(post_save, sender=PublishedChange, dispatch_uid="alert_subscribers_of_a_published_change")
def alert_subscribers_once_committed(sender, instance, created, **kwargs):
    if created:
        transaction.on_commit(lambda: enqueue_alerts(instance.pk))


def enqueue_alerts(change_id):
    from alerts.tasks import alert_subscribers

    try:
        alert_subscribers.enqueue(change_id)
    except Exception:  # any task backend's failure: the change is published; its alert is lost, and logged
        logger.exception("Could not enqueue the alerts of published change %s", change_id)
