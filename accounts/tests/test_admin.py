import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization

from .factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", ["user", "organization"])
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    url = reverse(f"admin:accounts_{model}_changelist")
    for _ in range(3):
        UserFactory(organization=OrganizationFactory())
    few = count_queries(admin_client, url)
    for _ in range(30):
        UserFactory(organization=OrganizationFactory())
    assert count_queries(admin_client, url) == few


def test_changelist_search_and_filters(admin_client):
    OrganizationFactory(name="Findme Traders", kind=Organization.Kind.DISTRIBUTOR)
    OrganizationFactory(name="Other Retail")
    url = reverse("admin:accounts_organization_changelist")
    response = admin_client.get(url, {"q": "findme"})
    assert [o.name for o in response.context["cl"].result_list] == ["Findme Traders"]
    response = admin_client.get(url, {"kind__exact": "distributor"})
    assert [o.name for o in response.context["cl"].result_list] == ["Findme Traders"]
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "nobody-xyz"})
    assert list(response.context["cl"].result_list) == []


def org_form_data(org, **overrides):
    data = {
        "name": org.name,
        "kind": org.kind,
        "contact_email": "",
        "phone": "",
        "address": "",
        "city": "",
        "region": "",
        "country": "",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_default_store_checkbox_moves_the_store(admin_client):
    store = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR, is_default_store=True)
    other = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR)
    url = reverse("admin:accounts_organization_change", args=[other.pk])
    assert admin_client.get(url).context["adminform"].form["make_default_store"].initial is False
    response = admin_client.post(url, org_form_data(other, make_default_store="on"), follow=True)
    assert "is now the default store" in response.content.decode()
    store.refresh_from_db()
    other.refresh_from_db()
    assert (store.is_default_store, other.is_default_store) == (None, True)

    # Saving the store's other fields keeps the flag; unticking clears it.
    admin_client.post(url, org_form_data(other, city="Surat", make_default_store="on"))
    other.refresh_from_db()
    assert (other.city, other.is_default_store) == ("Surat", True)
    admin_client.post(url, org_form_data(other))
    assert not Organization.objects.filter(is_default_store=True).exists()


def test_admin_refuses_a_retailer_as_default_store(admin_client):
    retailer = OrganizationFactory(kind=Organization.Kind.RETAILER)
    url = reverse("admin:accounts_organization_change", args=[retailer.pk])
    response = admin_client.post(url, org_form_data(retailer, make_default_store="on"))
    assert response.status_code == 200
    assert "Only a distributor" in str(response.context["adminform"].form.errors)
    retailer.refresh_from_db()
    assert retailer.is_default_store is None


def test_admin_add_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Staff@Example.test",
            "name": "New Staff",
            "usable_password": "true",
            "password1": "a-Strong-passw0rd",
            "password2": "a-Strong-passw0rd",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    from accounts.models import User

    assert User.objects.get(email="new.staff@example.test").check_password("a-Strong-passw0rd")
