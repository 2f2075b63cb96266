"""The inbox (/notifications/) and the notification settings page.

Every page works with plain links and form posts; with htmx "Mark as read"
swaps the one item and the navbar badge in place. The views parse input,
call notifications.services, and present the outcome.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from auromart.api.fields import MAX_ID
from catalog.views import clean_query, render_page, wants_partial

from .events import events_for
from .forms import NotificationFilterForm, PreferencesForm
from .models import Channel, Notification
from .selectors import local_link, notifications_for_user, preferences_sms_phone
from .services import (
    notification_mark_read,
    notifications_mark_all_read,
    preferences_for,
    preferences_set,
)
from .sms import sms_events

PAGE_SIZE = 20


def _mark_read(request, pk: int) -> Notification:
    # A number no row can have (beyond BIGINT) is simply not found; SQLite could not bind it.
    if pk > MAX_ID:
        raise Http404("No such notification.")
    try:
        return notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None


def _back_to_inbox(request) -> str:
    """The inbox page the form was posted from (its filter and page), else the inbox."""
    target = request.POST.get("next") or ""
    if target.startswith(reverse("notifications:list")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:list")


@require_safe
@login_required
def notification_list(request):
    """The user's notifications, newest first, 20 a page; `?show=unread` for the unread ones."""
    form = NotificationFilterForm(request.GET)
    unread_only = form.unread_only
    paginator = Paginator(
        notifications_for_user(user=request.user, unread_only=unread_only), PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    query = clean_query(request)
    context = {
        "query": query,
        "page": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "unread_only": unread_only,
    }
    return render_page(
        request, "notifications/list.html", "notifications/_list.html", context, query=query
    )


@require_POST
@login_required
def mark_read(request, pk: int):
    """Mark one notification read; htmx gets the item and the badge back, a form post the page."""
    notification = _mark_read(request, pk)
    if wants_partial(request):
        return render(
            request,
            "notifications/_item.html",
            {"notification": notification, "next": _back_to_inbox(request), "oob_badge": True},
        )
    return redirect(_back_to_inbox(request))


@require_POST
@login_required
def mark_all_read(request):
    marked = notifications_mark_all_read(user=request.user)
    if marked:
        messages.success(
            request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read."
        )
    else:
        messages.info(request, "You had no unread notifications.")
    return redirect(_back_to_inbox(request))


@require_GET
@login_required
def open_notification(request, pk: int):
    """Follow a notification's link, marking it read on the way (a plain link, so no POST)."""
    notification = _mark_read(request, pk)
    target = local_link(notification.link)
    if not target:
        if notification.link:
            messages.warning(request, "That notification's link cannot be opened from here.")
        return redirect("notifications:list")
    return redirect(target)


def _profile_phone_url() -> str:
    return reverse("accounts:profile") + "#id_profile-phone"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def preferences(request):
    """Per event, the channels it comes by: e-mail, WhatsApp (needs a phone), in-app."""
    user = request.user
    events = events_for(user)
    current = preferences_for(user)
    # WhatsApp is a default of some events, but without a phone nothing goes
    # that way: not ticked, so saving the page does not fail on it.
    unusable = set() if user.phone else {Channel.WHATSAPP}
    initial = {event.key: sorted(current[event.key] - unusable) for event in events}
    initial["sms_phone"] = preferences_sms_phone(user)
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, events=events, sms_events=sms_events(), initial=initial)
    needs_phone = False
    if request.method == "POST" and events and form.is_valid():
        channels = form.channels()
        try:
            preferences_set(user=user, channels=channels, sms_phone=form.sms_phone())
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
            needs_phone = not user.phone and any(
                Channel.WHATSAPP in chosen for chosen in channels.values()
            )
        else:
            messages.success(request, "Your notification settings were saved.")
            return redirect("notifications:preferences")
    # Form errors answer 200, like any re-shown form (see orders.views.CheckoutView).
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "needs_phone": needs_phone,
            "profile_phone_url": _profile_phone_url(),
        },
    )
