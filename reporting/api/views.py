"""The report API: /api/reports/monthly and /api/reports/sales as JSON, and
/api/reports/monthly.csv and /api/reports/sales.csv as CSV.

Scoped like every report (reporting.selectors.ReportScope): staff with
reporting.view_reports see everything, organizations their own part;
customers get 403. The CSV operations answer text/csv
(reporting.tables.table_csv: a header of column keys, the rows, a TOTAL row);
errors stay JSON. The CSV is a separate operation, so that a client generated
from the schema parses each response by one media type; the JSON operations
still answer `?format=csv` as before (no longer documented).
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema

from .. import selectors
from ..tables import table_csv
from .serializers import (
    MonthlyQuerySerializer,
    MonthlyReportSerializer,
    SalesQuerySerializer,
    SalesReportSerializer,
)


class CSVRenderer(BaseRenderer):
    """Passes through the CSV text a view made (the view picks it by `?format=csv`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset) if isinstance(data, str) else data


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is bad input (400 naming the field), not a missing page (DRF's 404)."""

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            choices = ", ".join(renderer.format for renderer in renderers)
            raise exceptions.ValidationError({"format": [f"Choose one of: {choices}."]})
        return matching


class CanSeeReports(BasePermission):
    message = "Reports are for organizations and staff; customers have none."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        try:
            view.scope = selectors.ReportScope.for_user(user)
        except PermissionDenied:
            return False
        return True


class CSVOnlyNegotiation(DefaultContentNegotiation):
    """The CSV operations: text/csv whatever the Accept header says (errors stay JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return CSVRenderer(), CSVRenderer.media_type


# `?format=csv` still works on the JSON operations, undocumented: each operation
# documents one media type.
NO_FORMAT = OpenApiParameter("format", exclude=True)
CSV_DESCRIPTION = (
    " As CSV: a header of column keys, one line per row, and a TOTAL line where the "
    "report has totals."
)
# Errors are JSON even when CSV was asked for.
ERRORS = {
    (400, "application/json"): schema.VALIDATION_ERROR,
    (401, "application/json"): schema.UNAUTHORIZED,
    (403, "application/json"): schema.FORBIDDEN,
}
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="The report as CSV.")


class ReportAPIView(APIView):
    permission_classes = [CanSeeReports]
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_negotiation_class = FormatNegotiation
    filter_backends = []
    scope: selectors.ReportScope

    def wants_csv(self) -> bool:
        return getattr(self.request.accepted_renderer, "format", "") == "csv"

    def handle_exception(self, exc):
        # An error is a JSON body, whatever format was asked for.
        if getattr(self.request, "accepted_renderer", None) is not None and self.wants_csv():
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def csv(self, table, filename: str) -> Response:
        response = Response(table_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class MonthlyReportView(ReportAPIView):
    @extend_schema(
        summary="Monthly report",
        description=(
            "One month's sales in your scope: orders (placed, sold, cancelled, rejected), units, "
            "revenue before tax, tax and total, average cart value, fulfillment times "
            "(placed -> delivered, hours), top products, revenue by distributor and by region. "
            "Sales are orders other than rejected and cancelled, dated by when they were placed."
        ),
        parameters=[MonthlyQuerySerializer, NO_FORMAT],
        responses={(200, "application/json"): MonthlyReportSerializer, **ERRORS},
    )
    def get(self, request):
        query = MonthlyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, month = query.validated_data["year"], query.validated_data["month"]
        report = selectors.monthly_report(
            scope=self.scope, year=year, month=month, **query.narrowing()
        )
        if self.wants_csv():
            return self.csv(report.as_table(), f"monthly-{year}-{month:02d}.csv")
        return Response(MonthlyReportSerializer(report).data)


class SalesReportView(ReportAPIView):
    @extend_schema(
        summary="Sales report",
        description=(
            "Orders, units and revenue (before tax) in your scope between `start` and `end` "
            "(inclusive local dates), grouped by product, category, distributor, region or day; "
            "best sellers first (days in date order), with a totals row."
        ),
        parameters=[SalesQuerySerializer, NO_FORMAT],
        responses={(200, "application/json"): SalesReportSerializer, **ERRORS},
    )
    def get(self, request):
        query = SalesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.filters()
        group_by = query.validated_data["group_by"]
        table = selectors.sales_report(scope=self.scope, filters=filters, group_by=group_by)
        if self.wants_csv():
            return self.csv(table, f"sales-{group_by}-{filters.start}-{filters.end}.csv")
        return Response(
            SalesReportSerializer(
                {
                    "title": table.title,
                    "group_by": group_by,
                    "start": filters.start,
                    "end": filters.end,
                    "filters": table.filters,
                    "rows": table.rows,
                    "totals": table.totals,
                }
            ).data
        )


class MonthlyReportCSVView(MonthlyReportView):
    content_negotiation_class = CSVOnlyNegotiation

    @extend_schema(
        summary="Monthly report as CSV",
        description="The monthly report's figures, as `GET /api/reports/monthly`."
        + CSV_DESCRIPTION,
        operation_id="reports_monthly_csv",
        parameters=[MonthlyQuerySerializer, NO_FORMAT],
        responses={(200, "text/csv"): CSV_RESPONSE, **ERRORS},
    )
    def get(self, request):
        return super().get(request)


class SalesReportCSVView(SalesReportView):
    content_negotiation_class = CSVOnlyNegotiation

    @extend_schema(
        summary="Sales report as CSV",
        description="The sales report's rows, as `GET /api/reports/sales`." + CSV_DESCRIPTION,
        operation_id="reports_sales_csv",
        parameters=[SalesQuerySerializer, NO_FORMAT],
        responses={(200, "text/csv"): CSV_RESPONSE, **ERRORS},
    )
    def get(self, request):
        return super().get(request)
