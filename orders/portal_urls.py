"""The customer portal at /customer-portal/: catalog, cart, checkout, orders."""

from django.urls import path

from catalog import views as catalog_views

from . import views

app_name = "portal"

urlpatterns = [
    # The catalog is the portal's home: `dashboard` is what the navigation
    # and dashboard_url() use, `catalog` reads better in templates.
    path("", catalog_views.catalog, name="dashboard"),
    path("", catalog_views.catalog, name="catalog"),
    path("products/<slug:slug>/", catalog_views.product_detail, name="product"),
    path("stock/", catalog_views.stock_badges, name="stock"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/<int:product_id>/", views.cart_add, name="cart_add"),
    path("cart/update/<int:product_id>/", views.cart_update, name="cart_update"),
    path("cart/remove/<int:product_id>/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order"),
    path(
        "orders/<str:number>/confirmation/",
        views.OrderConfirmationView.as_view(),
        name="order_confirmation",
    ),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="order_cancel"),
]
