"""Supplier lines: the data migration's rule, the admin, and the API for two actors."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import ManufacturerUserFactory, UserFactory, supplies
from catalog.models import SupplierLine
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory
from procurement.tests.factories import procurement_staff

pytestmark = pytest.mark.django_db

STAFF = "/api/admin/procurement/supplier-lines"
MAKER = "/api/manufacturer/supplier-lines"


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def lines(n, manufacturer=None):
    made = []
    for i in range(n):
        product = ProductFactory(**({"manufacturer": manufacturer} if manufacturer else {}))
        made.append(
            SupplierLine.objects.create(
                product=product, supplier=product.manufacturer, unit_cost=Decimal(i + 1)
            )
        )
    return made


def test_staff_list_every_line_in_a_constant_number_of_queries(django_assert_max_num_queries):
    client = as_user(procurement_staff())
    lines(3)
    with django_assert_max_num_queries(12) as few:
        first = client.get(STAFF)
    assert first.status_code == 200 and first.json()["count"] == 3
    lines(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(STAFF).json()["count"] == 23


def test_a_manufacturer_sees_and_changes_only_its_own_lines(django_assert_max_num_queries):
    maker = ManufacturerUserFactory()
    mine = lines(2, manufacturer=maker.organization)
    theirs = lines(1)
    client = as_user(maker)
    with django_assert_max_num_queries(10):
        body = client.get(MAKER).json()
    assert {row["id"] for row in body["results"]} == {line.pk for line in mine}
    assert client.get(f"{MAKER}/{theirs[0].pk}").status_code == 404
    changed = client.patch(
        f"{MAKER}/{mine[0].pk}", {"unit_cost": "41.50", "priority": 2}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    mine[0].refresh_from_db()
    assert (mine[0].unit_cost, mine[0].priority) == (Decimal("41.50"), 2)
    # Bounds: no pack of a billion, no negative cost.
    too_big = client.patch(
        f"{MAKER}/{mine[0].pk}", {"pack_size": 10**9, "unit_cost": "-1"}, format="json"
    )
    assert too_big.status_code == 400 and {"pack_size", "unit_cost"} <= set(
        too_big.json()["errors"]
    )


def test_a_distributor_without_an_agreement_cannot_be_added():
    maker = ManufacturerUserFactory()
    product = ProductFactory(manufacturer=maker.organization)
    wholesaler = DistributorFactory()
    client = as_user(maker)
    payload = {"product": product.pk, "supplier": wholesaler.pk, "unit_cost": "10.00"}
    refused = client.post(MAKER, payload, format="json")
    assert refused.status_code == 400 and "supplier" in refused.json()["errors"]
    supplies(maker.organization, wholesaler)
    made = client.post(MAKER, payload, format="json")
    assert made.status_code == 201, made.json()
    assert client.post(MAKER, payload, format="json").status_code == 400  # one per supplier
    other = ProductFactory()
    assert client.post(MAKER, {**payload, "product": other.pk}, format="json").status_code == 400


def test_only_procurement_staff_and_manufacturers_reach_the_lines():
    assert as_user(UserFactory()).get(STAFF).status_code == 403
    assert as_user(UserFactory()).get(MAKER).status_code == 403
    assert as_user(ManufacturerUserFactory()).get(STAFF).status_code == 403


def test_admin_changelist_query_count(django_assert_max_num_queries):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    lines(3)
    with django_assert_max_num_queries(40) as few:
        assert client.get("/admin/catalog/supplierline/").status_code == 200
    lines(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/admin/catalog/supplierline/")
    assert page.status_code == 200
