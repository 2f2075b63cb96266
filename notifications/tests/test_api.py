from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications-api:list")
READ_ALL = reverse("notifications-api:read-all")


def read_url(pk):
    return reverse("notifications-api:read", args=[pk])


@pytest.fixture
def customer():
    return CustomerFactory()


@pytest.fixture
def api(api_client, customer):
    api_client.force_authenticate(customer)
    return api_client


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    return body


def test_anonymous_callers_get_401(api_client):
    notification = NotificationFactory()
    assert_error(api_client.get(LIST), 401, "not_authenticated")
    assert_error(api_client.post(read_url(notification.pk)), 401, "not_authenticated")
    assert_error(api_client.post(READ_ALL), 401, "not_authenticated")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_list_returns_my_notifications_newest_first(api, customer, settings):
    settings.SITE_URL = "https://shop.example"
    older = NotificationFactory(user=customer, link="/customer-portal/orders/AM-1/")
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))
    newer = NotificationFactory(user=customer, link="", read=True)
    NotificationFactory()  # someone else's

    response = api.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    assert [first["id"], second["id"]] == [newer.pk, older.pk]
    assert set(first) == {
        "id",
        "event",
        "title",
        "message",
        "link",
        "created_at",
        "read_at",
        "is_read",
    }
    assert first["link"] is None and first["is_read"] is True and first["read_at"]
    assert second["link"] == "https://shop.example/customer-portal/orders/AM-1/"
    assert second["is_read"] is False and second["read_at"] is None
    assert second["title"] == older.title and second["event"] == "order_status"


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example/x", "javascript:x"])
def test_a_link_off_the_site_is_null(api, customer, link):
    NotificationFactory(user=customer, link=link)
    assert api.get(LIST).json()["results"][0]["link"] is None


def test_unread_filter(api, customer):
    unread = NotificationFactory(user=customer)
    read = NotificationFactory(user=customer, read=True)

    def ids(**params):
        return [n["id"] for n in api.get(LIST, params).json()["results"]]

    assert ids(unread="true") == [unread.pk]
    assert ids(unread="false") == [read.pk]
    assert sorted(ids()) == sorted([unread.pk, read.pk])


def test_a_bad_filter_is_400_naming_the_field(api):
    body = assert_error(api.get(LIST, {"unread": "maybe"}), 400, "invalid")
    assert list(body["errors"]) == ["unread"]


def test_read_marks_it_and_is_idempotent(api, customer):
    notification = NotificationFactory(user=customer)

    first = api.post(read_url(notification.pk))

    assert first.status_code == 200
    assert first.json()["id"] == notification.pk and first.json()["is_read"] is True
    read_at = Notification.objects.get(pk=notification.pk).read_at
    assert read_at is not None
    again = api.post(read_url(notification.pk))
    assert again.status_code == 200 and again.json() == first.json()
    assert Notification.objects.get(pk=notification.pk).read_at == read_at


@pytest.mark.parametrize("whose", ["someone else", "nobody", "beyond bigint"])
def test_read_of_anything_not_mine_is_404(api, whose):
    theirs = NotificationFactory()
    pk = {"someone else": theirs.pk, "nobody": theirs.pk + 1000, "beyond bigint": 2**63}[whose]
    assert_error(api.post(read_url(pk)), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_marks_only_mine_and_says_how_many(api, customer):
    NotificationFactory.create_batch(3, user=customer)
    NotificationFactory(user=customer, read=True)
    theirs = NotificationFactory()

    response = api.post(READ_ALL)

    assert response.status_code == 200 and response.json() == {"marked": 3}
    assert not Notification.objects.filter(user=customer, read_at=None).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api.post(READ_ALL).json() == {"marked": 0}


def test_works_with_a_jwt(api_client, customer):
    NotificationFactory(user=customer)
    tokens = api_client.post(
        reverse("auth-login"), {"email": customer.email, "password": DEFAULT_PASSWORD}
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get(LIST).json()["count"] == 1
    assert api_client.post(READ_ALL).json() == {"marked": 1}


def test_list_queries_do_not_grow_with_notifications(api, customer):
    def count(n, **params):
        NotificationFactory.create_batch(n - customer.notifications.count(), user=customer)
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(LIST, params)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)
