"""The delivery date a buyer may ask for (#18 §3).

A business day of the distributor's working calendar (procurement, #13), at
least its lead days (`Organization.order_lead_days`, else ORDER_DELIVERY_DAYS)
of business days after today, and not further ahead than
MAX_REQUEST_AHEAD_DAYS. order_place checks it; the checkout form shows the
earliest date.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import Organization
from procurement.business_days import calendar_for

MAX_REQUEST_AHEAD_DAYS = 180
FIELD = "requested_delivery_date"


def lead_days(distributor: Organization) -> int:
    if distributor.order_lead_days is not None:
        return distributor.order_lead_days
    return settings.ORDER_DELIVERY_DAYS


def earliest_delivery_date(
    distributor: Organization, *, today: datetime.date | None = None, calendar=None
) -> datetime.date:
    """The first business day at least the distributor's lead days after today."""
    today = today or timezone.localdate()
    calendar = calendar or calendar_for(distributor.pk)
    day = calendar.add(today, lead_days(distributor))
    while not calendar.is_business_day(day):  # lead days 0 on a closed day
        day += datetime.timedelta(days=1)
    return day


def requested_date_validate(
    distributor: Organization, day: datetime.date | None, *, today: datetime.date | None = None
) -> datetime.date | None:
    """`day` when a buyer may ask for it, else ValidationError on `requested_delivery_date`."""
    if day is None:
        return None
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationError({FIELD: "Enter a date."})
    today = today or timezone.localdate()
    calendar = calendar_for(distributor.pk)
    earliest = earliest_delivery_date(distributor, today=today, calendar=calendar)
    if day < earliest:
        raise ValidationError(
            {
                FIELD: f"{distributor.name} needs {lead_days(distributor)} working days: "
                f"the earliest delivery date is {date_format(earliest, 'l j F Y')}."
            }
        )
    if (day - today).days > MAX_REQUEST_AHEAD_DAYS:
        raise ValidationError(
            {FIELD: f"Choose a date at most {MAX_REQUEST_AHEAD_DAYS} days from today."}
        )
    if not calendar.is_business_day(day):
        raise ValidationError(
            {
                FIELD: f"{date_format(day, 'l j F Y')} is not a working day of "
                f"{distributor.name}; choose another date."
            }
        )
    return day
