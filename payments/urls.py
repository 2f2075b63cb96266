"""Payment pages, mounted at /payments/."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("orders/<str:number>/", views.order_pay, name="order_pay"),
    path("invoices/<int:invoice_id>/pay/", views.invoice_pay, name="invoice_pay"),
    path("<int:pk>/", views.payment_detail, name="detail"),
    path("<int:pk>/checkout/", views.checkout, name="checkout"),
    path("<int:pk>/return/", views.payment_return, name="return"),
    path("<int:pk>/test-gateway/", views.test_gateway, name="test_gateway"),
    path("webhook/razorpay/", views.webhook, name="webhook"),
    path("settlements/", views.settlements, name="settlements"),
]
