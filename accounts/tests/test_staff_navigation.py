"""The navigation bar for staff and manufacturers (#19 §6)."""

import pytest

from accounts import navigation
from accounts.tests.factories import CustomerFactory, ManufacturerUserFactory, UserFactory
from procurement.tests.factories import procurement_staff

pytestmark = pytest.mark.django_db


def labels(client, user, path="/reports/"):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return [entry["label"] for entry in response.context["nav_entries"]], response


def test_procurement_staff_see_reports_not_the_shop(client):
    shown, response = labels(client, procurement_staff())
    assert shown == ["Reports", "Replenishment"]
    html = response.content.decode()
    assert ">Shop<" not in html and "My orders" not in html and ">Cart" not in html
    assert response.context["show_cart"] is False
    assert 'href="/admin/">Admin' in html


def test_customers_and_staff_outside_procurement_keep_the_shop(client):
    for user in (CustomerFactory(), UserFactory(is_staff=True)):
        assert navigation.nav_for(user)[0]["label"] == "Shop"


def test_manufacturers_have_one_reports_entry(client):
    shown, _ = labels(client, ManufacturerUserFactory(), "/manufacturer/")
    assert "Sales" not in shown and shown.count("Reports") == 1
