"""The payment API: /api/payments and /api/payments/{id}."""

from django.urls import path

from . import views

urlpatterns = [
    path("payments", views.PaymentStartView.as_view(), name="api-payment-start"),
    path("payments/<int:pk>", views.PaymentDetailView.as_view(), name="api-payment-detail"),
]
