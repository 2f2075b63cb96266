import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from notifications.events import EVENTS
from notifications.models import Channel, Notification, NotificationPreference, OutboundMessage
from notifications.order_notices import order_status_update_queue
from notifications.services import preferences_for
from notifications.tests.factories import NotificationFactory
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")
READ_ALL = reverse("notifications:read_all")
BADGE = re.compile(r'<span class="badge rounded-pill text-bg-danger ms-1">([^<]*)<')


def read_url(notification):
    return reverse("notifications:read", args=[notification.pk])


def open_url(notification):
    return reverse("notifications:open", args=[notification.pk])


@pytest.fixture
def customer():
    return CustomerFactory()


@pytest.fixture
def reader(client, customer):
    client.force_login(customer)
    return client


def item_html(html: str, notification) -> str:
    match = re.search(rf'<li id="notification-{notification.pk}".*?</li>', html, re.S)
    assert match, f"notification {notification.pk} is not on the page"
    return match.group(0)


# --- Access -------------------------------------------------------------------


def test_every_page_needs_a_login(client):
    notification = NotificationFactory()
    login = reverse("accounts:login")
    for response in (
        client.get(LIST),
        client.get(PREFERENCES),
        client.get(open_url(notification)),
        client.post(read_url(notification)),
        client.post(READ_ALL),
    ):
        assert response.status_code == 302
        assert response.url.startswith(login)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_another_users_notification_is_404_and_stays_unread(reader):
    theirs = NotificationFactory()
    assert reader.post(read_url(theirs)).status_code == 404
    assert reader.get(open_url(theirs)).status_code == 404
    assert reader.post(reverse("notifications:read", args=[2**63])).status_code == 404
    assert reader.get(reverse("notifications:open", args=[10**30])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_takes_a_post(reader, customer):
    notification = NotificationFactory(user=customer)
    assert reader.get(read_url(notification)).status_code == 405
    assert reader.get(READ_ALL).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


# --- The list -----------------------------------------------------------------


def test_list_shows_only_own_notifications_newest_first(reader, customer):
    now = timezone.now()
    older = NotificationFactory(user=customer, title="Older news")
    newer = NotificationFactory(user=customer, title="Newer news")
    Notification.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=2))
    Notification.objects.filter(pk=newer.pk).update(created_at=now - timedelta(minutes=5))
    NotificationFactory(title="Somebody else's news")

    html = reader.get(LIST).content.decode()

    assert html.index("Newer news") < html.index("Older news")
    assert "Somebody else" not in html
    assert "5\xa0minutes ago" in html and "2\xa0days ago" in html


def test_unread_items_are_bold_with_a_dot_and_a_button(reader, customer):
    unread = NotificationFactory(user=customer)
    read = NotificationFactory(user=customer, read=True)

    html = reader.get(LIST).content.decode()

    unread_html, read_html = item_html(html, unread), item_html(html, read)
    assert "fw-bold" in unread_html and "notification-dot" in unread_html
    assert "Unread:" in unread_html  # the dot, for screen readers
    assert f'action="{read_url(unread)}"' in unread_html
    assert "fw-bold" not in read_html and "notification-dot" not in read_html
    assert "Mark as read" not in read_html
    assert f'href="{open_url(read)}"' in read_html


def test_an_item_without_a_link_is_plain_text(reader, customer):
    notification = NotificationFactory(user=customer, link="")
    html = item_html(reader.get(LIST).content.decode(), notification)
    assert open_url(notification) not in html
    assert notification.title in html


def test_unread_filter(reader, customer):
    unread = NotificationFactory(user=customer, title="Still unread")
    NotificationFactory(user=customer, title="Already read", read=True)

    html = reader.get(LIST, {"show": "unread"}).content.decode()
    assert unread.title in html and "Already read" not in html

    # An unknown filter value shows everything rather than failing.
    html = reader.get(LIST, {"show": "bogus"}).content.decode()
    assert unread.title in html and "Already read" in html


def test_empty_states(reader, customer):
    assert "No notifications yet." in reader.get(LIST).content.decode()
    NotificationFactory(user=customer, read=True)
    html = reader.get(LIST, {"show": "unread"}).content.decode()
    assert "You have no unread notifications." in html
    assert "Mark all as read" not in html


def test_list_has_20_a_page(reader, customer):
    NotificationFactory.create_batch(23, user=customer)
    first = reader.get(LIST)
    assert len(first.context["page"].object_list) == 20
    assert "?page=2" in first.content.decode()
    assert len(reader.get(LIST, {"page": 2}).context["page"].object_list) == 3


def test_htmx_filter_gets_only_the_list(reader, customer):
    NotificationFactory(user=customer)
    response = reader.get(LIST, {"show": "unread"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="notification-list">')
    assert '<nav class="navbar' not in html


# --- Marking read ---------------------------------------------------------------


def test_mark_read_goes_back_to_the_page_it_came_from(reader, customer):
    notification = NotificationFactory(user=customer)
    back = f"{LIST}?show=unread&page=1"

    response = reader.post(read_url(notification), {"next": back})

    assert response.status_code == 302 and response.url == back
    notification.refresh_from_db()
    assert notification.read_at is not None
    # Marking it again is harmless.
    assert reader.post(read_url(notification)).url == LIST


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/admin/"])
def test_mark_read_only_goes_back_to_the_inbox(reader, customer, next_url):
    notification = NotificationFactory(user=customer)
    assert reader.post(read_url(notification), {"next": next_url}).url == LIST


def test_mark_read_with_htmx_swaps_the_item_and_the_badge(reader, customer):
    notification, _still_unread = NotificationFactory.create_batch(2, user=customer)

    response = reader.post(read_url(notification), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    item = item_html(html, notification)
    assert "Mark as read" not in item and "fw-bold" not in item
    # The navbar's badges (desktop and mobile) now say 1.
    assert 'hx-swap-oob="innerHTML:.notification-badge"' in html
    assert BADGE.findall(html) == ["1"]


def test_mark_all_read_marks_only_mine(reader, customer):
    mine = NotificationFactory.create_batch(3, user=customer)
    already = NotificationFactory(user=customer, read=True)
    read_before = Notification.objects.get(pk=already.pk).read_at
    theirs = NotificationFactory()

    response = reader.post(READ_ALL, {"next": f"{LIST}?show=unread"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{LIST}?show=unread"
    assert "Marked 3 notifications as read." in response.content.decode()
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).exists()
    assert Notification.objects.get(pk=already.pk).read_at == read_before
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# --- Opening ---------------------------------------------------------------------


def test_open_marks_read_and_follows_the_link(reader, customer):
    notification = NotificationFactory(user=customer, link="/customer-portal/orders/AM-1/")

    response = reader.get(open_url(notification))

    assert response.status_code == 302
    assert response.url == "/customer-portal/orders/AM-1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/orders/",
        "//evil.example/orders/",
        "/\\evil.example/orders/",
        "javascript:alert(1)",
        "orders/AM-1/",
        "",
    ],
)
def test_open_never_leaves_the_site(reader, customer, link):
    notification = NotificationFactory(user=customer, link=link)

    response = reader.get(open_url(notification))

    assert response.status_code == 302 and response.url == LIST
    notification.refresh_from_db()
    assert notification.read_at is not None


# --- The badge -------------------------------------------------------------------


def test_badge_shows_the_unread_count(reader, customer):
    NotificationFactory.create_batch(3, user=customer)
    NotificationFactory(user=customer, read=True)
    NotificationFactory()  # someone else's

    html = reader.get(reverse("accounts:profile")).content.decode()

    # One badge in the collapsed (mobile) bar, one in the full menu.
    assert BADGE.findall(html) == ["3", "3"]
    assert '3<span class="visually-hidden"> unread</span>' in html
    assert f'href="{LIST}"' in html
    assert f'href="{PREFERENCES}"' in html  # the user menu's settings item


def test_badge_caps_at_99(reader, customer):
    Notification.objects.bulk_create(
        Notification(user=customer, event="order_status", title=f"n{i}") for i in range(100)
    )
    html = reader.get(reverse("accounts:profile")).content.decode()
    assert BADGE.findall(html) == ["99+", "99+"]


def test_no_badge_at_zero(reader, customer):
    NotificationFactory(user=customer, read=True)
    html = reader.get(reverse("accounts:profile")).content.decode()
    assert BADGE.findall(html) == []
    assert f'href="{LIST}"' in html  # the bell is still there


def test_visitors_have_no_bell(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "notification-badge" not in html
    assert f'href="{LIST}"' not in html


# --- Query counts ------------------------------------------------------------------


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return ctx.captured_queries


@pytest.mark.parametrize("params", [{}, {"show": "unread"}])
def test_list_queries_do_not_grow_with_notifications(reader, customer, params):
    def count(n):
        NotificationFactory.create_batch(n - customer.notifications.count(), user=customer)
        return len(_queries(reader, LIST, **params))

    assert count(3) == count(30)


def test_badge_costs_one_query(reader, customer, settings):
    NotificationFactory.create_batch(5, user=customer)
    page = reverse("accounts:profile")
    with_badge = _queries(reader, page)

    options = settings.TEMPLATES[0]["OPTIONS"]
    processors = [p for p in options["context_processors"] if not p.endswith(".unread")]
    assert len(processors) == len(options["context_processors"]) - 1
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**options, "context_processors": processors}}
    ]
    without_badge = _queries(reader, page)

    assert len(with_badge) == len(without_badge) + 1
    badge_queries = [q for q in with_badge if "notifications_notification" in q["sql"]]
    assert len(badge_queries) == 1 and "COUNT(" in badge_queries[0]["sql"].upper()


# --- Preferences -----------------------------------------------------------------


def test_preferences_show_my_events_with_their_current_channels(reader, customer):
    response = reader.get(PREFERENCES)

    html = response.content.decode()
    assert "Order confirmation" in html and "Order status updates" in html
    form = response.context["form"]
    assert set(form["order_status"].value()) == {Channel.EMAIL, Channel.IN_APP}
    assert re.search(r'<input[^>]*name="order_status"[^>]*value="email"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="order_status"[^>]*value="whatsapp"[^>]*checked', html)
    # No phone yet: the WhatsApp column says where to add one.
    assert reverse("accounts:profile") + "#id_profile-phone" in html


def test_saving_preferences_changes_what_user_notify_sends(reader, customer):
    response = reader.post(
        PREFERENCES,
        {"order_placed": ["email", "in_app"], "order_status": ["in_app"]},
        follow=True,
    )

    assert response.redirect_chain == [(PREFERENCES, 302)]
    assert "Your notification settings were saved." in response.content.decode()
    assert preferences_for(customer)["order_status"] == {Channel.IN_APP}
    order = place_order(customer=customer)
    customer.refresh_from_db()  # drop the cached preference row
    assert order_status_update_queue(order_id=order.pk, to_status="accepted") == [Channel.IN_APP]
    assert not OutboundMessage.objects.filter(
        dedup_key__startswith=f"order_status:{order.pk}:"
    ).exists()
    assert Notification.objects.filter(user=customer, event="order_status").count() == 1


def test_unticking_every_box_turns_an_event_off(reader, customer):
    reader.post(PREFERENCES, {"order_placed": ["email"]})
    assert preferences_for(customer)["order_status"] == set()
    assert preferences_for(customer)["order_placed"] == {Channel.EMAIL}


def test_whatsapp_without_a_phone_is_a_form_error_pointing_to_the_profile(reader, customer):
    response = reader.post(PREFERENCES, {"order_status": ["whatsapp", "in_app"]})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["order_status"] == [
        "Add a phone number to your profile to get WhatsApp messages."
    ]
    html = response.content.decode()
    assert "Add a phone number on your profile" in html
    assert reverse("accounts:profile") + "#id_profile-phone" in html
    # Nothing was saved, and the form keeps what the user ticked.
    assert preferences_for(customer)["order_status"] == {Channel.EMAIL, Channel.IN_APP}
    assert re.search(r'<input[^>]*name="order_status"[^>]*value="whatsapp"[^>]*checked', html)


def test_whatsapp_with_a_phone_saves(reader, customer):
    customer.phone = "+91 98765 43210"
    customer.save(update_fields=["phone"])
    reader.post(PREFERENCES, {"order_status": ["whatsapp"], "order_placed": ["email"]})
    assert preferences_for(customer)["order_status"] == {Channel.WHATSAPP}


def test_an_unknown_channel_is_a_form_error(reader, customer):
    response = reader.post(PREFERENCES, {"order_status": ["pigeon"]})
    assert response.status_code == 200
    assert "order_status" in response.context["form"].errors
    assert preferences_for(customer)["order_status"] == {Channel.EMAIL, Channel.IN_APP}


def test_a_user_without_events_has_nothing_to_set(client, monkeypatch):
    # Every role has events of its own by now; a user whose role has none is simulated.
    distributor = DistributorUserFactory()
    monkeypatch.setattr(
        "notifications.events.EVENTS",
        {k: e for k, e in EVENTS.items() if not e.visible_to(distributor)},
    )
    client.force_login(distributor)

    html = client.get(PREFERENCES).content.decode()
    assert "There is nothing to set yet" in html
    assert "<table" not in html

    assert client.post(PREFERENCES, {"order_status": ["email"]}).status_code == 200
    assert not NotificationPreference.objects.filter(user=distributor).exists()


def test_profile_links_to_the_settings(reader):
    html = reader.get(reverse("accounts:profile")).content.decode()
    assert html.count(f'href="{PREFERENCES}"') == 2  # the user menu and the profile page
