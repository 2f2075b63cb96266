"""A distributor's credit terms API, mounted at /api/distributor/."""

from django.urls import path

from . import credit_views as views

urlpatterns = [
    path("credit-terms", views.CreditTermsListView.as_view(), name="api-distributor-credit-terms"),
    path(
        "credit-terms/<int:pk>",
        views.CreditTermsDetailView.as_view(),
        name="api-distributor-credit-terms-detail",
    ),
]
