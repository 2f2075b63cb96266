from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Notification
from ..selectors import local_link

# --- Input -------------------------------------------------------------------


class NotificationListQuerySerializer(serializers.Serializer):
    # default=None: a BooleanField missing from a query string would otherwise read as false.
    unread = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="`true`: only unread notifications; `false`: only read ones. Default: all.",
    )


# --- Output ------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    link = serializers.SerializerMethodField(
        help_text="The page it is about, as an absolute URL; null when it links nowhere."
    )
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "message", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_link(self, notification: Notification) -> str | None:
        path = local_link(notification.link)
        return settings.SITE_URL + path if path else None


class NotificationsMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread until now.")
