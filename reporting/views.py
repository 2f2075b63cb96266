"""Report pages under /reports/: the overview dashboard and one page per report.

Every page reads the user's ReportScope (staff with reporting.view_reports:
everything; a manufacturer its products; a distributor its own sales and
stock; a retailer its purchases; customers 403, visitors log in). Figures
come from reporting.selectors as ReportTables; the page, and its exports
(`?export=csv|xlsx|pdf`, `&table=<key>` where a page has several tables),
render the same table with the same filters, the PDF with the same charts.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views import View

from accounts.models import Organization
from jobs.selectors import job_get_for_owner, job_status_payload
from loyalty.selectors import points_totals

from . import charts, selectors, services
from .export_jobs import report_export_start, runs_in_background
from .exports import EXPORT_FORMATS, display_text, export_response
from .forms import GROUP_LABELS, MonthlyFilterForm, RangeFilterForm, SalesFilterForm
from .paging import Pager, paginate
from .selectors import DurationStats, Ratio, ReportScope
from .tables import Column, ReportTable

COVER_ITEMS = 10  # the overview's stock cover chart: the items with the least cover

PAGES = (
    ("reporting:sales", "Sales"),
    ("reporting:monthly", "Monthly"),
    ("reporting:fulfillment", "Fulfillment"),
    ("reporting:stock", "Stock"),
    ("reporting:procurement", "Procurement"),
    ("reporting:receivables", "Receivables"),
    ("reporting:returns", "Returns"),
)
STOCK_PAGES = {"reporting:stock", "reporting:procurement"}
# Aged receivables (reporting.receivables): distributors and finance staff only.
RECEIVABLES_PAGES = {"reporting:receivables"}


def has_stock(scope: ReportScope) -> bool:
    """Retailers buy; they hold no stock in AuroMart and place no purchase orders."""
    return scope.kind != Organization.Kind.RETAILER


def scope_name(scope: ReportScope) -> str:
    return scope.organization.name if scope.organization else "All organizations"


@dataclass
class Section:
    """One table on a page, with its charts (the PDF export carries the same ones).

    `table` is the whole table (the downloads hold it all); `shown` is the page of its rows
    the page displays (reporting.paging), with `pager` to move between them.
    """

    key: str
    table: ReportTable
    charts: list[str] = field(default_factory=list)
    exports: list[tuple[str, str]] = field(default_factory=list)
    shown: ReportTable | None = None
    pager: Pager | None = None

    @property
    def safe_charts(self) -> list[str]:
        return [mark_safe(chart) for chart in self.charts]  # escaped in charts.py


def measures_table(title: str, subtitle: str, rows: list[dict], hits_label: str) -> ReportTable:
    """Durations and ratios side by side: count, mean/median/p90 hours, or met / rate."""
    return ReportTable(
        title=title,
        columns=[
            Column("measure", "Measure"),
            Column("count", "Count", "int"),
            Column("mean_hours", "Mean, hours", "decimal"),
            Column("median_hours", "Median, hours", "decimal"),
            Column("p90_hours", "p90, hours", "decimal"),
            Column("hits", hits_label, "int"),
            Column("rate", "Rate", "percent"),
        ],
        rows=rows,
        subtitle=subtitle,
    )


def duration_row(label: str, stats: DurationStats) -> dict:
    return {
        "measure": label,
        "count": stats.count,
        "mean_hours": stats.mean_hours,
        "median_hours": stats.median_hours,
        "p90_hours": stats.p90_hours,
        "hits": None,
        "rate": None,
    }


def ratio_row(label: str, ratio: Ratio) -> dict:
    return {
        "measure": label,
        "count": ratio.denominator,
        "mean_hours": None,
        "median_hours": None,
        "p90_hours": None,
        "hits": ratio.numerator,
        "rate": ratio.rate,
    }


def duration_chart(title: str, stats: DurationStats) -> str:
    return charts.bar_chart(
        [
            ("Mean", stats.mean_hours),
            ("Median", stats.median_hours),
            ("90th percentile", stats.p90_hours),
        ]
        if stats.count
        else [],
        title=title,
    )


def stock_label(scope: ReportScope, row: dict) -> str:
    if scope.kind == Organization.Kind.DISTRIBUTOR:
        return row["product"]
    return f"{row['product']} · {row['distributor']}"


def cover_label(scope: ReportScope, row: dict) -> str:
    """The cover chart's row label: it has a line of its own, so the SKU fits in front."""
    return f"{row['sku']} · {stock_label(scope, row)}"


class ReportAccessMixin(LoginRequiredMixin):
    """Visitors log in; users without reports (customers) get 403."""

    needs_stock = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = ReportScope.for_user(request.user)  # PermissionDenied -> 403
        if self.needs_stock and not has_stock(self.scope):
            raise PermissionDenied("Retailers hold no stock and place no purchase orders.")
        return super().dispatch(request, *args, **kwargs)

    def sees_receivables(self) -> bool:
        from .receivables import may_see_receivables

        return may_see_receivables(self.request.user)

    def base_context(self) -> dict:
        return {
            "scope": self.scope,
            "scope_name": scope_name(self.scope),
            "report_pages": [
                {"url": reverse(name), "label": label, "current": name == self.url_name}
                for name, label in PAGES
                if (has_stock(self.scope) or name not in STOCK_PAGES)
                and (name not in RECEIVABLES_PAGES or self.sees_receivables())
            ],
            "has_stock": has_stock(self.scope),
        }


class ReportPageView(ReportAccessMixin, View):
    """A report page: the filter form, then its sections; `?export=` downloads a section."""

    template_name = "reporting/report.html"
    form_class = RangeFilterForm
    url_name = ""
    title = ""
    intro = ""

    def sections(self, form) -> list[Section]:
        """The page's tables and charts for the cleaned filters (each report page says)."""
        raise NotImplementedError(f"{type(self).__name__} must say which sections it shows")

    def filename(self, form, section: Section) -> str:
        data = form.cleaned_data
        return f"{section.key}-{data['start']}-{data['end']}"

    def get(self, request):
        form = self.form_class(request.GET, scope=self.scope)
        context = {**self.base_context(), "form": form, "title": self.title, "intro": self.intro}
        if form.is_valid():
            sections = self.sections(form)
            fmt = request.GET.get("export")
            if fmt:
                return self.export(form, sections, fmt, request.GET.get("table"))
            query = form.query()
            for section in sections:
                section.shown, section.pager = paginate(
                    section.table, key=section.key, query=request.GET
                )
                section.exports = [
                    (
                        fmt.upper(),
                        "?" + urlencode({**query, "export": fmt, "table": section.key}),
                        runs_in_background(section.table, fmt),
                    )
                    for fmt in EXPORT_FORMATS
                ]
            context.update(sections=sections, **self.extra_context(form, sections))
        return render(request, self.template_name, context)

    def extra_context(self, form, sections) -> dict:
        return {}

    def export(self, form, sections: list[Section], fmt: str, key: str | None):
        section = next((s for s in sections if s.key == key), sections[0] if not key else None)
        if section is None:
            raise BadRequest(f"No table {key!r} on this page.")
        if fmt in EXPORT_FORMATS and runs_in_background(section.table, fmt):
            job = report_export_start(
                owner=self.request.user,
                page=self.url_name,
                query=form.query(),
                fmt=fmt,
                key=section.key,
                label=f"{section.table.title} ({fmt.upper()}, {len(section.table.rows):,} rows)",
                rows=len(section.table.rows),
            )
            return redirect("reporting:export_job", public_id=job.public_id)
        return export_response(
            section.table, fmt, filename=self.filename(form, section), charts=section.charts
        )


class SalesView(ReportPageView):
    form_class = SalesFilterForm
    url_name = "reporting:sales"
    title = "Sales"
    intro = "Orders, units and revenue before tax, grouped as you choose."

    def filename(self, form, section):
        data = form.cleaned_data
        return f"sales-{data['group_by']}-{data['start']}-{data['end']}"

    def sections(self, form):
        filters = form.filters()
        group_by = form.cleaned_data["group_by"]
        table = selectors.sales_report(scope=self.scope, filters=filters, group_by=group_by)
        if group_by == "day":
            chart = charts.line_chart(
                charts.fill_days(
                    [(r["key"], r["revenue"]) for r in table.rows], filters.start, filters.end
                ),
                title="Revenue per day",
                money=True,
            )
        else:
            chart = charts.bar_chart(
                [(r["label"], r["revenue"]) for r in table.rows],
                title=f"Revenue by {GROUP_LABELS[group_by].lower()}",
                money=True,
            )
        return [Section("sales", table, [chart])]


class MonthlyView(ReportPageView):
    template_name = "reporting/monthly.html"
    form_class = MonthlyFilterForm
    url_name = "reporting:monthly"
    title = "Monthly report"
    intro = "One month: orders, revenue, tax, average cart, fulfillment and the best sellers."

    def filename(self, form, section):
        return f"monthly-{form.cleaned_data['year']}-{form.cleaned_data['month']:02d}"

    def sections(self, form):
        data = form.cleaned_data
        self.report = selectors.monthly_report(
            scope=self.scope, year=data["year"], month=data["month"], **form.narrowing()
        )
        # The same charts as the PDF e-mailed to staff on the first of the month.
        charts_ = services.monthly_report_charts(self.report)
        # The export is the whole report in one table (the summary, then each breakdown).
        return [Section("monthly", self.report.as_table(), charts_)]

    def extra_context(self, form, sections):
        r = self.report
        return {"report": r, "summary": r.summary(), "title": r.title}


class FulfillmentView(ReportPageView):
    url_name = "reporting:fulfillment"
    title = "Order fulfillment"
    intro = (
        "Placed to delivered, for orders placed in the range; fill rate: order lines that got "
        "all they asked for when ordered, out of every line asked for (including orders "
        "refused for short stock and backordered lines)."
    )

    def sections(self, form):
        filters = form.filters()
        times = selectors.fulfillment_times(scope=self.scope, filters=filters)
        fill = selectors.fill_rate(scope=self.scope, filters=filters)
        table = measures_table(
            "Order fulfillment",
            "Orders placed in the range.",
            [
                duration_row("Placed to delivered", times),
                ratio_row("Lines filled when ordered (fill rate)", fill),
            ],
            "Met",
        )
        table.filters = filters.labels()
        chart = duration_chart("Placed to delivered, hours", times)
        return [Section("fulfillment", table, [chart])]


class StockView(ReportPageView):
    needs_stock = True
    url_name = "reporting:stock"
    title = "Stock"
    intro = "Days of cover at the end of the range, and the stockouts in it."

    def sections(self, form):
        filters = form.filters()
        cover = selectors.days_of_cover(scope=self.scope, filters=filters)
        outs = selectors.stockouts(scope=self.scope, filters=filters)
        cover_chart = charts.cover_chart(
            [(cover_label(self.scope, r), r["cover"]) for r in cover.rows],
            title="Days of cover (least first)",
        )
        outs_chart = charts.bar_chart(
            [
                (stock_label(self.scope, r), r["days"])
                for r in sorted(outs.rows, key=lambda r: -r["days"])
            ],
            title="Days out of stock",
        )
        return [Section("cover", cover, [cover_chart]), Section("stockouts", outs, [outs_chart])]


class ProcurementView(ReportPageView):
    needs_stock = True
    url_name = "reporting:procurement"
    title = "Procurement performance"
    intro = (
        "Request to receipt (requests fulfilled in the range), supplier response (purchase "
        "orders sent in the range and answered) and supplier on-time rate (purchase orders "
        "received in the range by their expected date)."
    )

    def sections(self, form):
        filters = form.filters()
        receipt = selectors.request_to_receipt_time(scope=self.scope, filters=filters)
        response = selectors.supplier_response_time(scope=self.scope, filters=filters)
        on_time = selectors.supplier_on_time_rate(scope=self.scope, filters=filters)
        table = measures_table(
            "Procurement performance",
            "Durations in hours; the on-time rate counts purchase orders fully received.",
            [
                duration_row("Request to receipt", receipt),
                duration_row("Supplier response", response),
                ratio_row("Supplier on time", on_time),
            ],
            "On time",
        )
        table.filters = filters.labels()
        chart = charts.bar_chart(
            [
                ("Request to receipt", receipt.mean_hours),
                ("Supplier response", response.mean_hours),
            ]
            if receipt.count or response.count
            else [],
            title="Mean hours",
        )
        return [Section("procurement", table, [chart])]


def figure(id: str, label: str, value, kind: str, note: str = "") -> dict:
    return {"id": id, "label": label, "value": display_text(value, kind), "note": note}


def _n(value: int, one: str, many: str) -> str:
    return f"{value:,} {one if value == 1 else many}"


def loyalty_figures(filters) -> list[dict]:
    """The loyalty programme's totals for the range (staff's overview; loyalty.selectors)."""
    totals = points_totals(start=filters.start, end=filters.end + datetime.timedelta(days=1))
    return [
        figure(
            "loyalty-earned",
            "Points earned",
            totals["earned"],
            "int",
            f"{totals['returned']:,} returned from cancelled orders",
        ),
        figure(
            "loyalty-redeemed",
            "Points redeemed",
            totals["redeemed"],
            "int",
            f"{display_text(totals['discount'], 'money')} of discounts before GST",
        ),
        figure(
            "loyalty-expired",
            "Points expired",
            totals["expired"],
            "int",
            f"{totals['clawed_back']:,} taken back for returns",
        ),
        figure(
            "loyalty-outstanding",
            "Points outstanding",
            totals["outstanding"],
            "int",
            f"worth {display_text(totals['liability'], 'money')} today"
            + ("" if totals["enabled"] else " · programme paused"),
        ),
    ]


class OverviewView(ReportAccessMixin, View):
    url_name = "reporting:overview"

    def get(self, request):
        scope = self.scope
        form = RangeFilterForm(request.GET, scope=scope)
        context = {**self.base_context(), "form": form, "title": "Reports"}
        if form.is_valid():
            filters = form.filters()
            context.update(self.figures(scope, filters))
            query = form.query()
            context["links"] = {
                group: f"{reverse('reporting:sales')}?{urlencode({**query, 'group_by': group})}"
                for group in ("day", "distributor", "product")
            }
            context["links"]["stock"] = f"{reverse('reporting:stock')}?{urlencode(query)}"
        return render(request, "reporting/overview.html", context)

    def figures(self, scope, filters) -> dict:
        overview = selectors.overview(scope=scope, filters=filters)
        per_day = selectors.orders_per_day(scope=scope, filters=filters)
        by_distributor = selectors.sales_report(
            scope=scope, filters=filters, group_by="distributor"
        )
        by_product = selectors.sales_report(scope=scope, filters=filters, group_by="product")
        times = selectors.fulfillment_times(scope=scope, filters=filters)
        fill = selectors.fill_rate(scope=scope, filters=filters)
        figures = [
            figure(
                "orders",
                "Orders",
                overview.orders,
                "int",
                f"{display_text(overview.revenue, 'money')} before tax",
            ),
            figure("average-cart", "Average cart value", overview.average_cart_value, "money"),
            figure(
                "fulfillment",
                "Fulfillment, mean hours",
                times.mean_hours,
                "decimal",
                f"median {display_text(times.median_hours, 'decimal') or '—'} h · "
                + _n(times.count, "order delivered", "orders delivered"),
            ),
            figure(
                "fill-rate",
                "Fill rate",
                fill.rate,
                "percent",
                f"{fill.numerator:,} of {_n(fill.denominator, 'line', 'lines')} filled at once",
            ),
        ]
        context = {
            "overview": overview,
            "figures": figures,
            "orders_chart": mark_safe(
                charts.line_chart(
                    [(r["key"], r["orders"]) for r in per_day.rows], title="Orders per day"
                )
            ),
            "distributor_chart": mark_safe(
                charts.bar_chart(
                    [(r["label"], r["revenue"]) for r in by_distributor.rows],
                    title="Revenue by distributor",
                    money=True,
                )
            ),
            "products_chart": mark_safe(
                charts.bar_chart(
                    [(r["label"], r["revenue"]) for r in by_product.rows],
                    title="Top products by revenue",
                    money=True,
                )
            ),
        }
        if scope.kind == "all":
            context["loyalty"] = loyalty_figures(filters)
        if has_stock(scope):
            on_time = selectors.supplier_on_time_rate(scope=scope, filters=filters)
            turnover, response = overview.stock_turnover, overview.supplier_response
            figures += [
                figure(
                    "procurement-requests",
                    "Procurement requests",
                    overview.procurement_requests,
                    "int",
                    "generated in the range",
                ),
                figure(
                    "turnover",
                    "Stock turnover",
                    turnover.rate,
                    "decimal",
                    f"{_n(turnover.units_sold, 'unit', 'units')} sold / "
                    f"{display_text(turnover.average_on_hand, 'decimal')} on hand",
                ),
                figure(
                    "supplier-response",
                    "Supplier response, mean hours",
                    response.mean_hours,
                    "decimal",
                    _n(response.count, "purchase order answered", "purchase orders answered"),
                ),
                figure(
                    "on-time",
                    "Supplier on-time rate",
                    on_time.rate,
                    "percent",
                    f"{on_time.numerator:,} of {on_time.denominator:,} received on time",
                ),
            ]
            cover = selectors.days_of_cover(scope=scope, filters=filters)
            context["cover_chart"] = mark_safe(
                charts.cover_chart(
                    [(cover_label(scope, r), r["cover"]) for r in cover.rows],
                    title="Stock cover: the items that run out first",
                    max_items=COVER_ITEMS,
                )
            )
        return context


# The pages whose downloads may run as a job (reporting.export_jobs), by URL name.
BACKGROUND_EXPORT_PAGES = {
    view.url_name: view
    for view in (SalesView, MonthlyView, FulfillmentView, StockView, ProcurementView)
}


class ExportJobView(ReportAccessMixin, View):
    """GET /reports/exports/<id>/: a background download's progress, then its file."""

    url_name = "reporting:export_job"

    def get(self, request, public_id):
        job = job_get_for_owner(public_id=public_id, user=request.user)
        status = job_status_payload(job)
        context = {
            **self.base_context(),
            "title": "Preparing a download",
            "job": job,
            "status": status,
            "progress_url": reverse("jobs:progress", kwargs={"public_id": job.public_id}),
            "export_email_rows": settings.REPORT_EXPORT_EMAIL_ROWS,
            "file_url": reverse("jobs:file", kwargs={"public_id": job.public_id})
            if job.result_file
            else "",
        }
        return render(request, "reporting/export_job.html", context)
