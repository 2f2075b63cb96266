"""Supply agreements between manufacturers and distributors: the writes and the reads.

A manufacturer supplies a distributor only once the distributor has accepted:
until then the manufacturer can neither put stock into the distributor's
inventory (inventory.services.stock_assign_by_manufacturer answers
PermissionDenied) nor name it as a product's supplier (Product.clean).
The manufacturer requests; the distributor accepts; either side may end it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from .models import Organization, SupplyAgreement, User

NOTE_MAX_LENGTH = SupplyAgreement._meta.get_field("note").max_length


class AgreementConflict(Exception):
    """The agreement is not in a state that allows the move (HTTP 409)."""

    def __init__(self, agreement: SupplyAgreement, message: str):
        super().__init__(message)
        self.agreement = agreement
        self.message = message


# --- Reads ---------------------------------------------------------------------


# Inside agreements_read_once(): every accepted (manufacturer, distributor) pair.
_accepted_pairs: ContextVar[frozenset[tuple[int, int]] | None] = ContextVar(
    "accepted_pairs", default=None
)


@contextmanager
def agreements_read_once():
    """Within the block, agreement_is_accepted answers from one read of the accepted pairs.

    For a bulk import, which checks a product's supplier on every row: one
    query for the file instead of one per row. Only for a block that does not
    change agreements itself.
    """
    pairs = frozenset(
        SupplyAgreement.objects.accepted().values_list("manufacturer_id", "distributor_id")
    )
    token = _accepted_pairs.set(pairs)
    try:
        yield
    finally:
        _accepted_pairs.reset(token)


def agreement_is_accepted(*, manufacturer_id: int, distributor_id: int) -> bool:
    pairs = _accepted_pairs.get()
    if pairs is not None:
        return (manufacturer_id, distributor_id) in pairs
    return (
        SupplyAgreement.objects.accepted()
        .between(manufacturer_id=manufacturer_id, distributor_id=distributor_id)
        .exists()
    )


def distributors_supplied_by(*, manufacturer: Organization) -> QuerySet[Organization]:
    """The distributors with an accepted agreement with this manufacturer, by name."""
    return Organization.objects.filter(
        kind=Organization.Kind.DISTRIBUTOR,
        agreements_as_distributor__manufacturer=manufacturer,
        agreements_as_distributor__status=SupplyAgreement.Status.ACCEPTED,
    ).order_by("name", "pk")


def suppliers_allowed_for(*, manufacturer: Organization) -> QuerySet[Organization]:
    """Who may be named the supplier of this manufacturer's products: itself or a supplied one."""
    supplied = distributors_supplied_by(manufacturer=manufacturer).values("pk")
    return Organization.objects.filter(pk=manufacturer.pk) | Organization.objects.filter(
        pk__in=supplied
    )


def agreements_of(*, organization: Organization, status: str = "") -> QuerySet[SupplyAgreement]:
    """The organization's agreements (either side), newest request first; one query."""
    field = "manufacturer" if organization.kind == Organization.Kind.MANUFACTURER else "distributor"
    agreements = SupplyAgreement.objects.filter(**{field: organization}).select_related(
        "manufacturer", "distributor", "requested_by", "accepted_by", "ended_by"
    )
    if status:
        agreements = agreements.filter(status=status)
    return agreements


def agreement_counts(*, organization: Organization) -> dict[str, int]:
    """{"accepted": n, "requested": n} of the organization's agreements; one query."""
    field = "manufacturer" if organization.kind == Organization.Kind.MANUFACTURER else "distributor"
    counts = dict(
        SupplyAgreement.objects.filter(**{field: organization})
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "accepted": counts.get(SupplyAgreement.Status.ACCEPTED, 0),
        "requested": counts.get(SupplyAgreement.Status.REQUESTED, 0),
    }


def distributors_to_request(*, manufacturer: Organization) -> QuerySet[Organization]:
    """Distributors the manufacturer has no requested or accepted agreement with."""
    busy = SupplyAgreement.objects.filter(
        manufacturer=manufacturer,
        status__in=[SupplyAgreement.Status.REQUESTED, SupplyAgreement.Status.ACCEPTED],
    ).values("distributor_id")
    return (
        Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR)
        .exclude(pk__in=busy)
        .order_by("name", "pk")
    )


# --- Writes --------------------------------------------------------------------


def _member_of(user: User, organization: Organization) -> bool:
    return user.is_active and user.organization_id == organization.pk


@transaction.atomic
def agreement_request(
    *, manufacturer: Organization, distributor: Organization, by: User, note: str = ""
) -> SupplyAgreement:
    """A manufacturer's member asks a distributor to take its products.

    Creates the pair's agreement as `requested`, or reopens an ended one.
    Raises PermissionDenied when `by` is not a member of the manufacturer,
    ValidationError keyed by field for a non-distributor or an overlong note,
    AgreementConflict when the pair already has a request or an agreement.
    """
    if manufacturer.kind != Organization.Kind.MANUFACTURER or not _member_of(by, manufacturer):
        raise PermissionDenied("Only a manufacturer's members can request a supply agreement.")
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor_id": "Choose a distributor."})
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Use at most {NOTE_MAX_LENGTH} characters."})
    agreement, created = SupplyAgreement.objects.select_for_update().get_or_create(
        manufacturer=manufacturer,
        distributor=distributor,
        defaults={"note": note, "requested_by": by},
    )
    if created:
        return agreement
    if agreement.status != SupplyAgreement.Status.ENDED:
        raise AgreementConflict(
            agreement,
            f"You already have a {agreement.get_status_display().lower()} agreement "
            f"with {distributor}.",
        )
    agreement.status = SupplyAgreement.Status.REQUESTED
    agreement.note = note
    agreement.requested_by = by
    agreement.requested_at = timezone.now()
    agreement.accepted_by = agreement.accepted_at = None
    agreement.ended_by = agreement.ended_at = None
    agreement.end_reason = ""
    agreement.save()
    return agreement


def _locked(agreement: SupplyAgreement) -> SupplyAgreement:
    return SupplyAgreement.objects.select_for_update().get(pk=agreement.pk)


@transaction.atomic
def agreement_accept(*, agreement: SupplyAgreement, by: User) -> SupplyAgreement:
    """The distributor's member accepts a requested agreement.

    PermissionDenied for anyone but a member of the distributor;
    AgreementConflict when the agreement is not `requested` (checked under
    the row lock, so two members accepting at once accept once).
    """
    if not _member_of(by, agreement.distributor):
        raise PermissionDenied("Only the distributor's members can accept this agreement.")
    locked = _locked(agreement)
    if locked.status != SupplyAgreement.Status.REQUESTED:
        raise AgreementConflict(
            locked, f"This agreement is {locked.get_status_display().lower()}, not requested."
        )
    locked.status = SupplyAgreement.Status.ACCEPTED
    locked.accepted_by = by
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["status", "accepted_by", "accepted_at", "updated_at"])
    return locked


@transaction.atomic
def agreement_end(*, agreement: SupplyAgreement, by: User, reason: str = "") -> SupplyAgreement:
    """Either side ends a requested or accepted agreement (a distributor declining ends it too).

    From then on the manufacturer cannot assign stock to the distributor; its
    products that named the distributor as supplier go back to the
    manufacturer, so no purchase order goes to a distributor that no longer
    carries them. Stock already at the distributor stays there (it is the
    distributor's to sell). PermissionDenied for anyone but a member of
    either side; AgreementConflict when it has already ended.
    """
    if not (_member_of(by, agreement.distributor) or _member_of(by, agreement.manufacturer)):
        raise PermissionDenied("Only the two organizations' members can end this agreement.")
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX_LENGTH:
        raise ValidationError({"reason": f"Use at most {NOTE_MAX_LENGTH} characters."})
    locked = _locked(agreement)
    if locked.status == SupplyAgreement.Status.ENDED:
        raise AgreementConflict(locked, "This agreement has already ended.")
    locked.status = SupplyAgreement.Status.ENDED
    locked.ended_by = by
    locked.ended_at = timezone.now()
    locked.end_reason = reason
    locked.save(update_fields=["status", "ended_by", "ended_at", "end_reason", "updated_at"])
    # Imported here: catalog depends on accounts, not the other way round.
    from catalog.services import products_supplier_reset

    products_supplier_reset(manufacturer=locked.manufacturer, supplier=locked.distributor)
    return locked


@transaction.atomic
def agreement_accept_by_staff(
    *, manufacturer: Organization, distributor: Organization, by: User | None = None
) -> SupplyAgreement:
    """Record an accepted agreement directly (staff on the distributor's word, demo data)."""
    agreement, _ = SupplyAgreement.objects.select_for_update().get_or_create(
        manufacturer=manufacturer, distributor=distributor, defaults={"requested_by": by}
    )
    if agreement.status != SupplyAgreement.Status.ACCEPTED:
        agreement.status = SupplyAgreement.Status.ACCEPTED
        agreement.accepted_by = by
        agreement.accepted_at = timezone.now()
        agreement.ended_by = agreement.ended_at = None
        agreement.end_reason = ""
        agreement.save()
    return agreement
