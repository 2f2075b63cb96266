"""Writes for accounts: registration, organizations, profiles."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import ORGANIZATION_ROLES, BackorderPolicy, Organization, Role, User
from .signals import organization_created


@transaction.atomic
def organization_create(
    *,
    name: str,
    kind: str,
    contact_email: str = "",
    phone: str = "",
    address: str = "",
    city: str = "",
    region: str = "",
    country: str = "",
    is_default_store: bool = False,
) -> Organization:
    """Create an organization; names are unique per kind, ignoring case."""
    name = name.strip()
    if not name:
        raise ValidationError({"organization_name": "Enter the organization's name."})
    if Organization.objects.filter(kind=kind, name__iexact=name).exists():
        raise ValidationError(
            {
                "organization_name": (
                    f"A {kind} named “{name}” is already registered. Ask its "
                    "administrator to add you instead of creating it again."
                )
            }
        )
    organization = Organization(
        name=name,
        kind=kind,
        contact_email=contact_email,
        phone=phone,
        address=address,
        city=city,
        region=region,
        country=country,
    )
    organization.full_clean(exclude=["is_default_store"])
    organization.save()
    organization_created.send(
        sender=Organization, organization_id=organization.pk, kind=organization.kind
    )
    if is_default_store:
        organization_set_default_store(organization=organization)
    return organization


@transaction.atomic
def organization_set_default_store(*, organization: Organization) -> Organization:
    """Make this distributor the one the customer portal sells from."""
    if organization.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"is_default_store": "Only a distributor can be the store."})
    Organization.objects.filter(is_default_store=True).exclude(pk=organization.pk).update(
        is_default_store=None
    )
    organization.is_default_store = True
    organization.save(update_fields=["is_default_store", "updated_at"])
    return organization


def organization_clear_default_store(*, organization: Organization) -> Organization:
    """Stop selling from this distributor in the customer portal (no store is left)."""
    organization.is_default_store = None
    organization.save(update_fields=["is_default_store", "updated_at"])
    return organization


def user_create(
    *,
    email: str,
    password: str | None,
    name: str,
    phone: str = "",
    organization: Organization | None = None,
    is_org_admin: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user after checking the e-mail is free and the password is strong."""
    email = User.objects.normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "An account with this e-mail address already exists."})
    user = User(
        email=email,
        name=name.strip(),
        phone=phone.strip(),
        organization=organization,
        is_org_admin=is_org_admin,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password is not None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password", "email", "organization"])
    user.save()
    return user


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    name: str,
    role: str,
    phone: str = "",
    organization_name: str = "",
    address: str = "",
    city: str = "",
    region: str = "",
    country: str = "",
) -> User:
    """Sign a person up: a customer, or a new organization of `role` with them as its admin.

    Raises ValidationError keyed by field; nothing is written then.
    """
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    organization = None
    if role in ORGANIZATION_ROLES:
        if not organization_name.strip():
            raise ValidationError(
                {"organization_name": "A business account needs its organization's name."}
            )
        organization = organization_create(
            name=organization_name,
            kind=role,
            contact_email=User.objects.normalize_email(email),
            phone=phone,
            address=address,
            city=city,
            region=region,
            country=country,
        )
    return user_create(
        email=email,
        password=password,
        name=name,
        phone=phone,
        organization=organization,
        is_org_admin=organization is not None,
    )


def user_update_profile(*, user: User, name: str, phone: str = "") -> User:
    """Change the details a user may edit about themselves."""
    user.name = name.strip()
    user.phone = phone.strip()
    user.full_clean(exclude=["password", "email", "organization"])
    user.save(update_fields=["name", "phone"])
    return user


ORGANIZATION_CONTACT_FIELDS = (
    "contact_email",
    "phone",
    "address",
    "city",
    "region",
    "country",
    "state",
    "gstin",
)


def organization_set_contact(*, organization: Organization, **fields) -> Organization:
    """Write an organization's contact details (staff tools: the spreadsheet import).

    Raises ValueError for a field that is not a contact field, ValidationError
    keyed by field for an invalid value.
    """
    for key, value in fields.items():
        if key not in ORGANIZATION_CONTACT_FIELDS:
            raise ValueError(f"{key} cannot be changed here")
        setattr(organization, key, (value or "").strip())
    organization.full_clean(exclude=["is_default_store"])
    # clean() fills a blank state from the GSTIN.
    organization.save(update_fields={*fields, "state"})
    return organization


def organization_update(*, organization: Organization, by: User, **fields) -> Organization:
    """Edit contact details; only the organization's admins may."""
    if not (by.is_org_admin and by.organization_id == organization.pk):
        raise PermissionError("Only an administrator of the organization may edit it.")
    return organization_set_contact(organization=organization, **fields)


def backorder_policy_set(*, buyer: User | Organization, policy: str, by: User) -> None:
    """Set what a buyer's orders do by default when stock is short (each order may differ).

    `buyer`: a customer (themselves only) or a retailer organization (its
    administrators only): PermissionDenied otherwise. ValidationError keyed
    "backorder_policy" for an unknown policy.
    """
    if policy not in BackorderPolicy.values:
        raise ValidationError(
            {"backorder_policy": f"Choose one of: {', '.join(BackorderPolicy.values)}."}
        )
    if isinstance(buyer, Organization):
        allowed = (
            buyer.kind == Organization.Kind.RETAILER
            and by.is_org_admin
            and by.organization_id == buyer.pk
        )
    else:
        allowed = buyer.pk == by.pk and buyer.organization_id is None
    if not allowed:
        raise PermissionDenied("Only the buyer (a retailer's administrators) can change this.")
    model = Organization if isinstance(buyer, Organization) else User
    model.objects.filter(pk=buyer.pk).update(backorder_policy=policy)
    buyer.backorder_policy = policy
