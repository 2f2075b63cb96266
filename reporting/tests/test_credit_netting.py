"""Credit notes come off the sales reports in the month they are dated (issue 24 §5).

Hand-computed data set (every seller and buyer in Maharashtra: CGST + SGST, 9 % each,
rounded half-up per line):

  Orders placed and invoiced on 10 March 2026:
    A  North  P  5 x 100.00 = 500.00   CGST 45.00  SGST 45.00   total 590.00
    B  North  Q  2 x 250.00 = 500.00   CGST 45.00  SGST 45.00   total 590.00
    C  South  R  1 x 100.00 = 100.00   CGST  9.00  SGST  9.00   total 118.00
  Credit notes:
    CN1  20 Mar  North  2 of P returned on A   200.00  CGST 18.00 SGST 18.00  total 236.00
    CN2  25 Mar  South  C cancelled            100.00  CGST  9.00 SGST  9.00  total 118.00
    CN3   5 Apr  North  price, Q on B           50.00  CGST  4.50 SGST  4.50  total  59.00

March, everything: revenue 1,100.00 - 200.00 - 100.00 = 800.00; units 8 - 2 - 1 = 5;
  CGST 99.00 - 18.00 - 9.00 = 72.00 (SGST the same), IGST 0; tax 144.00;
  total 1,298.00 - 236.00 - 118.00 = 944.00; 3 orders, average 944.00 / 3 = 314.67.
  By product: Q 2 units 500.00; P 5 - 2 = 3 units 300.00; R 1 - 1 = 0 units 0.00.
  By distributor: North 1,000.00 - 200.00 = 800.00; South 100.00 - 100.00 = 0.00.
March, North's own: revenue 1,000.00 - 200.00 = 800.00, tax 180.00 - 36.00 = 144.00,
  total 1,180.00 - 236.00 = 944.00, units 7 - 2 = 5, one credit note.
April (no sales): revenue -50.00, CGST -4.50, tax -9.00, total -59.00; by product Q: 0
  orders, 0 units, -50.00 (the credit note counts in the month it is dated).
"""

import datetime
from decimal import Decimal as D

import pytest
import time_machine

from inventory.tests.factories import DistributorFactory
from invoicing.credit_notes import credit_note_issue
from invoicing.tests.factories import deliver
from orders.tests.factories import place_order, stocked_product
from reporting import selectors as s
from reporting.selectors import ReportScope

pytestmark = pytest.mark.django_db

ALL = ReportScope(ReportScope.ALL)


@pytest.fixture
def sales():
    north = DistributorFactory(name="North Depot", state="27", region="North")
    south = DistributorFactory(name="South Depot", state="27", region="South")
    p = stocked_product(distributor=north, sku="P-1", name="Product P", price=D("100.00"))
    q = stocked_product(distributor=north, sku="Q-1", name="Product Q", price=D("250.00"))
    r = stocked_product(distributor=south, sku="R-1", name="Product R", price=D("100.00"))
    with time_machine.travel(datetime.datetime(2026, 3, 10, 6, tzinfo=datetime.UTC)):
        a, b, c = (
            deliver(
                place_order(distributor=d, lines=[(prod, n)], fulfillment_type="pickup")
            ).invoices.get()
            for d, prod, n in ((north, p, 5), (north, q, 2), (south, r, 1))
        )
    assert [i.total for i in (a, b, c)] == [D("590.00"), D("590.00"), D("118.00")]
    with time_machine.travel(datetime.datetime(2026, 4, 6, 6, tzinfo=datetime.UTC)):
        cn1 = credit_note_issue(
            invoice=a,
            by=None,
            kind="return",
            lines={a.lines.get().pk: 2},
            today=datetime.date(2026, 3, 20),
        )
        cn2 = credit_note_issue(
            invoice=c, by=None, kind="cancellation", today=datetime.date(2026, 3, 25)
        )
        cn3 = credit_note_issue(
            invoice=b,
            by=None,
            kind="price",
            amounts={b.lines.get().pk: D("50.00")},
            today=datetime.date(2026, 4, 5),
        )
    assert [n.total for n in (cn1, cn2, cn3)] == [D("236.00"), D("118.00"), D("59.00")]
    return {"north": north, "south": south}


def test_the_monthly_report_nets_out_credit_notes_in_their_month(sales):
    march = s.monthly_report(scope=ALL, year=2026, month=3)
    assert (march.orders, march.units, march.subtotal) == (3, 5, D("800.00"))
    assert (march.cgst, march.sgst, march.igst, march.tax, march.total) == (
        D("72.00"),
        D("72.00"),
        D("0.00"),
        D("144.00"),
        D("944.00"),
    )
    assert (march.credit_notes, march.credited) == (2, D("300.00"))
    assert march.average_cart_value == D("314.67")
    assert [(r["key"], r["units"], r["revenue"]) for r in march.top_products.rows] == [
        ("Q-1", 2, D("500.00")),
        ("P-1", 3, D("300.00")),
        ("R-1", 0, D("0.00")),
    ]
    assert [(r["label"], r["revenue"]) for r in march.by_distributor.rows] == [
        ("North Depot", D("800.00")),
        ("South Depot", D("0.00")),
    ]
    assert ("credited", "Credited before tax", D("300.00"), "money") in march.summary()

    north = s.monthly_report(scope=ReportScope("distributor", sales["north"]), year=2026, month=3)
    assert (north.subtotal, north.tax, north.total, north.units, north.credit_notes) == (
        D("800.00"),
        D("144.00"),
        D("944.00"),
        5,
        1,
    )

    april = s.monthly_report(scope=ALL, year=2026, month=4)
    assert (april.orders, april.units, april.subtotal) == (0, 0, D("-50.00"))
    assert (april.cgst, april.tax, april.total) == (D("-4.50"), D("-9.00"), D("-59.00"))
    assert [(r["key"], r["orders"], r["units"], r["revenue"]) for r in april.top_products.rows] == [
        ("Q-1", 0, 0, D("-50.00"))
    ]


def test_the_sales_report_nets_out_credit_notes(sales):
    march = s.month_filters(2026, 3)
    table = s.sales_report(scope=ALL, filters=march, group_by="product")
    assert [(r["key"], r["orders"], r["units"], r["revenue"]) for r in table.rows] == [
        ("Q-1", 1, 2, D("500.00")),
        ("P-1", 1, 3, D("300.00")),
        ("R-1", 1, 0, D("0.00")),
    ]
    assert (table.totals["units"], table.totals["revenue"]) == (5, D("800.00"))
    by_day = s.sales_report(scope=ALL, filters=march, group_by="day")
    # Sales on 10 March; the credit notes on 20 and 25 March are rows of their own days.
    assert [(str(r["key"]), r["revenue"]) for r in by_day.rows] == [
        ("2026-03-10", D("1100.00")),
        ("2026-03-20", D("-200.00")),
        ("2026-03-25", D("-100.00")),
    ]
    south = s.sales_report(
        scope=ReportScope("distributor", sales["south"]), filters=march, group_by="distributor"
    )
    assert [(r["label"], r["units"], r["revenue"]) for r in south.rows] == [
        ("South Depot", 0, D("0.00"))
    ]
