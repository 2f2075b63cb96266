from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from .delivery import INTERRUPTED_ERROR
from .models import MessageStatus, Notification, NotificationPreference, OutboundMessage
from .services import message_resend
from .sms import OUTCOME_UNKNOWN_ERROR

STATUS_COLORS = {
    MessageStatus.PENDING: "#6c757d",
    MessageStatus.SENDING: "#0d6efd",
    MessageStatus.SENT: "#198754",
    MessageStatus.DELIVERED: "#146c43",
    MessageStatus.FAILED: "#dc3545",
    MessageStatus.BOUNCED: "#dc3545",
    MessageStatus.COMPLAINED: "#fd7e14",
}


class NeedsCheckFilter(admin.SimpleListFilter):
    """E-mails whose deliverer died between the hand-off and the server's answer,
    and SMS whose provider's answer was lost (held: notifications.sms).

    They may or may not have gone out, so they are never resent automatically:
    a person checks (the Message-ID is in the provider id, searchable) and
    resends the ones that did not arrive.
    """

    title = "needs a check"
    parameter_name = "needs_check"

    def lookups(self, request, model_admin):
        return [
            ("interrupted", "Interrupted or unanswered in flight: may or may not have gone out")
        ]

    def queryset(self, request, queryset):
        if self.value() == "interrupted":
            # Interrupted e-mails, and SMS whose provider's answer was lost (held).
            return queryset.filter(status=MessageStatus.FAILED).filter(
                Q(last_error=INTERRUPTED_ERROR) | Q(last_error__startswith=OUTCOME_UNKNOWN_ERROR)
            )
        return queryset


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """The outbox: every message that left (or tries to leave) the system.

    Rows are written by notifications.services only; staff read them, see why
    one failed, and resend.
    """

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "template",
        "subject",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = [
        NeedsCheckFilter,
        "status",
        "channel",
        "template",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["recipient", "subject", "dedup_key", "provider_message_id"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["resend"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "channel",
                    "recipient",
                    "user",
                    "template",
                    "subject",
                    "dedup_key",
                    "sender",
                    "provider_template",
                    "wait_for",
                ]
            },
        ),
        (
            "Delivery",
            {
                "fields": [
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "sent_at",
                    "status_changed_at",
                    "provider_message_id",
                    "simulated",
                    "error_details",
                    "resent_from",
                ]
            },
        ),
        ("Message", {"fields": ["rendered_html", "body_text", "attachment_list"]}),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]

    def has_add_permission(self, request):
        return False  # messages are queued by the services, rendered from templates

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span style="color:#fff;background:{};padding:2px 8px;border-radius:10px">{}</span>',
            STATUS_COLORS.get(obj.status, "#6c757d"),
            obj.get_status_display(),
        )

    @admin.display(description="last error")
    def error_details(self, obj):
        if not obj.last_error:
            return "—"
        return format_html(
            '<pre style="white-space:pre-wrap;max-width:60em;margin:0">{}</pre>', obj.last_error
        )

    @admin.display(description="rendered HTML")
    def rendered_html(self, obj):
        if not obj.body_html:
            return "— (no HTML part)"
        # A sandboxed frame: the message's HTML cannot script the admin.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="Rendered message" '
            'style="width:100%;max-width:720px;height:640px;border:1px solid #ccc;'
            'background:#fff"></iframe>',
            obj.body_html,
        )

    @admin.display(description="attachments")
    def attachment_list(self, obj):
        if not obj.attachments:
            return "—"
        return ", ".join(f"{a.get('filename')} ({a.get('path')})" for a in obj.attachments)

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.change_outboundmessage")

    @admin.action(
        description="Resend the selected messages (a new copy each)", permissions=["resend"]
    )
    def resend(self, request, queryset):
        copies = [message_resend(message=message) for message in queryset]
        self.message_user(
            request,
            f"Queued {len(copies)} message(s) again, each a new row linked to its original.",
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "event", "title", "read_at"]
    list_select_related = ["user"]
    list_filter = ["event", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "event",
        "title",
        "message",
        "link",
        "dedup_key",
        "created_at",
        "read_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "channels", "updated_at"]

    def has_add_permission(self, request):
        return False  # users set their own on /notifications/preferences/

    def has_change_permission(self, request, obj=None):
        return False
