import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import Organization, Role, User

from .factories import (
    DEFAULT_PASSWORD,
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STRONG = "a-Strong-passw0rd"
DASHBOARDS = {
    Role.CUSTOMER: "/customer-portal/",
    Role.RETAILER: "/retailer/",
    Role.DISTRIBUTOR: "/distributor/",
    Role.MANUFACTURER: "/manufacturer/",
}
FACTORIES = {
    Role.CUSTOMER: CustomerFactory,
    Role.RETAILER: RetailerUserFactory,
    Role.DISTRIBUTOR: DistributorUserFactory,
    Role.MANUFACTURER: ManufacturerUserFactory,
}


def test_customer_signup_logs_in_and_lands_on_the_portal(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "name": "Ana Buyer",
            "email": "ana@example.test",
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/customer-portal/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Customer portal" in page.content
    assert page.context["user"].email == "ana@example.test"


@pytest.mark.parametrize("role", [Role.RETAILER, Role.DISTRIBUTOR, Role.MANUFACTURER])
def test_business_signup_creates_organization_and_lands_on_its_dashboard(client, role):
    response = client.post(
        reverse("accounts:signup_business"),
        {
            "role": role,
            "organization_name": f"{role} House",
            "name": "Owner",
            "email": f"owner@{role}.test",
            "city": "Chennai",
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == DASHBOARDS[role]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"{role} House".encode() in page.content
    user = User.objects.get(email=f"owner@{role}.test")
    assert user.organization.kind == role and user.is_org_admin


def test_signup_errors_are_shown_on_the_form(client):
    UserFactory(email="taken@example.test")
    response = client.post(
        reverse("accounts:signup"),
        {"name": "X", "email": "taken@example.test", "password1": "abc", "password2": "abd"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "password2" in errors
    response = client.post(
        reverse("accounts:signup"),
        {"name": "X", "email": "taken@example.test", "password1": STRONG, "password2": STRONG},
    )
    assert "email" in response.context["form"].errors
    response = client.post(
        reverse("accounts:signup"),
        {"name": "X", "email": "fresh@example.test", "password1": "12345", "password2": "12345"},
    )
    assert "password1" in response.context["form"].errors
    assert User.objects.count() == 1


def test_business_signup_duplicate_organization_is_a_field_error(client):
    Organization.objects.create(name="Dup Ltd", kind=Organization.Kind.RETAILER)
    response = client.post(
        reverse("accounts:signup_business"),
        {
            "role": "retailer",
            "organization_name": "dup ltd",
            "name": "X",
            "email": "x@dup.test",
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert "organization_name" in response.context["form"].errors
    assert not User.objects.filter(email="x@dup.test").exists()


@pytest.mark.parametrize("role", list(DASHBOARDS))
def test_login_sends_each_role_to_its_dashboard(client, role):
    user = FACTORIES[role](email=f"{role}@example.test")
    response = client.post(
        reverse("accounts:login"), {"username": user.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == DASHBOARDS[role]
    assert client.get(DASHBOARDS[role]).status_code == 200
    # The landing page sends a logged-in user on too.
    assert client.get("/")["Location"] == DASHBOARDS[role]


def test_staff_without_organization_lands_in_admin(client):
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="procurement"))
    response = client.post(
        reverse("accounts:login"), {"username": staff.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == "/admin/"


def test_login_honours_a_safe_next(client):
    user = RetailerUserFactory()
    response = client.post(
        reverse("accounts:login") + "?next=/accounts/profile/",
        {"username": user.email, "password": DEFAULT_PASSWORD, "next": "/accounts/profile/"},
    )
    assert response["Location"] == "/accounts/profile/"
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": DEFAULT_PASSWORD, "next": "https://evil.test/"},
    )
    assert response["Location"] == "/retailer/"


def test_wrong_password_shows_a_form_error(client):
    user = UserFactory()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "x"})
    assert response.status_code == 200
    assert b"do not match" in response.content


def test_login_page_locks_out_after_five_failures(client):
    user = UserFactory()
    for _ in range(4):
        assert (
            client.post(
                reverse("accounts:login"), {"username": user.email, "password": "x"}
            ).status_code
            == 200
        )
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "x"})
    assert response.status_code == 429
    assert b"Too many failed" in response.content
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# The customer portal's home is the shop, open to visitors and every role;
# its own pages (orders, checkout) are what need a login.
LOGIN_ONLY = [path for role, path in DASHBOARDS.items() if role != Role.CUSTOMER]


@pytest.mark.parametrize(
    "path",
    [
        *LOGIN_ONLY,
        "/customer-portal/orders/",
        "/customer-portal/checkout/",
        "/accounts/profile/",
        "/accounts/password/change/",
    ],
)
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("role", list(DASHBOARDS))
def test_other_roles_dashboards_are_forbidden(client, role):
    client.force_login(FACTORIES[role]())
    for other, path in DASHBOARDS.items():
        # Every role may browse the shop (/customer-portal/); buying is what is refused.
        if other not in (role, Role.CUSTOMER):
            response = client.get(path)
            assert response.status_code == 403
            assert b"Not allowed" in response.content


def test_navigation_shows_only_the_users_role(client):
    client.force_login(DistributorUserFactory())
    content = client.get("/distributor/").content.decode()
    assert 'href="/distributor/"' in content
    assert 'href="/retailer/"' not in content and 'href="/manufacturer/"' not in content


def test_logout_is_a_post(client):
    client.force_login(CustomerFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/customer-portal/orders/").status_code == 302


def test_password_reset_by_email(client, settings):
    settings.SITE_URL = "https://shop.example.test"
    user = UserFactory(email="forgot@example.test")
    response = client.post(reverse("accounts:password_reset"), {"email": "FORGOT@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["forgot@example.test"]
    assert message.subject == "Reset your AuroMart password"
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    link = re.search(r"https://shop\.example\.test(/accounts/password/reset/\S+/)", message.body)
    assert link, message.body
    response = client.get(link.group(1), follow=True)
    assert response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Brand-new-passw0rd", "new_password2": "Brand-new-passw0rd"},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("Brand-new-passw0rd")


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change(client):
    user = CustomerFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Another-passw0rd",
            "new_password2": "Another-passw0rd",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password("Another-passw0rd")


def test_profile_update_and_org_edit_by_its_admin(client):
    admin = RetailerUserFactory(name="Old")
    member = UserFactory(organization=admin.organization, name="Member")
    client.force_login(admin)
    page = client.get(reverse("accounts:profile"))
    assert page.context["org_form"] is not None
    assert b"Member" in page.content
    response = client.post(
        reverse("accounts:profile"),
        {
            "profile-name": "New Name",
            "profile-phone": "+91 1",
            "org-contact_email": "sales@shop.test",
            "org-phone": "",
            "org-address": "1 Main St",
            "org-city": "Goa",
            "org-region": "West",
            "org-country": "India",
        },
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    admin.organization.refresh_from_db()
    assert admin.name == "New Name" and admin.organization.city == "Goa"

    client.force_login(member)
    assert client.get(reverse("accounts:profile")).context["org_form"] is None
    client.post(
        reverse("accounts:profile"),
        {"profile-name": "Member 2", "profile-phone": "", "org-city": "Hacked"},
    )
    admin.organization.refresh_from_db()
    assert admin.organization.city == "Goa"


def test_profile_invalid_input_is_a_form_error(client):
    client.force_login(CustomerFactory())
    response = client.post(reverse("accounts:profile"), {"profile-name": "", "profile-phone": ""})
    assert response.status_code == 400
    assert "name" in response.context["profile_form"].errors


def test_landing_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Register a business" in response.content


def test_friendly_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_a_customer_and_a_retailer_admin_choose_their_backorder_default(client):
    from accounts.tests.factories import CustomerFactory, RetailerUserFactory

    customer = CustomerFactory()
    client.force_login(customer)
    page = client.get("/accounts/profile/").content.decode()
    assert "backorder the rest" in page
    response = client.post(
        "/accounts/profile/",
        {
            "profile-name": "Asha",
            "profile-phone": "",
            "profile-backorder_policy": "backorder",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.backorder_policy == "backorder"

    admin = RetailerUserFactory()
    client.force_login(admin)
    org = admin.organization
    response = client.post(
        "/accounts/profile/",
        {
            "profile-name": "Rohan",
            "profile-phone": "",
            "org-contact_email": "shop@example.test",
            "org-phone": "",
            "org-address": "",
            "org-city": "Pune",
            "org-region": "West",
            "org-country": "India",
            "org-backorder_policy": "backorder",
        },
    )
    assert response.status_code == 302, response.content
    org.refresh_from_db()
    admin.refresh_from_db()
    assert org.backorder_policy == "backorder"
    assert admin.buyer_backorder_policy == "backorder"
    assert admin.backorder_policy == "ship_complete"  # a member's own setting is not used
    bad = client.post(
        "/accounts/profile/",
        {
            "profile-name": "Rohan",
            "org-contact_email": "x@example.test",
            "org-backorder_policy": "x",
        },
    )
    assert bad.status_code == 400


def test_only_the_buyer_sets_the_backorder_default():
    import pytest as _pytest
    from django.core.exceptions import PermissionDenied

    from accounts.services import backorder_policy_set
    from accounts.tests.factories import CustomerFactory, RetailerUserFactory, UserFactory

    customer, other = CustomerFactory(), CustomerFactory()
    with _pytest.raises(PermissionDenied):
        backorder_policy_set(buyer=customer, policy="backorder", by=other)
    retailer = RetailerUserFactory()
    member = UserFactory(organization=retailer.organization, is_org_admin=False)
    with _pytest.raises(PermissionDenied):
        backorder_policy_set(buyer=retailer.organization, policy="backorder", by=member)
    backorder_policy_set(buyer=retailer.organization, policy="backorder", by=retailer)
    retailer.organization.refresh_from_db()
    assert retailer.organization.backorder_policy == "backorder"
