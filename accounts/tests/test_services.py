import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import Organization, Role, User

from .factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a-Strong-passw0rd"


def test_register_customer_has_no_organization():
    user = services.user_register(
        email="  Ana@Example.TEST ", password=STRONG, name="Ana", role=Role.CUSTOMER
    )
    assert user.email == "ana@example.test"
    assert user.organization is None
    assert user.role == Role.CUSTOMER
    assert user.check_password(STRONG)
    assert not user.is_org_admin


@pytest.mark.parametrize("role", [Role.RETAILER, Role.DISTRIBUTOR, Role.MANUFACTURER])
def test_register_business_creates_its_organization(role):
    user = services.user_register(
        email="boss@firm.test",
        password=STRONG,
        name="Boss",
        role=role,
        organization_name="Firm & Co",
        city="Pune",
        region="West",
    )
    org = user.organization
    assert org.kind == role and org.name == "Firm & Co" and org.city == "Pune"
    assert org.contact_email == "boss@firm.test"
    assert user.role == role
    assert user.is_org_admin


def test_register_business_without_organization_name_writes_nothing():
    with pytest.raises(ValidationError) as exc:
        services.user_register(email="x@firm.test", password=STRONG, name="X", role=Role.RETAILER)
    assert "organization_name" in exc.value.message_dict
    assert not User.objects.exists() and not Organization.objects.exists()


def test_register_weak_password_is_a_password_error_and_rolls_back_the_organization():
    with pytest.raises(ValidationError) as exc:
        services.user_register(
            email="x@firm.test",
            password="12345",
            name="X",
            role=Role.DISTRIBUTOR,
            organization_name="Fresh Org",
        )
    assert "password" in exc.value.message_dict
    assert not Organization.objects.filter(name="Fresh Org").exists()


def test_register_duplicate_email_ignores_case():
    UserFactory(email="taken@example.test")
    with pytest.raises(ValidationError) as exc:
        services.user_register(
            email="TAKEN@example.test", password=STRONG, name="Y", role=Role.CUSTOMER
        )
    assert "email" in exc.value.message_dict


def test_register_unknown_role():
    with pytest.raises(ValidationError) as exc:
        services.user_register(email="a@b.test", password=STRONG, name="A", role="pirate")
    assert "role" in exc.value.message_dict


def test_organization_names_are_unique_per_kind_ignoring_case():
    OrganizationFactory(name="Acme", kind=Organization.Kind.RETAILER)
    with pytest.raises(ValidationError):
        services.organization_create(name="ACME", kind=Organization.Kind.RETAILER)
    # Another kind may share the name.
    services.organization_create(name="Acme", kind=Organization.Kind.DISTRIBUTOR)


def test_one_default_store_enforced_by_the_database():
    first = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR, is_default_store=True)
    second = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=second.pk).update(is_default_store=True)
    first.refresh_from_db()
    assert first.is_default_store is True


def test_default_store_must_be_a_distributor_in_the_database():
    retailer = OrganizationFactory(kind=Organization.Kind.RETAILER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=retailer.pk).update(is_default_store=True)


def test_set_default_store_moves_the_flag():
    first = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR, is_default_store=True)
    second = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR)
    services.organization_set_default_store(organization=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default_store, second.is_default_store) == (None, True)
    assert list(Organization.objects.filter(is_default_store=True)) == [second]


def test_set_default_store_refuses_a_retailer():
    with pytest.raises(ValidationError):
        services.organization_set_default_store(
            organization=OrganizationFactory(kind=Organization.Kind.RETAILER)
        )


def test_saving_false_stores_null_so_many_non_stores_coexist():
    a = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR, is_default_store=False)
    b = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR, is_default_store=False)
    assert a.is_default_store is None and b.is_default_store is None


def test_org_admin_needs_an_organization_in_the_database():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_org_admin=True)


def test_organization_update_only_by_its_admin():
    org = OrganizationFactory()
    admin = UserFactory(organization=org, is_org_admin=True)
    member = UserFactory(organization=org)
    services.organization_update(organization=org, by=admin, city="Mumbai")
    org.refresh_from_db()
    assert org.city == "Mumbai"
    with pytest.raises(PermissionError):
        services.organization_update(organization=org, by=member, city="Delhi")


def test_login_by_email_is_case_insensitive():
    UserFactory(email="case@example.test")
    assert User.objects.get_by_natural_key("CASE@Example.test").email == "case@example.test"


def test_procurement_group_exists_with_permissions():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="procurement")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_organization", "view_user"} <= codenames


def test_is_procurement_staff():
    from django.contrib.auth.models import Group

    staff = UserFactory(is_staff=True)
    assert not staff.is_procurement_staff
    staff.groups.add(Group.objects.get(name="procurement"))
    assert User.objects.get(pk=staff.pk).is_procurement_staff
    not_staff = UserFactory()
    not_staff.groups.add(Group.objects.get(name="procurement"))
    assert not User.objects.get(pk=not_staff.pk).is_procurement_staff
