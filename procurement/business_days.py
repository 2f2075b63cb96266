"""Business days of a distributor's working calendar (procurement.WorkingCalendar).

A business day is a working weekday (Monday to Saturday unless the calendar
says otherwise) that is not one of the calendar's holidays. Measured lead
times are counted in business days, and a PO's expected date is its
supplier's lead time in business days after the day it is approved.

`Calendar` is a plain value, so the arithmetic is pure and tested without a
database; `calendar_for` / `calendars_for` read it (a distributor without a
calendar row works Monday to Saturday with no holidays).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_WORKING_WEEKDAYS = frozenset(range(6))  # Monday (0) to Saturday (5)
MAX_SPAN_DAYS = 3660  # about ten years: beyond that a figure is an input error


@dataclass(frozen=True)
class Calendar:
    working_weekdays: frozenset[int] = DEFAULT_WORKING_WEEKDAYS
    holidays: frozenset[datetime.date] = field(default_factory=frozenset)

    def __post_init__(self):
        if not self.working_weekdays or not set(self.working_weekdays) <= set(range(7)):
            raise ValueError("A calendar needs at least one working weekday (0 = Monday).")

    def is_business_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Business days after `start` up to and including `end` (0 when end <= start).

        An order asked for on a Friday and received on the Monday after took
        one business day with a Saturday holiday, two without.
        """
        if end <= start:
            return 0
        if (end - start).days > MAX_SPAN_DAYS:
            raise ValueError("The span is longer than ten years.")
        weeks, rest = divmod((end - start).days, 7)
        count = weeks * len(self.working_weekdays)
        first = start + datetime.timedelta(days=1)
        count += sum(
            1
            for offset in range(rest)
            if (first + datetime.timedelta(days=offset)).weekday() in self.working_weekdays
        )
        count -= sum(
            1
            for day in self.holidays
            if start < day <= end and day.weekday() in self.working_weekdays
        )
        return count

    def add(self, start: datetime.date, days: int) -> datetime.date:
        """The date `days` business days after `start` (`start` itself for 0)."""
        if days < 0:
            raise ValueError("Add a positive number of business days.")
        if days > MAX_SPAN_DAYS:
            raise ValueError("At most ten years of business days.")
        day = start
        while days:
            day += datetime.timedelta(days=1)
            if self.is_business_day(day):
                days -= 1
        return day


def calendars_for(distributor_ids: Iterable[int]) -> dict[int, Calendar]:
    """{distributor_id: Calendar} for each id (the default for those without a row); 2 queries."""
    from .models import WorkingCalendar

    ids = set(distributor_ids)
    result = {pk: Calendar() for pk in ids}
    if not ids:
        return result
    for row in WorkingCalendar.objects.filter(distributor_id__in=ids).prefetch_related("holidays"):
        result[row.distributor_id] = row.as_calendar()
    return result


def calendar_for(distributor_id: int) -> Calendar:
    return calendars_for([distributor_id])[distributor_id]
