"""Writes for price lists: a distributor's own lists and their lines (staff use the admin)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organization

from .models import PriceList, PriceListAssignment

DISTRIBUTOR_SCOPES = (
    PriceListAssignment.Scope.EVERYONE,
    PriceListAssignment.Scope.CUSTOMERS,
    PriceListAssignment.Scope.ORGANIZATION,
)


def _check_name(name: str, *, exclude_pk=None) -> None:
    taken = PriceList.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": f"A price list named “{name}” already exists."})


@transaction.atomic
def price_list_save(
    *,
    distributor: Organization,
    name: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    prices_include_tax: bool = False,
    is_active: bool = True,
    scope: str = PriceListAssignment.Scope.EVERYONE,
    organization: Organization | None = None,
    price_list: PriceList | None = None,
) -> PriceList:
    """Create (or, with `price_list`, change) a distributor's own list and who it is for.

    A distributor's list prices only its own sales, for every buyer, every
    customer, or one retailer organization; its percentages come off the
    manufacturer's list price. Raises ValidationError keyed by field.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError("Only a distributor keeps its own price lists.")
    if price_list is not None and price_list.distributor_id != distributor.pk:
        raise ValidationError("This price list is not yours.")
    if scope not in DISTRIBUTOR_SCOPES:
        raise ValidationError({"scope": "Choose who the list is for."})
    if scope == PriceListAssignment.Scope.ORGANIZATION:
        if organization is None or organization.kind != Organization.Kind.RETAILER:
            raise ValidationError({"organization": "Choose the retailer the list is for."})
    else:
        organization = None
    name = (name or "").strip()
    _check_name(name, exclude_pk=price_list.pk if price_list else None)
    plist = price_list or PriceList(distributor=distributor)
    plist.name = name
    plist.valid_from, plist.valid_to = valid_from, valid_to
    plist.prices_include_tax = prices_include_tax
    plist.is_active = is_active
    plist.full_clean(validate_unique=False)
    plist.save()
    plist.assignments.all().delete()
    PriceListAssignment.objects.create(price_list=plist, scope=scope, organization=organization)
    return plist


def price_lines_import(*, distributor: Organization, dataset, dry_run: bool, user=None):
    """Import a spreadsheet of lines into the distributor's own lists, all or nothing.

    Returns the resource's result (`error_report`, `totals`); a dry run
    writes nothing (the preview).
    """
    from .resources import PriceListItemResource

    resource = PriceListItemResource(distributor=distributor)
    return resource.import_data(dataset, dry_run=dry_run, user=user)
