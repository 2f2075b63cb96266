"""The returns report page (#17 §5), under /reports/returns/: by product, by reason and by
distributor, with the return rate. Permissioned as the other report pages (staff with
reporting.view_reports everything; a distributor its own; a manufacturer its products; a
retailer its purchases; customers 403). CSV/XLSX/PDF per table (`?export=csv&table=...`)."""

from . import charts, selectors
from .views import ReportPageView, Section


class ReturnsView(ReportPageView):
    url_name = "reporting:returns"
    title = "Returns"
    intro = (
        "Units of orders placed in the range: how many were delivered, how many came back "
        "(received, restockable or damaged), and the return rate = returned / delivered."
    )

    def filename(self, form, section):
        data = form.cleaned_data
        return f"returns-by-{section.key}-{data['start']}-{data['end']}"

    def sections(self, form):
        tables = selectors.returns_report(scope=self.scope, filters=form.filters())
        reason_chart = charts.bar_chart(
            [(r["reason"], r["returned"]) for r in tables["reason"].rows],
            title="Returned units by reason",
        )
        return [
            Section("product", tables["product"]),
            Section("reason", tables["reason"], [reason_chart]),
            Section("distributor", tables["distributor"]),
        ]
