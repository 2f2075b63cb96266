"""Months of demo history, lived through the real services under a travelled clock.

`seed_demo` on a fresh database makes its catalog on the history's first day
(`DemoHistory.clock()` moves time-machine's clock there) and then calls
`DemoHistory.run()`, which walks the clock forward to now, event by event:

* buyers (history customers and the two retailers' buyers) place orders
  through `orders.services.order_place`, more on Fridays and Saturdays and
  fewer on Sundays, with a slow growth and a festive-season peak (late
  October to mid November); an order refused for short stock is recorded as
  refused demand (the service does it) and the buyer tries other products;
* each distributor's staff accept (a few are rejected), move to processing,
  ship (each order with its own tracking reference) and record the
  courier's deliveries (`shipments_mark_delivered`) hours to days later; a
  few orders are cancelled by their buyer before acceptance. Staff accept,
  start processing and ship in rounds (ROUND_HOURS), every order waiting
  since the last round at once, with the order list's bulk actions
  (`orders.bulk_moves.orders_move_in_bulk`, `orders.bulk_shipping.
  orders_ship_in_bulk`), and record the deliveries the courier reported in
  the same rounds, as they would live;
* buyers pay their invoices (`invoicing.receipts.invoice_payment_record`): a
  private customer on delivery (UPI), a retailer by bank transfer or cheque,
  most within the due date, some days or weeks late, and about one invoice in
  twenty is still unpaid; so the receivables report ages real balances;
* low stock opens procurement requests as it does live; procurement staff
  approve them every morning, the supplier confirms within hours, and the
  goods are received around the expected date, except from the late
  supplier (Voltline Electronics), whose deliveries come days after it;
* events due after now are left undone: the latest orders wait to be
  accepted, picked and shipped, as on a real morning.

Notifications are decided by the services as usual but written as already
sent (notifications.as_sent): nothing is rendered in full or delivered. The
same holds for the catalog and stock made on the history's first day
(`recorded()`, e.g. the procurement requests its low opening stock opens);
the few demo orders placed today (seed_demo) send theirs.

Idempotent: the history runs only when the catalog is made in the same run
(a fresh database) and no history buyer has an order yet.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import logging
import math
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization, User
from accounts.services import user_create
from catalog.models import Product
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem
from invoicing.models import Invoice, PaymentMethod
from invoicing.receipts import invoice_payment_record
from notifications.as_sent import outbox_as_sent
from orders.bulk_moves import BULK_MAX_ORDERS, orders_move_in_bulk
from orders.bulk_shipping import BULK_SHIP_MAX, orders_ship_in_bulk
from orders.exceptions import IllegalTransition
from orders.models import Order, OrderStatus, ShipmentStatus
from orders.services import order_place
from orders.shipments import SHIPMENTS_DELIVER_MAX, shipments_mark_delivered
from orders.transitions import order_cancel_by_customer, order_move_by_distributor
from procurement.exceptions import PurchaseOrderStateError
from procurement.models import POStatus, ProcurementRequest, PurchaseOrder, RequestStatus
from procurement.po_lifecycle import purchase_order_confirm, purchase_order_receive
from procurement.services import procurement_requests_approve
from transfers.models import TransferOrder
from transfers.services import transfer_confirm, transfer_receive, transfer_ship

logger = logging.getLogger(__name__)

SEED = 2031
CUSTOMER_DOMAIN = "customers.auromart.local"
HISTORY_CUSTOMERS = 30
LATE_SUPPLIER = "Voltline Electronics"
# Share of orders each distributor takes (the store sells most).
DISTRIBUTOR_SHARE = {
    "AuroMart Central Store": 0.7,
    "Eastern Distribution Co.": 0.15,
    "Southern Supply Hub": 0.15,
}
# Monday .. Sunday: busier at the end of the week, quiet on Sunday.
WEEKDAY_WEIGHT = (1.0, 0.95, 1.0, 1.05, 1.25, 1.45, 0.6)
CANCEL_SHARE = 0.02
REJECT_SHARE = 0.01
# A retailer's invoices: paid by the due date, late, or not yet (the rest).
PAID_ON_TIME_SHARE = 0.8
PAID_LATE_SHARE = 0.15
# Staff go through their order list (accepting, starting to pick, shipping) at these hours,
# moving every order waiting for them at once (orders.bulk_moves, orders.bulk_shipping).
ROUND_HOURS = (11, 17)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def day_weight(day: datetime.date, first: datetime.date, last: datetime.date) -> float:
    """How busy a day is: weekday x slow growth x a festive peak around late October."""
    span = max((last - first).days, 1)
    growth = 0.85 + 0.3 * (day - first).days / span
    festive = datetime.date(day.year, 10, 31)
    distance = (day - festive).days
    peak = 1 + 0.8 * math.exp(-((distance / 14) ** 2))
    return WEEKDAY_WEIGHT[day.weekday()] * growth * peak


def orders_per_day(
    days: list[datetime.date], total: int, rng: random.Random
) -> dict[datetime.date, int]:
    """`total` orders spread over `days` by day_weight, rounded with a little noise."""
    weights = [day_weight(d, days[0], days[-1]) for d in days]
    scale = total / sum(weights)
    counts, carry = {}, 0.0
    for day, weight in zip(days, weights, strict=True):
        want = weight * scale * rng.uniform(0.85, 1.15) + carry
        counts[day] = max(int(want), 0)
        carry = want - counts[day]
    return counts


@dataclass
class Stats:
    orders: int = 0
    refused: int = 0
    cancelled: int = 0
    rejected: int = 0
    shipped: int = 0
    delivered: int = 0
    paid: int = 0
    purchase_orders: int = 0
    receipts: int = 0
    late_receipts: int = 0

    def as_created(self) -> dict[str, int]:
        return {
            "history orders": self.orders,
            "history deliveries": self.delivered,
            "history invoice payments": self.paid,
            "history purchase orders": self.purchase_orders,
        }


@dataclass
class DemoHistory:
    """`orders` orders over the `days` days before today (settings DEMO_HISTORY_*)."""

    orders: int = field(default_factory=lambda: settings.DEMO_HISTORY_ORDERS)
    days: int = field(default_factory=lambda: settings.DEMO_HISTORY_DAYS)
    wanted: bool = False
    stats: Stats = field(default_factory=Stats)

    def __post_init__(self):
        self.rng = random.Random(SEED)
        # Payments draw from their own sequence, so adding them left the orders,
        # shipments and stock of the history exactly as they were.
        self.pay_rng = random.Random(SEED + 1)
        self.now = timezone.now()
        today = timezone.localdate(self.now)
        self.first_day = today - datetime.timedelta(days=self.days)
        self._events: list = []
        self._sequence = itertools.count()
        # (round moment, distributor id, status) -> [(order id, number)] waiting for it.
        self._rounds: dict[tuple, list[tuple[int, str]]] = {}
        self._traveller = None

    # --- The clock -----------------------------------------------------------------

    @contextmanager
    def clock(self):
        """Around seed_demo's work: on a fresh database, start on the history's first day.

        A fresh database is one with no product yet (the catalog is made in
        this run, so every stock movement is dated inside the history). Out of
        the block the clock is the real one again.
        """
        self.wanted = self.orders > 0 and self.days > 0 and not Product.objects.exists()
        if not self.wanted:
            yield self
            return
        start = self._at(self.first_day, 7)
        with time_machine.travel(start, tick=True) as traveller:
            self._traveller = traveller
            try:
                yield self
            finally:
                self._traveller = None

    @contextmanager
    def recorded(self):
        """Inside clock(): on a fresh database (the history wanted) what happens in the block
        is history, dated in the past: its messages are written as sent
        (notifications.as_sent), as the history's own are. Else nothing changes."""
        if not self.wanted:
            yield
            return
        with outbox_as_sent():
            yield

    def _at(self, day: datetime.date, hour: float) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(hours=hour)
        return timezone.make_aware(moment)

    def _move_to(self, moment: datetime.datetime) -> None:
        if self._traveller is not None:
            self._traveller.move_to(moment)

    # --- Running -----------------------------------------------------------------

    def run(self, *, orgs: dict[str, Organization]) -> dict[str, int]:
        """Live through the history (only inside clock() on a fresh database)."""
        if not self.wanted or self._traveller is None:
            return {}
        self._cast(orgs)
        days = [self.first_day + datetime.timedelta(days=i) for i in range(self.days)]
        plan = orders_per_day(days, self.orders, self.rng)
        with outbox_as_sent():
            for day in days:
                self._day(day, plan[day])
            self._clear_a_shelf()
            # Whatever falls due before now still happens; later events are left undone.
            self._until(self.now)
            self._move_to(self.now)
        return self.stats.as_created()

    def _clear_a_shelf(self) -> None:
        """On the history's last evening a retailer bought every unit left of the store's
        best seller (waiting for the morning's round to be accepted), so the store opens
        on one item out of stock, its reorder under way, whatever day the seed runs: the
        stock-cover chart shows it first."""
        store = self.distributors[0]
        best_seller = self.catalogs[store.pk][0][0]
        available = sum(
            item.on_hand - item.allocated - item.held
            for item in StockItem.objects.filter(distributor=store, product_id=best_seller)
        )
        retail_buyers = [b for b in self.buyers if b.organization_id is not None]
        if available <= 0 or not retail_buyers:
            return
        order_place(
            customer=retail_buyers[0],
            distributor=store,
            items=[(best_seller, available)],
            shipping_address="18 Market Road\nPune 411018",
            backorder=False,
        )
        self.stats.orders += 1  # placed just now: it waits for the store to accept it

    def _cast(self, orgs: dict[str, Organization]) -> None:
        """The people of the history: buyers, each distributor's staff, procurement staff."""
        self.distributors = [orgs[name] for name in DISTRIBUTOR_SHARE]
        self.shares = list(DISTRIBUTOR_SHARE.values())
        store = self.distributors[0]
        self.staff = {store.pk: User.objects.get(email="distributor@auromart.local")}
        for distributor in self.distributors[1:]:
            self.staff[distributor.pk] = self._member(
                distributor, f"ops@{self._slug(distributor)}.example"
            )
        self.buyers = [
            self._user(f"customer{n:02d}@{CUSTOMER_DOMAIN}", f"History customer {n}")
            for n in range(1, HISTORY_CUSTOMERS + 1)
        ]
        retailers = [o for o in orgs.values() if o.kind == Organization.Kind.RETAILER]
        self.buyers += [self._member(r, f"buyer@{self._slug(r)}.example") for r in retailers]
        self.procurement = User.objects.get(email="procurement@auromart.local")
        # Popular products sell more (a long tail), per distributor: what it stocks.
        stocked: dict[int, list[int]] = {}
        for distributor_id, product_id in (
            StockItem.objects.filter(distributor__in=self.distributors)
            .order_by("distributor_id", "product_id")
            .values_list("distributor_id", "product_id")
        ):
            stocked.setdefault(distributor_id, []).append(product_id)
        self.catalogs = {}
        for distributor_id, products in stocked.items():
            products = products[:]
            self.rng.shuffle(products)
            weights = [1 / (rank + 3) ** 0.9 for rank in range(len(products))]
            self.catalogs[distributor_id] = (products, list(itertools.accumulate(weights)))

    @staticmethod
    def _slug(org: Organization) -> str:
        return "".join(ch for ch in org.name.lower() if ch.isalnum())

    def _user(self, email: str, name: str, organization: Organization | None = None) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            # No password: these accounts exist for their orders, nobody logs in as them.
            user = user_create(email=email, password=None, name=name, organization=organization)
        return user

    def _member(self, org: Organization, email: str) -> User:
        return self._user(email, f"{org.name} staff", org)

    # --- Events --------------------------------------------------------------------

    def _schedule(self, moment: datetime.datetime, action, *args) -> None:
        heapq.heappush(self._events, (moment, next(self._sequence), action, args))

    def _until(self, moment: datetime.datetime) -> None:
        """Run every scheduled event due before `moment`, in time order."""
        while self._events and self._events[0][0] < moment:
            when, _seq, action, args = heapq.heappop(self._events)
            self._move_to(when)
            try:
                action(*args)
            except (IllegalTransition, PurchaseOrderStateError, ValidationError) as exc:
                # The world moved on (an order cancelled meanwhile): as it would live.
                logger.debug("Demo history: %s skipped: %s", action.__name__, exc)

    def _day(self, day: datetime.date, count: int) -> None:
        rng = self.rng
        self._until(self._at(day, 9))
        self._move_to(self._at(day, 9))
        self._procure()
        # Orders between 08:00 and 22:00, more in the evening.
        hours = sorted(8 + 14 * rng.random() ** 0.8 for _ in range(count))
        for hour in hours:
            moment = self._at(day, hour)
            if moment >= self.now:
                break
            self._until(moment)
            self._move_to(moment)
            self._place()
        self._until(self._at(day + DAY, 0))

    def _place(self) -> None:
        rng = self.rng
        buyer = rng.choice(self.buyers)
        distributor = rng.choices(self.distributors, cum_weights=self._cum_shares())[0]
        products, cumulative = self.catalogs[distributor.pk]
        retail = buyer.organization_id is not None
        for _attempt in range(2):
            chosen = set()
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                chosen.add(rng.choices(products, cum_weights=cumulative)[0])
            items = [
                (pid, rng.randint(2, 6) if retail else rng.choice((1, 1, 1, 2))) for pid in chosen
            ]
            address = f"{rng.randint(1, 240)} Market Road\nPune 4110{rng.randint(10, 99)}"
            try:
                order = order_place(
                    customer=buyer,
                    distributor=distributor,
                    items=items,
                    shipping_address=address,
                    backorder=False,
                )
            except InsufficientStock:
                self.stats.refused += 1  # recorded as refused demand by order_place
                continue
            self.stats.orders += 1
            self._follow(order)
            return

    def _cum_shares(self) -> list[float]:
        return list(itertools.accumulate(self.shares))

    def _follow(self, order: Order) -> None:
        rng, now = self.rng, timezone.now()
        roll = rng.random()
        if roll < CANCEL_SHARE:
            self._schedule(now + rng.uniform(0.2, 3) * HOUR, self._cancel, order.pk)
        elif roll < CANCEL_SHARE + REJECT_SHARE:
            self._schedule(now + rng.uniform(1, 8) * HOUR, self._reject, order.pk)
        else:
            self._to_round(now + rng.uniform(0.5, 7) * HOUR, OrderStatus.ACCEPTED, order)

    def _order(self, order_id: int) -> Order:
        return Order.objects.get(pk=order_id)

    def _cancel(self, order_id: int) -> None:
        order = self._order(order_id)
        order_cancel_by_customer(order=order, by=order.customer, reason="Ordered by mistake.")
        self.stats.cancelled += 1

    def _reject(self, order_id: int) -> None:
        order = self._order(order_id)
        order_move_by_distributor(
            order=order,
            to_status=OrderStatus.REJECTED,
            by=self.staff[order.distributor_id],
            note="We cannot deliver to this address.",
        )
        self.stats.rejected += 1

    # --- Staff rounds: accepting and starting to pick, many orders at once -----------------

    def _round_at(self, earliest: datetime.datetime) -> datetime.datetime:
        """The first staff round at or after `earliest` (ROUND_HOURS, a few minutes past)."""
        day = timezone.localdate(earliest)
        while True:
            for hour in ROUND_HOURS:
                # Not on the hour sharp: a few minutes past, varying from day to day.
                minutes = (day.toordinal() * 17 + hour * 7) % 40
                moment = self._at(day, hour + minutes / 60)
                if moment >= earliest:
                    return moment
            day += DAY

    def _to_round(self, earliest: datetime.datetime, to_status: str, order: Order) -> None:
        """`order` waits for its distributor's first round at or after `earliest`."""
        key = (self._round_at(earliest), order.distributor_id, to_status)
        waiting = self._rounds.get(key)
        if waiting is None:
            waiting = self._rounds[key] = []
            self._schedule(key[0], self._round, key)
        waiting.append((order.pk, order.number))

    def _round(self, key: tuple) -> None:
        """A member of the distributor moves every order waiting for this round at once."""
        _moment, distributor_id, to_status = key
        waiting = self._rounds.pop(key)
        by = self.staff[distributor_id]
        if to_status == OrderStatus.SHIPPED:
            for start in range(0, len(waiting), BULK_SHIP_MAX):
                self._ship(distributor_id, waiting[start : start + BULK_SHIP_MAX])
            return
        for start in range(0, len(waiting), BULK_MAX_ORDERS):
            batch = waiting[start : start + BULK_MAX_ORDERS]
            results = orders_move_in_bulk(
                numbers=[number for _pk, number in batch], to_status=to_status, by=by
            )
            moved = {result.number for result in results if result.moved}
            for order_id, number in batch:
                if number not in moved:
                    continue
                now = timezone.now()
                if to_status == OrderStatus.ACCEPTED:
                    order = Order(pk=order_id, number=number, distributor_id=distributor_id)
                    later = now + self.rng.uniform(1, 10) * HOUR
                    self._to_round(later, OrderStatus.PROCESSING, order)
                else:
                    order = Order(pk=order_id, number=number, distributor_id=distributor_id)
                    later = now + self.rng.uniform(3, 30) * HOUR
                    self._to_round(later, OrderStatus.SHIPPED, order)

    def _ship(self, distributor_id: int, batch: list[tuple[int, str]]) -> None:
        """The orders picked since the last round leave together, each with its tracking
        reference (the order list's "Ship ticked"); their invoices are issued at dispatch."""
        results = orders_ship_in_bulk(
            numbers=[number for _pk, number in batch],
            by=self.staff[distributor_id],
            tracking_references={number: f"BD{pk:07d}IN" for pk, number in batch},
        )
        shipped = [result for result in results if result.shipped]
        self.stats.shipped += len(shipped)
        # Each shipment's invoice, in the order they were written.
        invoices = {
            number: (pk, due_date, shipment_id, status, buyer_org)
            for pk, due_date, shipment_id, number, status, buyer_org in Invoice.objects.filter(
                shipment__number__in=[name for result in shipped for name in result.shipments]
            )
            .order_by()
            .values_list(
                "pk",
                "due_date",
                "shipment_id",
                "shipment__number",
                "shipment__status",
                "buyer_organization_id",
            )
        }
        for result in shipped:
            for name in result.shipments:
                if name in invoices:
                    self._after_shipping(distributor_id, *invoices[name])

    def _after_shipping(
        self, distributor_id, invoice_id, due_date, shipment_id, status, buyer_org
    ) -> None:
        # The courier's report of the day's deliveries is recorded at a later round.
        handed_over = status == ShipmentStatus.DELIVERED  # a pickup
        delivery = None
        if not handed_over:
            delivery = self._to_delivery_round(
                timezone.now() + self.rng.uniform(20, 100) * HOUR, distributor_id, shipment_id
            )
        if buyer_org is None:  # a private customer pays on delivery
            moment = timezone.now() if handed_over else delivery
            self._schedule(moment, self._pay, invoice_id, PaymentMethod.UPI)
            return
        share = self.pay_rng.random()
        due = self._at(due_date, 11)
        if share < PAID_ON_TIME_SHARE:
            when = timezone.now() + (due - timezone.now()) * self.pay_rng.uniform(0.3, 1.0)
        elif share < PAID_ON_TIME_SHARE + PAID_LATE_SHARE:
            when = due + self.pay_rng.uniform(2, 45) * DAY
        else:
            return  # not paid yet
        cheque = self.pay_rng.random() < 0.2
        method = PaymentMethod.CHEQUE if cheque else PaymentMethod.BANK_TRANSFER
        self._schedule(when, self._pay, invoice_id, method)

    def _to_delivery_round(
        self, earliest: datetime.datetime, distributor_id: int, shipment_id: int
    ) -> datetime.datetime:
        """The shipment is recorded delivered at the distributor's first round after
        `earliest`, with the others of that round; returns the round's moment."""
        key = (self._round_at(earliest), distributor_id, "deliver")
        waiting = self._rounds.get(key)
        if waiting is None:
            waiting = self._rounds[key] = []
            self._schedule(key[0], self._deliver, key)
        waiting.append(shipment_id)
        return key[0]

    def _deliver(self, key: tuple) -> None:
        _moment, distributor_id, _what = key
        waiting = self._rounds.pop(key)
        by = self.staff[distributor_id]
        for start in range(0, len(waiting), SHIPMENTS_DELIVER_MAX):
            done = shipments_mark_delivered(
                shipment_ids=waiting[start : start + SHIPMENTS_DELIVER_MAX], by=by
            )
            self.stats.delivered += len(done)

    def _pay(self, invoice_id: int, method: str) -> None:
        invoice = Invoice.objects.only(
            "status", "total", "amount_credited", "amount_paid", "amount_refunded", "distributor"
        ).get(pk=invoice_id)
        if invoice.balance_due <= 0:
            return
        invoice_payment_record(
            invoice=invoice,
            amount=invoice.balance_due,
            method=method,
            reference=f"{method[:3].upper()}{invoice.pk:08d}",
            received_on=timezone.localdate(),
            by=self.staff[invoice.distributor_id],
        )
        self.stats.paid += 1

    # --- Procurement ------------------------------------------------------------------

    def _procure(self) -> None:
        """The morning round: approve what is open; each supplier answers within hours."""
        open_ids = list(
            ProcurementRequest.objects.filter(status=RequestStatus.OPEN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not open_ids:
            return
        try:
            orders = procurement_requests_approve(request_ids=open_ids, by=self.procurement)
        except ValidationError as exc:  # a request without a supplier cost: left for staff
            logger.info("Demo history: approval skipped: %s", exc)
            return
        now = timezone.now()
        for po in orders:
            self.stats.purchase_orders += 1
            if po.status != POStatus.SENT:
                continue  # waiting for a second approver: left for staff to see
            self._schedule(now + self.rng.uniform(1, 20) * HOUR, self._confirm, po.pk)

    def _confirm(self, po_id: int) -> None:
        po = PurchaseOrder.objects.select_related("supplier").get(pk=po_id)
        transfer = TransferOrder.objects.filter(purchase_order=po).first()
        if transfer is not None:
            # A distributor supplier answers by confirming its transfer (#23 §3); short of
            # stock, it leaves the request for its staff to see.
            try:
                transfer_confirm(transfer=transfer, by=None)
            except InsufficientStock as exc:
                logger.info("Demo history: transfer %s not confirmed: %s", transfer.number, exc)
                return
        else:
            purchase_order_confirm(purchase_order=po, responded_by=f"{po.supplier.name} sales desk")
        late = po.supplier.name == LATE_SUPPLIER
        days = self.rng.randint(3, 10) if late else -self.rng.randint(0, 2)
        arrival = self._at(po.expected_date + datetime.timedelta(days=days), 10.5)
        self._schedule(max(arrival, timezone.now() + HOUR), self._receive, po_id)

    def _receive(self, po_id: int) -> None:
        po = PurchaseOrder.objects.select_related("supplier").get(pk=po_id)
        lines = [
            (line.product_id, line.quantity - line.quantity_received)
            for line in po.lines.filter(quantity__gt=F("quantity_received")).order_by("pk")
        ]
        if not lines:
            return
        transfer = TransferOrder.objects.filter(purchase_order=po).first()
        if transfer is not None:
            # Its goods leave the supplier distributor's shelf and arrive as the transfer.
            transfer_ship(transfer=transfer, by=None)
            transfer_receive(
                transfer=transfer,
                by=None,
                received={line.pk: line.in_transit for line in transfer.lines.all()},
            )
        else:
            purchase_order_receive(
                purchase_order=po,
                lines=lines,
                by=self.procurement,
                note="Delivered by the supplier.",
            )
        self.stats.receipts += 1
        if timezone.localdate() > po.expected_date:
            self.stats.late_receipts += 1
