"""Business days of a working calendar (procurement.business_days), by hand."""

import datetime

import pytest

from inventory.tests.factories import DistributorFactory
from procurement.business_days import Calendar, calendar_for, calendars_for
from procurement.models import Holiday, WorkingCalendar

FRI = datetime.date(2026, 12, 4)  # a Friday
HOLIDAY = datetime.date(2026, 12, 9)  # the Wednesday after
WITH_HOLIDAY = Calendar(holidays=frozenset({HOLIDAY}))


def test_monday_to_saturday_by_default():
    calendar = Calendar()
    assert [calendar.is_business_day(FRI + datetime.timedelta(d)) for d in range(7)] == [
        True, True, False, True, True, True, True,  # Fri Sat Sun Mon Tue Wed Thu
    ]  # fmt: skip


def test_between_counts_days_after_start_up_to_end_skipping_sunday_and_the_holiday():
    # Sat 5, Mon 7, Tue 8, (Wed 9 holiday), Thu 10, Fri 11
    assert WITH_HOLIDAY.between(FRI, datetime.date(2026, 12, 11)) == 5
    assert Calendar().between(FRI, datetime.date(2026, 12, 11)) == 6
    assert WITH_HOLIDAY.between(FRI, FRI) == 0
    assert WITH_HOLIDAY.between(FRI, FRI - datetime.timedelta(days=3)) == 0
    # Over whole weeks and a remainder: 10 weeks of 6 days, minus the holiday, plus Sat.
    assert WITH_HOLIDAY.between(FRI, FRI + datetime.timedelta(days=71)) == 60 - 1 + 1


def test_between_agrees_with_counting_day_by_day():
    calendar = Calendar(
        working_weekdays=frozenset({0, 2, 4}),
        holidays=frozenset({FRI + datetime.timedelta(days=d) for d in (3, 10, 40)}),
    )
    for span in range(0, 60):
        end = FRI + datetime.timedelta(days=span)
        by_hand = sum(
            calendar.is_business_day(FRI + datetime.timedelta(days=d)) for d in range(1, span + 1)
        )
        assert calendar.between(FRI, end) == by_hand, span


def test_add_steps_over_sunday_and_the_holiday():
    assert WITH_HOLIDAY.add(FRI, 5) == datetime.date(2026, 12, 11)
    assert WITH_HOLIDAY.add(FRI, 0) == FRI
    assert WITH_HOLIDAY.add(datetime.date(2026, 12, 5), 1) == datetime.date(2026, 12, 7)
    for n in range(30):
        assert WITH_HOLIDAY.between(FRI, WITH_HOLIDAY.add(FRI, n)) == n


def test_bad_calendars_and_spans_are_refused():
    with pytest.raises(ValueError):
        Calendar(working_weekdays=frozenset())
    with pytest.raises(ValueError):
        Calendar(working_weekdays=frozenset({7}))
    with pytest.raises(ValueError):
        Calendar().add(FRI, -1)
    with pytest.raises(ValueError):
        Calendar().add(FRI, 100_000)


@pytest.mark.django_db
def test_a_distributors_calendar_comes_from_the_admin_rows(django_assert_num_queries):
    distributor, other = DistributorFactory(), DistributorFactory()
    row = WorkingCalendar.objects.create(distributor=distributor, saturday=False)
    Holiday.objects.create(calendar=row, date=HOLIDAY, name="Founders' day")
    with django_assert_num_queries(2):
        calendars = calendars_for([distributor.pk, other.pk])
    assert calendars[distributor.pk] == Calendar(
        working_weekdays=frozenset(range(5)), holidays=frozenset({HOLIDAY})
    )
    assert calendars[other.pk] == Calendar()
    assert calendar_for(distributor.pk).add(FRI, 3) == datetime.date(2026, 12, 10)
