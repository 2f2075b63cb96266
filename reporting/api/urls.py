"""/api/reports/...: the monthly and sales reports, as JSON and as CSV (`.csv`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("monthly", views.MonthlyReportView.as_view(), name="api-reports-monthly"),
    path("sales", views.SalesReportView.as_view(), name="api-reports-sales"),
    path("monthly.csv", views.MonthlyReportCSVView.as_view(), name="api-reports-monthly-csv"),
    path("sales.csv", views.SalesReportCSVView.as_view(), name="api-reports-sales-csv"),
]
