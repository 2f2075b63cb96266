"""Credit terms in the admin: staff list and correct them within the same bounds."""

import pytest
from django.urls import reverse

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory, UserFactory
from invoicing.models import CreditTerms

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_and_changes_terms_within_bounds(admin):
    seller = DistributorUserFactory().organization
    buyer = RetailerUserFactory().organization
    terms = CreditTerms.objects.create(seller=seller, buyer=buyer, credit_limit=500)
    listing = admin.get(reverse("admin:invoicing_creditterms_changelist"))
    assert listing.status_code == 200 and buyer.name in listing.content.decode()
    url = reverse("admin:invoicing_creditterms_change", args=[terms.pk])
    form = {"seller": seller.pk, "buyer": buyer.pk, "payment_terms_days": 181, "active": "on"}
    refused = admin.post(url, {**form, "credit_limit": "-1"})
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert set(errors) == {"payment_terms_days", "credit_limit"}
    wrong_way = admin.post(url, {**form, "payment_terms_days": 30, "buyer": seller.pk})
    assert "buyer" in wrong_way.context["adminform"].form.errors
    saved = admin.post(url, {**form, "payment_terms_days": 60, "credit_limit": "750.50"})
    assert saved.status_code == 302
    terms.refresh_from_db()
    assert (terms.payment_terms_days, str(terms.credit_limit)) == (60, "750.50")
