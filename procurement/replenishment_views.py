"""The replenishment screen: procurement staff see every distributor's low items at
/procurement/replenishment/, a distributor its own at /distributor/replenishment/.

One view parametrized by the actor (conventions 14): the actor decides the scope
(all distributors, or the user's own organization) and whether "order now" also
approves (procurement staff may; a distributor's "order now" opens requests that
staff approve). `?export=csv|xlsx` downloads every filtered row through
reporting.exports, the export of the report pages.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from accounts.models import Organization, Role
from catalog.views import clean_query
from inventory.models import StockItem
from reporting.exports import export_response

from .exceptions import ProcurementConflict
from .models import POStatus
from .replenishment import (
    replenishment_items,
    replenishment_page,
    replenishment_rows,
    replenishment_table,
)
from .replenishment_actions import (
    MAX_SNOOZE_DAYS,
    replenishment_order_now,
    replenishment_snooze,
)
from .replenishment_forms import ReplenishmentActionForm, ReplenishmentFilterForm

PAGE_SIZE = 50
EXPORTS = ("csv", "xlsx")
# Rows filled per batch for an export (keeps each IN list short) and at most this many rows.
EXPORT_BATCH = 500
MAX_EXPORT_ROWS = 20_000
STAFF, DISTRIBUTOR = "staff", "distributor"


def actor_scope(user, actor: str) -> Organization | None:
    """The distributor whose items the user sees (None: all), or PermissionDenied."""
    if actor == STAFF:
        if not user.is_procurement_staff:
            raise PermissionDenied("Only procurement staff see every distributor's replenishment.")
        return None
    if not user.has_role(Role.DISTRIBUTOR) or user.organization_id is None:
        raise PermissionDenied("Only distributor accounts see their replenishment.")
    return user.organization


def scoped_items(*, ids, distributor: Organization | None) -> list[StockItem]:
    """The stock items with these ids that the actor may act on; ValidationError names any other."""
    items = StockItem.objects.filter(pk__in=ids).select_related("product", "distributor")
    if distributor is not None:
        items = items.filter(distributor=distributor)
    found = list(items.order_by("pk"))
    missing = sorted(set(ids) - {item.pk for item in found})
    if missing:
        raise ValidationError({"items": f"No such stock item: {', '.join(map(str, missing))}."})
    return found


def _with_transfer_suggestions(rows):
    """Each row's `transfer`: a transfer to try before a purchase (#23 §4), or None.

    Imported here, not at the top: transfers depends on procurement (a PO's
    transfer), and the screen is the one place procurement reads transfers.
    """
    from transfers.suggestions import transfer_suggestions

    suggestions = transfer_suggestions(rows)
    for row in rows:
        row.transfer = suggestions.get(row.item.pk)
    return rows


class ReplenishmentView(LoginRequiredMixin, View):
    actor = STAFF
    template_name = "procurement/replenishment.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.distributor = actor_scope(request.user, self.actor)
        return super().dispatch(request, *args, **kwargs)

    @property
    def url(self) -> str:
        return reverse(
            "procurement:replenishment" if self.actor == STAFF else "distributor:replenishment"
        )

    def get(self, request):
        return self.render_page(request, ReplenishmentActionForm())

    def post(self, request):
        form = ReplenishmentActionForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        data = form.cleaned_data
        try:
            items = scoped_items(ids=data["items"], distributor=self.distributor)
            if data["action"] == form.ORDER:
                result = replenishment_order_now(items=items, by=request.user)
                text = (
                    f"{len(result.opened)} request{'s' if len(result.opened) != 1 else ''} opened"
                )
                if result.purchase_orders:
                    numbers = ", ".join(
                        po.number
                        + (
                            " (awaits a second approver)"
                            if po.status == POStatus.AWAITING_APPROVAL
                            else ""
                        )
                        for po in result.purchase_orders
                    )
                    text += f"; approved: {numbers}"
                elif self.actor == DISTRIBUTOR:
                    text += "; procurement staff approve them"
                messages.success(request, text + ".")
            else:
                until = data["until"] if data["action"] == form.SNOOZE else None
                count = replenishment_snooze(items=items, until=until)
                messages.success(
                    request,
                    f"{count} item{'s' if count != 1 else ''} "
                    + (f"snoozed until {until:%d %b %Y}." if until else "no longer snoozed."),
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.render_page(request, form, status=400)
        except ProcurementConflict as exc:
            form.add_error(None, exc.message)
            return self.render_page(request, form, status=409)
        query = clean_query(request)
        return redirect(f"{self.url}?{query.urlencode()}" if query else self.url)

    def render_page(self, request, action_form, status: int = 200):
        filters = ReplenishmentFilterForm(request.GET, staff=self.actor == STAFF)
        items = replenishment_items(filters=filters.filters(), distributor=self.distributor)
        fmt = request.GET.get("export")
        if fmt:
            return self.export(items, fmt, filters)
        page, page_items = replenishment_page(
            items, number=request.GET.get("page"), per_page=PAGE_SIZE
        )
        paginator = page.paginator
        query = clean_query(request)
        query.pop("page", None)
        context = {
            "actor": self.actor,
            "filters": filters,
            "action_form": action_form,
            "page": page,
            "rows": _with_transfer_suggestions(replenishment_rows(page_items)),
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "query": query,
            "url": self.url,
            "exports": [(f.upper(), f) for f in EXPORTS],
            "max_snooze_days": MAX_SNOOZE_DAYS,
            "may_approve": request.user.is_procurement_staff,
        }
        return render(request, self.template_name, context, status=status)

    def export(self, items, fmt: str, filters: ReplenishmentFilterForm):
        if fmt not in EXPORTS:
            raise BadRequest(f"Unknown export format {fmt!r}: use one of {', '.join(EXPORTS)}.")
        rows = []
        chunk = []
        for item in items[:MAX_EXPORT_ROWS].iterator(chunk_size=EXPORT_BATCH):
            chunk.append(item)
            if len(chunk) == EXPORT_BATCH:
                rows.extend(replenishment_rows(chunk))
                chunk = []
        rows.extend(replenishment_rows(chunk))
        table = replenishment_table(rows, filters=filters.labels())
        return export_response(table, fmt, filename="replenishment")
