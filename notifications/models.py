"""Every message that leaves the system, and what users see in the app.

OutboundMessage is the transactional outbox: a service writes the row, fully
rendered, inside the caller's transaction (so a rolled-back order sends
nothing) and delivery happens after commit. Notification is the in-app inbox.
NotificationPreference holds which channels a user wants for each event.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"
    IN_APP = "in_app", "In-app"


# The channels an outbox row can use (in-app notifications are rows of their own).
OUTBOX_CHANNELS = (Channel.EMAIL, Channel.WHATSAPP, Channel.SMS)


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its first or next attempt
    SENDING = "sending", "Sending"  # claimed by one deliverer
    SENT = "sent", "Sent"  # the provider accepted it
    FAILED = "failed", "Failed"  # given up: permanent error, attempts used up, or interrupted
    DELIVERED = "delivered", "Delivered"  # the provider reported delivery
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Complained"  # the recipient marked it as spam


class OutboundMessage(models.Model):
    """One message to one recipient on one channel, rendered when it was queued.

    Written only by notifications.services; `dedup_key` is unique, so the same
    event queued twice (a retried receiver, a replayed task) stays one row.
    """

    Status = MessageStatus

    channel = models.CharField(max_length=20, choices=[(c.value, c.label) for c in OUTBOX_CHANNELS])
    recipient = models.CharField(max_length=254, help_text="E-mail address or phone number.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_messages",
        help_text="The user it was sent to, when it went to a user (not a supplier address).",
    )
    template = models.CharField(max_length=100, help_text="Under templates/notifications/.")
    reply_to = models.CharField(
        max_length=1000,
        blank=True,
        help_text="Reply-To addresses, comma-separated (supplier e-mails: the procurement team).",
    )
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # References, not bytes: [{"path": <default_storage name>, "filename", "mimetype"}],
    # read when the message is sent.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=20, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    simulated = models.BooleanField(
        default=False, help_text="Recorded, not sent: no WhatsApp webhook was configured."
    )
    dedup_key = models.CharField(max_length=200, unique=True)
    # SMS (India's DLT): the registered template the text fills and the sender id (header).
    sender = models.CharField(max_length=20, blank=True, default="", db_default="")
    provider_template = models.CharField(
        max_length=40,
        blank=True,
        default="",
        db_default="",
        help_text="The DLT template id an SMS was sent under.",
    )
    # Ordering: this row is not sent while a row with one of these dedup keys
    # (comma-separated) is still pending or sending ("delivered" after its invoice).
    wait_for = models.CharField(max_length=1000, blank=True, default="", db_default="")
    resent_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outbound message"
        indexes = [
            # The sweep: what is due.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["created_at"], name="outbox_created_idx"),
            models.Index(fields=["template", "-created_at"], name="outbox_template_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=[c.value for c in OUTBOX_CHANNELS]),
                name="outbox_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient}: {self.subject}"


class Notification(models.Model):
    """An in-app notification: the bell in the navigation bar and /notifications/."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path on this site.")
    # NULL for notifications that are not tied to one event.
    dedup_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_created_idx"),
            models.Index(fields=["user", "read_at"], name="notification_user_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Which channels a user wants per event: {"order_status": ["email", "in_app"], ...}.

    An event missing from `channels` uses its defaults (notifications.events).
    One row per user, joined to the user in one query when a message is queued.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channels = models.JSONField(default=dict, blank=True)
    sms_phone = models.CharField(
        max_length=16,
        blank=True,
        default="",
        db_default="",
        help_text="Where SMS go, in E.164 (+919876543210).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"
