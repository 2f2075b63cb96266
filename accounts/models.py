from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .gst import (
    STATE_CHOICES,
    normalize_gstin,
    state_from_text,
    state_name,
    state_of_gstin,
    validate_gstin,
)

PROCUREMENT_GROUP = "procurement"


class BackorderPolicy(models.TextChoices):
    """What a buyer wants when a distributor is short of stock for an order."""

    SHIP_COMPLETE = "ship_complete", "Ship complete: refuse an order that cannot be filled"
    BACKORDER = "backorder", "Ship what is available and backorder the rest"


class Role(models.TextChoices):
    """What a user is in the supply chain; an organization member takes its kind."""

    CUSTOMER = "customer", "Customer"
    RETAILER = "retailer", "Retailer"
    DISTRIBUTOR = "distributor", "Distributor"
    MANUFACTURER = "manufacturer", "Manufacturer"


# The roles that buy: customers for themselves, retailers for their
# organization. Distributors and manufacturers may browse the shop, not order.
BUYER_ROLES = (Role.CUSTOMER, Role.RETAILER)
MAX_ORDER_LEAD_DAYS = 60
ORGANIZATION_ROLES = (Role.RETAILER, Role.DISTRIBUTOR, Role.MANUFACTURER)


class Organization(models.Model):
    class Kind(models.TextChoices):
        MANUFACTURER = Role.MANUFACTURER.value, Role.MANUFACTURER.label
        DISTRIBUTOR = Role.DISTRIBUTOR.value, Role.DISTRIBUTOR.label
        RETAILER = Role.RETAILER.value, Role.RETAILER.label

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True, db_index=True)
    country = models.CharField(max_length=100, blank=True)
    state = models.CharField(
        max_length=2,
        choices=STATE_CHOICES,
        blank=True,
        default="",
        db_index=True,
        help_text="The GST state of the address (the place of supply for its pickups; "
        "a seller's own state decides CGST + SGST or IGST).",
    )
    gstin = models.CharField(
        "GSTIN",
        max_length=15,
        blank=True,
        validators=[validate_gstin],
        help_text="The 15-character GST identification number, e.g. 27AAPFU0939F1ZV.",
    )
    # True or NULL, never False: a plain UNIQUE then allows one default store
    # on every backend (MariaDB has no partial unique indexes).
    is_default_store = models.BooleanField(
        null=True,
        default=None,
        unique=True,
        help_text="The distributor the customer portal sells from. Only one.",
    )
    backorder_policy = models.CharField(
        max_length=20,
        choices=BackorderPolicy.choices,
        default=BackorderPolicy.SHIP_COMPLETE,
        help_text="A retailer's choice for its orders when stock is short (each order may differ).",
    )
    order_lead_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_ORDER_LEAD_DAYS)],
        help_text="A distributor's business days between an order and the earliest delivery "
        "date a buyer may ask for. Empty: the site's ORDER_DELIVERY_DAYS.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [("import_organization", "Can import organizations from a spreadsheet")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="organization_unique_kind_name"),
            models.CheckConstraint(
                condition=Q(is_default_store__isnull=True)
                | Q(is_default_store=True, kind="distributor"),
                name="organization_default_store_is_distributor",
            ),
            models.CheckConstraint(
                condition=Q(order_lead_days__isnull=True) | Q(order_lead_days__lte=60),
                name="organization_order_lead_days_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.is_default_store:
            self.is_default_store = None
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.gstin = normalize_gstin(self.gstin)
        registered = state_of_gstin(self.gstin)
        if registered and not self.state:
            self.state = registered
        elif registered and self.state != registered:
            raise ValidationError(
                {
                    "gstin": f"This GSTIN is registered in {registered} {state_name(registered)}, "
                    f"not in the address's state ({self.state} {state_name(self.state)}): "
                    "a GSTIN belongs to one state."
                }
            )

    @property
    def gst_state(self) -> str:
        """Its GST state: the address's state, else its GSTIN's, else one its address names."""
        return (
            self.state
            or state_of_gstin(self.gstin)
            or state_from_text(self.address, self.city, self.region)
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_queryset(self):
        # The role comes from the organization: load it with the user so that
        # every request knows the role without another query.
        return super().get_queryset().select_related("organization")

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address.

    A user with no organization is a customer; a member of an organization
    takes its kind as role. Procurement staff are staff users in the
    `procurement` group.
    """

    email = models.EmailField("e-mail address", unique=True)
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=32, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_org_admin = models.BooleanField(
        default=False, help_text="May edit the organization's details."
    )
    backorder_policy = models.CharField(
        max_length=20,
        choices=BackorderPolicy.choices,
        default=BackorderPolicy.SHIP_COMPLETE,
        help_text="A customer's choice for their orders when stock is short.",
    )
    is_staff = models.BooleanField(default=False, help_text="May log in to the Django admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped by every new password and every deactivation: API tokens carry
    # the version they were issued with and die when it moves (accounts.tokens).
    token_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_org_admin=False) | Q(organization__isnull=False),
                name="user_org_admin_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._was_active = user.__dict__.get("is_active")
        return user

    def save(self, *args, **kwargs):
        # The one place every password change passes (the change and reset
        # pages, the admin, `changepassword`): `_password` holds a newly set
        # password until it is saved. A hash upgrade at login clears it first,
        # so it does not count.
        deactivated = getattr(self, "_was_active", None) and not self.is_active
        revoke = self.pk is not None and (self._password is not None or deactivated)
        if revoke:
            self.token_version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "token_version"}
        super().save(*args, **kwargs)
        self._was_active = self.is_active
        if revoke:
            from .tokens import tokens_revoke

            tokens_revoke(user=self)

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    @property
    def role(self) -> str:
        return self.organization.kind if self.organization_id else Role.CUSTOMER

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.role in roles

    @property
    def buyer_backorder_policy(self) -> str:
        """The policy that applies to this buyer's orders: the organization's for a member."""
        if self.organization_id:
            return self.organization.backorder_policy
        return self.backorder_policy

    @cached_property
    def is_procurement_staff(self) -> bool:
        if not (self.is_active and self.is_staff):
            return False
        return self.is_superuser or self.groups.filter(name=PROCUREMENT_GROUP).exists()


class SupplyAgreementQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(status=SupplyAgreement.Status.ACCEPTED)

    def between(self, *, manufacturer_id: int, distributor_id: int):
        return self.filter(manufacturer_id=manufacturer_id, distributor_id=distributor_id)


class SupplyAgreement(models.Model):
    """A manufacturer supplies a distributor, once the distributor has accepted.

    Without an accepted agreement a manufacturer cannot put stock into the
    distributor's inventory, and cannot name the distributor as a product's
    supplier. One row per pair: requesting again after an end reopens it.
    Changed only through accounts.services (agreement_request/accept/end).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACCEPTED = "accepted", "Accepted"
        ENDED = "ended", "Ended"

    manufacturer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements_as_manufacturer"
    )
    distributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements_as_distributor"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(max_length=500, blank=True, help_text="The manufacturer's request.")
    requested_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplyAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "distributor"], name="supplyagreement_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False),
                name="supplyagreement_accepted_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["distributor", "status"], name="agreement_distributor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} → {self.distributor} ({self.get_status_display()})"

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED
