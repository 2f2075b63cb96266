"""The retailer's pages at /retailer/: dashboard, distributors, catalog, cart, checkout, orders."""

from django.urls import path

from accounts.views import retailer_dashboard

from . import retailer_views as views

app_name = "retailer"

urlpatterns = [
    path("", retailer_dashboard, name="dashboard"),
    path("distributors/", views.DistributorListView.as_view(), name="distributors"),
    path("distributors/<int:distributor_id>/", views.CatalogView.as_view(), name="catalog"),
    path("distributors/<int:distributor_id>/cart/", views.CartView.as_view(), name="cart"),
    path(
        "distributors/<int:distributor_id>/cart/add/<int:product_id>/",
        views.CartAddView.as_view(),
        name="cart_add",
    ),
    path(
        "distributors/<int:distributor_id>/cart/update/<int:product_id>/",
        views.CartChangeView.as_view(),
        name="cart_update",
    ),
    path(
        "distributors/<int:distributor_id>/cart/remove/<int:product_id>/",
        views.CartChangeView.as_view(remove=True),
        name="cart_remove",
    ),
    path(
        "distributors/<int:distributor_id>/checkout/",
        views.CheckoutView.as_view(),
        name="checkout",
    ),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="order_cancel"),
]
