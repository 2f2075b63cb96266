"""HSN/SAC codes and the GST rate in force for a code on a day.

A product carries an HSN code (goods: 4, 6 or 8 digits) or a SAC (services:
6 digits starting 99). Rates live in `HsnRate` rows with the day they take
effect, edited by staff in the admin, since rates change (the slabs in force
since 22 September 2025: 0, 5, 18 and 40 %, and 0.25 and 3 % for a few goods).
The rate in force on a day is the row with the latest `effective_from` on or
before it. A product without a code, or a code without a rate on that day,
takes `settings.INVOICE_TAX_RATE` (18 %), the single rate every product had
before HSN codes: that is how existing products keep today's rate.

Rates are returned as fractions (Decimal("0.18")), like INVOICE_TAX_RATE.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

HUNDRED = Decimal("100")


def validate_hsn_code(value: str) -> None:
    code = (value or "").strip()
    if not code:
        return
    if not code.isascii() or not code.isdigit():
        raise ValidationError("An HSN or SAC code has only digits.", code="hsn_digits")
    if len(code) not in (4, 6, 8):
        raise ValidationError(
            f"An HSN code has 4, 6 or 8 digits (a SAC 6); this one has {len(code)}.",
            code="hsn_length",
        )


def default_rate() -> Decimal:
    return Decimal(str(settings.INVOICE_TAX_RATE))


def hsn_rates_on(codes: Iterable[str], on: date) -> dict[str, Decimal]:
    """{code: rate in force on `on`} for each code (one query); a code without one: default."""
    from .models import HsnRate

    codes = {c for c in codes if c}
    rates = {code: default_rate() for code in codes}
    if not codes:
        return rates
    latest: dict[str, date] = {}
    for code, effective, percent in HsnRate.objects.filter(
        hsn_code__in=codes, effective_from__lte=on
    ).values_list("hsn_code", "effective_from", "rate"):
        if code not in latest or effective > latest[code]:
            latest[code] = effective
            rates[code] = percent / HUNDRED
    return rates


def hsn_rate_on(*, hsn_code: str, on: date) -> Decimal:
    """The GST rate in force for `hsn_code` on `on`, as a fraction."""
    if not hsn_code:
        return default_rate()
    return hsn_rates_on([hsn_code], on)[hsn_code]
