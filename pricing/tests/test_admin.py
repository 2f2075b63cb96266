"""The staff admin for price lists, buyer groups, lines and HSN rates answers."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.models import HsnRate
from catalog.tests.factories import ProductFactory
from pricing.models import PriceList

from .factories import BuyerGroupFactory, price_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_pages_answer(admin_client):
    plist = price_list(name="Trade", assign="everyone", lines=[(ProductFactory(), 10, "5%")])
    BuyerGroupFactory()
    HsnRate.objects.create(hsn_code="9404", rate=18, effective_from="2025-09-22")
    for name in ("pricelist", "pricelistitem", "buyergroup"):
        assert admin_client.get(reverse(f"admin:pricing_{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:pricing_{name}_add")).status_code == 200
    assert (
        admin_client.get(reverse("admin:pricing_pricelist_change", args=[plist.pk])).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:catalog_hsnrate_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:pricing_pricelistitem_export")).status_code == 200


def test_a_list_based_on_a_based_list_is_refused_in_the_admin(admin_client):
    root = price_list(name="Root")
    middle = price_list(name="Middle", base=root)
    response = admin_client.post(
        reverse("admin:pricing_pricelist_add"),
        {
            "name": "Leaf",
            "currency": "INR",
            "base": middle.pk,
            "is_active": "on",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "is itself based on another list" in response.content.decode()
    assert not PriceList.objects.filter(name="Leaf").exists()
