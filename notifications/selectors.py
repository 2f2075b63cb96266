"""Reads for notifications: a user's inbox and its unread count."""

from django.db.models import QuerySet
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User

from .models import Notification


def notifications_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """`user`'s notifications, newest first; one query per page."""
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def local_link(link: str) -> str:
    """`link` when it is a path on this site ("/customer-portal/orders/..."), else "".

    The one rule for where a notification may send its reader: the inbox's
    "open" redirect and the API's absolute `link` both use it, so a stored
    "https://elsewhere" or "javascript:..." never becomes a link.
    """
    if (
        link.startswith("/")
        and not link.startswith("//")
        and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    ):
        return link
    return ""


def preferences_sms_phone(user) -> str:
    """The number `user` gave for SMS ("" when none)."""
    from .models import NotificationPreference

    return (
        NotificationPreference.objects.filter(user=user).values_list("sms_phone", flat=True).first()
        or ""
    )
