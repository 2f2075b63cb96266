"""The distributor's order pages (under /distributor/orders/): incoming orders and their moves.

Distributors only (another role gets 403), scoped to the user's organization
(another distributor's order is 404). Each move is a CSRF-protected POST
through orders.transitions.order_move_by_distributor: a missing reason or
tracking reference is a form error, a move the order's status does not allow
re-shows the page with HTTP 409 and the allowed moves named.
"""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin
from catalog.views import clean_query
from invoicing.credit import credit_row_for_order

from .bulk_moves import BULK_MAX_ORDERS, BULK_MOVES, orders_move_in_bulk
from .bulk_shipping import orders_ship_in_bulk
from .distributor_forms import DistributorOrderFilterForm, OrderMoveForm, ShipmentForm
from .exceptions import IllegalTransition
from .models import RETURNS_STOCK, Order, OrderStatus
from .selectors import DISTRIBUTOR_ORDER_SORTS, order_for_distributor, orders_for_distributor
from .shipments import SHIPS_FROM, TRACKING_MAX_LENGTH
from .transitions import order_move_by_distributor

ORDERS_PAGE_SIZE = 20
# Orders whose allocated units a pick list can name.
PICKABLE = (OrderStatus.ACCEPTED, OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED)


@dataclass(frozen=True)
class Move:
    button: str
    tone: str  # Bootstrap button style
    note_label: str
    note_required: bool = False
    tracking: bool = False
    help: str = ""


MOVES = {
    OrderStatus.PLACED: Move(
        "Release (approve credit)",
        "success",
        "Note to the buyer (optional)",
        help="The order is over the buyer's credit limit. Releasing it approves the credit: "
        "it goes on as placed, and the buyer is told.",
    ),
    OrderStatus.ACCEPTED: Move(
        "Accept order",
        "success",
        "Note to the buyer (optional)",
        help="The buyer is told the order is accepted, with its estimated delivery.",
    ),
    OrderStatus.PROCESSING: Move(
        "Start processing", "primary", "Note (optional)", help="Picking and packing has begun."
    ),
    OrderStatus.SHIPPED: Move(
        "Mark as shipped",
        "primary",
        "Note (optional)",
        tracking=True,
        help="The buyer gets the tracking reference.",
    ),
    OrderStatus.DELIVERED: Move(
        "Mark as delivered", "success", "Note (optional)", help="The order is complete."
    ),
    OrderStatus.REJECTED: Move(
        "Reject order",
        "outline-danger",
        "Reason for rejecting",
        note_required=True,
        help="The stock goes back on the shelf; the buyer reads the reason.",
    ),
    OrderStatus.CANCELLED: Move(
        "Cancel order",
        "outline-danger",
        "Reason for cancelling",
        note_required=True,
        help="The stock goes back on the shelf; the buyer reads the reason.",
    ),
}


def move_form(status: str, data=None) -> OrderMoveForm:
    move = MOVES[status]
    form = OrderMoveForm(data, auto_id=f"id_{status}_%s", initial={"status": status})
    form.fields["note"].label = move.note_label
    if move.note_required:
        form.fields["note"].widget.attrs["required"] = True
    if move.tracking:
        form.fields["tracking_reference"].widget.attrs.update(
            required=True, placeholder="e.g. BLUEDART 7788123456"
        )
    else:
        del form.fields["tracking_reference"]
    return form


def _order(request, number: str) -> Order:
    try:
        return order_for_distributor(distributor=request.user.organization, number=number)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


# The list's columns: (label, sort key or None, numeric). A key with a "-" twin
# in DISTRIBUTOR_ORDER_SORTS toggles, starting with the larger / newer first.
COLUMNS = (
    ("Order", "number", False),
    ("Placed", "placed", False),
    ("Buyer", "buyer", False),
    ("Items", None, False),
    ("Status", "status", False),
    ("Total", "total", True),
    ("Promised", "promised", False),
    ("Requested", "requested", False),
)


def sort_columns(query, current: str) -> list[dict]:
    """The header cells: each sortable one links to the list sorted by it (first page)."""
    columns = []
    for label, key, numeric in COLUMNS:
        href = direction = None
        if key is not None:
            toggles = f"-{key}" in DISTRIBUTOR_ORDER_SORTS
            if current == key:
                direction = "ascending"
            elif current == f"-{key}":
                direction = "descending"
            target = key if (not toggles or current == f"-{key}") else f"-{key}"
            params = query.copy()
            params["sort"] = target
            params.pop("page", None)
            href = "?" + params.urlencode()
        columns.append({"label": label, "href": href, "direction": direction, "numeric": numeric})
    return columns


class DistributorOrderListView(RoleRequiredMixin, View):
    """Incoming orders, newest first; filtered by status and the day placed; 20 a page."""

    roles = (Role.DISTRIBUTOR,)

    def get(self, request):
        form = DistributorOrderFilterForm(request.GET)
        filters = form.cleaned_data if form.is_valid() else {}
        orders = orders_for_distributor(
            distributor=request.user.organization,
            status=filters.get("status", ""),
            placed_from=filters.get("placed_from"),
            placed_to=filters.get("placed_to"),
            search=filters.get("q", ""),
            sort=filters.get("sort", ""),
        )
        paginator = Paginator(orders, ORDERS_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        context = {
            "form": form,
            "page": page,
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "query": clean_query(request),
            "filtered": any(value for key, value in filters.items() if key != "sort"),
            "pickable": PICKABLE,
            "tickable": (OrderStatus.PLACED, *PICKABLE),
            "bulk_results": request.session.pop(BULK_RESULTS_KEY, None),
            "tracking_max_length": TRACKING_MAX_LENGTH,
            "columns": sort_columns(clean_query(request), filters.get("sort") or "-placed"),
        }
        return render(request, "distributor/order_list.html", context)


BULK_RESULTS_KEY = "distributor_bulk_results"


class DistributorOrderBulkView(RoleRequiredMixin, View):
    """POST from the list: accept, start processing or ship the ticked orders, or print their
    pick list.

    Each order moves (orders.bulk_moves) or ships (orders.bulk_shipping) on its own; the
    list is shown again, with the filters it had, and a line per order saying what happened.
    """

    roles = (Role.DISTRIBUTOR,)

    def get(self, request):
        return redirect("distributor:orders")

    def post(self, request):
        numbers = request.POST.getlist("order")
        action = request.POST.get("action", "")
        back = reverse("distributor:orders")
        query = request.POST.get("query", "")
        if query.startswith("?") and len(query) <= 1000:
            back += query
        if not numbers:
            messages.error(request, "Tick the orders first.")
            return redirect(back)
        if action == "pick_list":
            return redirect(
                reverse("distributor:pick_list") + "?" + urlencode({"order": numbers}, doseq=True)
            )
        if action not in BULK_MOVES and action != "ship":
            messages.error(request, "Choose what to do with the ticked orders.")
            return redirect(back)
        if len(numbers) > BULK_MAX_ORDERS:
            messages.error(request, f"Tick at most {BULK_MAX_ORDERS} orders at once.")
            return redirect(back)
        if action == "ship":
            try:
                shipped = orders_ship_in_bulk(
                    numbers=numbers,
                    by=request.user,
                    tracking_reference=request.POST.get("tracking_reference", ""),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(back)
            rows = [{"number": r.number, "moved": r.shipped, "message": r.message} for r in shipped]
        else:
            results = orders_move_in_bulk(numbers=numbers, to_status=action, by=request.user)
            rows = [asdict(result) for result in results]
        moved = sum(row["moved"] for row in rows)
        request.session[BULK_RESULTS_KEY] = {
            "action": "shipped" if action == "ship" else BULK_MOVES[action],
            "moved": moved,
            "failed": len(rows) - moved,
            "rows": rows,
        }
        return redirect(back)


class DistributorOrderDetailView(RoleRequiredMixin, View):
    """The order with its buyer, lines and history, and a form for each move it allows now."""

    roles = (Role.DISTRIBUTOR,)

    def get(self, request, number: str):
        return self.render_page(request, _order(request, number))

    def render_page(
        self,
        request,
        order: Order,
        failed: OrderMoveForm | None = None,
        status=200,
        ship_form: ShipmentForm | None = None,
    ):
        if ship_form is None and order.status in SHIPS_FROM:
            ship_form = ShipmentForm(order=order)
        if ship_form is not None and not ship_form.lines:
            ship_form = None  # nothing allocated: the backordered units wait for stock
        moves = []
        for to_status in order.allowed_next:
            if to_status == OrderStatus.SHIPPED:
                continue  # the shipment form ships, all or part
            form = failed if failed is not None and failed.data.get("status") == to_status else None
            form = form or move_form(to_status)
            moves.append({"status": to_status, "move": MOVES[to_status], "form": form})
        credit = None
        if order.status == OrderStatus.CREDIT_HOLD:
            credit = credit_row_for_order(order)
        return render(
            request,
            "distributor/order_detail.html",
            {"order": order, "moves": moves, "ship_form": ship_form, "credit": credit},
            status=status,
        )


class DistributorOrderMoveView(DistributorOrderDetailView):
    def get(self, request, number: str):
        return redirect("distributor:order", number=number)

    def post(self, request, number: str):
        order = _order(request, number)
        to_status = request.POST.get("status", "")
        if to_status not in MOVES:
            messages.error(request, "Choose one of the moves below.")
            return self.render_page(request, order, status=400)
        form = move_form(to_status, request.POST)
        if form.is_valid():
            try:
                order_move_by_distributor(
                    order=order,
                    to_status=to_status,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    tracking_reference=form.cleaned_data.get("tracking_reference", ""),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except IllegalTransition as exc:
                messages.error(request, str(exc))
                return self.render_page(request, _order(request, number), status=409)
        if not form.is_valid():
            return self.render_page(request, order, failed=form)
        label = OrderStatus(to_status).label.lower()
        text = f"Order {order.number} is now {label}."
        if to_status == OrderStatus.PLACED:
            text = f"Order {order.number} is released: its credit is approved."
        if to_status in RETURNS_STOCK:
            text += " Its stock is back on the shelf."
        messages.success(request, text + " The buyer has been notified.")
        return redirect("distributor:order", number=order.number)
