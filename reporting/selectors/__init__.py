"""Read-only reports: every figure is computed by the database (aggregates, Trunc*, subqueries).

Definitions, used everywhere in this module:

* **Sales.** An order counts as a sale unless it is rejected or cancelled
  (`SOLD`). It is dated by its `created_at` (when it was placed) taken as a
  local date (settings.TIME_ZONE). A date range is inclusive of both ends:
  `start` 00:00 local up to, not including, the day after `end` 00:00 local.
* **Revenue** is the sum of the order lines' `line_total` (price snapshots,
  before tax). The monthly report also gives the orders' tax and total, but
  only where whole orders are in view (see ReportScope.whole_orders).
* **Money** is Decimal, to the cent, rounded half-up (a mean of money is the
  database's sum divided by the database's count, then rounded).
* **Durations** (fulfillment, supplier response, request to receipt) are in
  hours, Decimal to 0.01. The median is the middle value (the mean of the two
  middle values for an even count); p90 is the nearest-rank 90th percentile:
  the value at rank ceil(0.9 * n) of the values in ascending order.
* **Fulfillment time** of an order: placed (its created_at, the moment its
  `placed` status change was written in the same transaction) to the
  `delivered` OrderStatusChange, for orders placed in the range.
* **Demand** is the record written when an order line is placed or refused
  (`orders.DemandLine`): units requested, allocated at once, backordered or
  refused. Backordered units count once, when asked for, not again when they
  ship; a "ship complete" order refused for short stock is demand too.
* **Stock turnover rate**: units sold in the range / average on hand, where
  units sold = the units that left the shelf to buyers: minus the sum of the
  ledger's `shipment` movements in the range (and, for orders from before
  allocations, their `sale`, `return` and `allocation_migrated` rows, which
  net out to what was dispatched) and
  average on hand = (on hand at the start + on hand at the end) / 2, each read
  from the ledger (the `balance_after` of each stock item's last movement
  before that moment, summed). Decimal to 4 places; None with no stock.
* **Stockouts**: a stock item is out of stock (nothing on the shelf) from a
  movement that leaves `balance_after` = 0 to its next movement (the ledger never goes below 0, so
  the next movement always restocks). Events = stockouts that began in the
  range; days = the time spent at 0 within the range (and not after now), in
  days to 0.01.
* **Fill rate** = demand lines allocated in full when asked for / all demand
  lines asked for in the range (placed or refused for short stock): how often
  a buyer got at once all it asked for. A backordered or refused line is not
  filled; what happened to the order later (cancelled, rejected) does not
  change what the shelf could serve when it was asked.
* **Days of cover** of a stock item: its stock (available now, for a range
  that reaches today; else on hand at the end of the range) / (units demanded
  in the last `window_days` days up to the end of the range / window_days),
  to 0.1 days; 0 with no stock; None when nothing was asked for in the window.
* **Request to receipt**: a procurement request's created_at to its
  fulfilled_at (the goods receipt that completed it), for requests fulfilled
  in the range.
* **Supplier response time**: a purchase order's sent_at to responded_at
  (confirmed or proposed), for POs sent in the range and answered.
* **Supplier on-time rate**: POs fully received in the range whose local
  receipt date is on or before their expected_date / POs fully received in the
  range.

Each report costs a fixed, small number of queries whatever the number of
orders (the tests count them). Date truncation uses the current time zone:
on MySQL/MariaDB a TIME_ZONE other than UTC needs the server's time zone
tables loaded (mysql_tzinfo_to_sql), as Django documents.

The reports live in one module each by subject: `base` (scope, filters, the
querysets every report starts from), `overview` (seed 000's headline metrics),
`sales` (sales tables and the monthly report) and `reorder` (reorder
performance). Import them from `reporting.selectors`.
"""

from .base import (
    CENT,
    GROUP_BY,
    NOT_SOLD,
    SOLD,
    TOP_PRODUCTS,
    US_PER_DAY,
    US_PER_HOUR,
    DurationStats,
    ReportFilters,
    ReportScope,
    last_month_with_sales,
    money,
    month_filters,
)
from .overview import (
    OUTFLOW_KINDS,
    Overview,
    Ratio,
    StockTurnover,
    average_cart_value,
    orders_per_day,
    overview,
    procurement_requests_generated,
    stock_turnover,
    supplier_response_time,
)
from .reorder import (
    days_of_cover,
    fill_rate,
    request_to_receipt_time,
    stockouts,
    supplier_on_time_rate,
)
from .returns import returns_report
from .sales import (
    FIGURES,
    SALES_COLUMNS,
    MonthlyReport,
    fulfillment_times,
    monthly_report,
    sales_report,
)

__all__ = [
    "CENT",
    "FIGURES",
    "GROUP_BY",
    "NOT_SOLD",
    "OUTFLOW_KINDS",
    "SALES_COLUMNS",
    "SOLD",
    "TOP_PRODUCTS",
    "US_PER_DAY",
    "US_PER_HOUR",
    "DurationStats",
    "MonthlyReport",
    "Overview",
    "Ratio",
    "ReportFilters",
    "ReportScope",
    "StockTurnover",
    "average_cart_value",
    "days_of_cover",
    "fill_rate",
    "fulfillment_times",
    "last_month_with_sales",
    "money",
    "month_filters",
    "monthly_report",
    "orders_per_day",
    "overview",
    "procurement_requests_generated",
    "request_to_receipt_time",
    "returns_report",
    "sales_report",
    "stock_turnover",
    "stockouts",
    "supplier_on_time_rate",
    "supplier_response_time",
]
