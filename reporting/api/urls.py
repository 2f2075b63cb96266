"""/api/reports/...: the monthly and sales reports (JSON, or CSV with ?format=csv)."""

from django.urls import path

from . import views

urlpatterns = [
    path("monthly", views.MonthlyReportView.as_view(), name="api-reports-monthly"),
    path("sales", views.SalesReportView.as_view(), name="api-reports-sales"),
]
