from django.urls import path

from . import quick_order_views, views

urlpatterns = [
    path(
        "quick-order",
        quick_order_views.CustomerQuickOrderView.as_view(),
        name="api-quick-order",
    ),
    path("orders", views.OrderListCreateView.as_view(), name="api-order-list"),
    path("orders/<int:pk>", views.OrderDetailView.as_view(), name="api-order-detail"),
    path(
        "orders/<int:pk>/cancel-backorder",
        views.OrderBackorderCancelView.as_view(),
        name="api-order-backorder-cancel",
    ),
]
