from django.urls import path

from . import views

urlpatterns = [
    path("orders", views.OrderListCreateView.as_view(), name="api-order-list"),
    path("orders/<int:pk>", views.OrderDetailView.as_view(), name="api-order-detail"),
    path(
        "orders/<int:pk>/cancel-backorder",
        views.OrderBackorderCancelView.as_view(),
        name="api-order-backorder-cancel",
    ),
]
