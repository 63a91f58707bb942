"""A reader's subscription to alerts, and each attempt to mail one.

Only what alerts need is stored: the address, what it follows, the language
and how often, and where its confirmation and digests stand. Unsubscribing
deletes the subscription and everything sent to it (``Delivery`` cascades).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from states.choices import RecordKind
from states.models import CoalitionAsk, PublishedChange, State, Treaty, TreatyAction

# How long a confirmation link works.
CONFIRM_WITHIN = timedelta(hours=48)
CONFIRMATION_SALT = "alerts.confirm"


class Follows(models.TextChoices):
    EVERYTHING = "everything", _("Every published change")
    STATES = "states", _("Changes for the states I choose")
    TOPIC = "topic", _("Changes of one kind")


class Topic(models.TextChoices):
    """The kinds of change a reader may follow alone (``PublishedChange.record_kind``)."""

    TREATY_ACTIONS = RecordKind.TREATY_ACTION, _("Treaty actions (signatures, ratifications, withdrawals)")
    POSITIONS = RecordKind.POSITION_STATEMENT, _("Positions on a convention")
    WRITTEN_COMMENTS = RecordKind.WRITTEN_SUBMISSION, _("Written comments on the draft articles")
    ASKS = RecordKind.COALITION_ASK, _("The coalition's asks")
    TIMELINE = RecordKind.TIMELINE_EVENT, _("The convention process")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As each change is published")
    WEEKLY = "weekly", _("A weekly digest")


def new_token():
    return secrets.token_urlsafe(32)


# The kinds of change that are under one treaty, by the model of their record.
UNDER_A_TREATY = {RecordKind.TREATY_ACTION: TreatyAction, RecordKind.COALITION_ASK: CoalitionAsk}


def treaty_of(change):
    """The treaty a published change is under (a treaty action's, an ask's), or None."""
    model = UNDER_A_TREATY.get(change.record_kind)
    if model is None or change.record_id is None:
        return None
    return model.objects.filter(pk=change.record_id).values_list("treaty_id", flat=True).first()


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def following(self, change):
        """The confirmed subscriptions a published change concerns."""
        treaty_id = treaty_of(change)
        of_the_treaty = Q(treaty__isnull=True) | Q(treaty_id=treaty_id) if treaty_id else Q(treaty__isnull=True)
        concerns = Q(follows=Follows.EVERYTHING) | (Q(follows=Follows.TOPIC, topic=change.record_kind) & of_the_treaty)
        if change.state_id:
            concerns |= Q(follows=Follows.STATES, states=change.state_id)
        return self.confirmed().filter(concerns).distinct()

    def expired_unconfirmed(self, now=None):
        return self.filter(confirmed_at__isnull=True, created_at__lt=(now or timezone.now()) - CONFIRM_WITHIN)


class Subscription(models.Model):
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    follows = models.CharField(_("follows"), max_length=12, choices=Follows.choices)
    states = models.ManyToManyField(State, blank=True, related_name="+", verbose_name=_("states"))
    topic = models.CharField(_("kind of change"), max_length=24, choices=Topic.choices, blank=True)
    # Treaty actions, or the coalition's asks, under one treaty only (empty: under any).
    treaty = models.ForeignKey(
        Treaty, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("treaty")
    )
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices)
    # Names the subscription in its links (confirm, unsubscribe): long and random, never shown elsewhere.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last change a digest has covered, so the next one starts after it.
    digest_sent_up_to = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        constraints = [
            models.CheckConstraint(condition=Q(follows__in=Follows.values), name="subscription_follows_is_known"),
            models.CheckConstraint(condition=Q(frequency__in=Frequency.values), name="subscription_frequency_is_known"),
            models.CheckConstraint(
                condition=Q(follows=Follows.TOPIC, topic__in=Topic.values) | (~Q(follows=Follows.TOPIC) & Q(topic="")),
                name="subscription_names_a_topic_only_when_it_follows_one",
            ),
            models.CheckConstraint(
                condition=Q(treaty__isnull=True) | Q(topic__in=list(UNDER_A_TREATY)),
                name="subscription_names_a_treaty_only_for_a_kind_under_one",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_follows_display()})"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def confirmation_key(self):
        """The confirmation link's key: the token, signed with the time, so the link expires."""
        return signing.dumps(self.token, salt=CONFIRMATION_SALT)

    @classmethod
    def awaiting(cls, key):
        """The subscription a confirmation key names, while the key is fresh (else None)."""
        try:
            token = signing.loads(key, salt=CONFIRMATION_SALT, max_age=CONFIRM_WITHIN)
        except signing.BadSignature:  # tampered with, or expired (SignatureExpired is one)
            return None
        return cls.objects.filter(token=token).first()

    def changes_for_digest(self, until):
        """The published changes a weekly digest up to ``until`` covers: those
        it concerns since the last digest (or since the subscription was confirmed)."""
        since = self.digest_sent_up_to or self.confirmed_at
        changes = PublishedChange.objects.filter(made_at__gt=since, made_at__lte=until).select_related("state")
        if self.follows == Follows.TOPIC:
            changes = changes.filter(record_kind=self.topic)
            if self.treaty_id:
                under = UNDER_A_TREATY[self.topic].objects.filter(treaty_id=self.treaty_id).values("pk")
                changes = changes.filter(record_id__in=under)
        elif self.follows == Follows.STATES:
            changes = changes.filter(state__in=self.states.all())
        return changes.order_by("made_at", "pk")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, to be tried again")
    FAILED = "failed", _("Failed for good")


class DeliveryKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Confirmation")
    ALERT = "alert", _("Alert")
    DIGEST = "digest", _("Weekly digest")


class Delivery(models.Model):
    """One message to a subscriber, and how sending it went: what staff read
    when the mail server has been down."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=16, choices=DeliveryKind.choices)
    change = models.ForeignKey(PublishedChange, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A digest covers the changes published up to this moment.
    covers_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_is_known"),
            models.CheckConstraint(condition=Q(kind__in=DeliveryKind.values), name="delivery_kind_is_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.subscription.email}: {self.get_status_display()}"
