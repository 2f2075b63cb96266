"""The URL patterns of the buying flow, built once for each channel.

/customer-portal/ mounts them at its root; /retailer/ mounts the shop under
distributors/<id>/ and the orders at orders/ (see portal_urls, retailer_urls).
"""

from django.urls import path

from . import checkout_views, quick_views, views
from .buyer import PORTAL


def shop_paths(channel: str) -> list:
    """Catalog, product page, stock badges, cart and checkout at one distributor."""

    def view(view_class, **kwargs):
        return view_class.as_view(channel=channel, **kwargs)

    return [
        path("", view(views.CatalogView), name="catalog"),
        path("products/<slug:slug>/", view(views.ProductView), name="product"),
        path("stock/", view(views.StockView), name="stock"),
        path("cart/", view(views.CartView), name="cart"),
        path("cart/add/<int:product_id>/", view(views.CartAddView), name="cart_add"),
        path("cart/update/<int:product_id>/", view(views.CartChangeView), name="cart_update"),
        path(
            "cart/remove/<int:product_id>/",
            view(views.CartChangeView, remove=True),
            name="cart_remove",
        ),
        path("checkout/", view(checkout_views.CheckoutView), name="checkout"),
        path("quick-order/", view(quick_views.QuickOrderView), name="quick_order"),
    ]


def order_paths(channel: str) -> list:
    """The buyer's orders, one order, its confirmation and cancelling it."""

    def view(view_class):
        return view_class.as_view(channel=channel)

    paths = [
        path("orders/", view(views.OrderListView), name="orders"),
        path("orders/<str:number>/", view(views.OrderDetailView), name="order"),
        path("orders/<str:number>/cancel/", view(views.OrderCancelView), name="order_cancel"),
        path("orders/<str:number>/again/", view(quick_views.OrderAgainView), name="order_again"),
        path(
            "orders/<str:number>/cancel-backorder/",
            view(views.OrderBackorderCancelView),
            name="order_backorder_cancel",
        ),
    ]
    if channel == PORTAL:
        # The portal thanks the buyer on a page of its own; a retailer lands on
        # the order it tracks (Buyer.after_checkout).
        paths.append(
            path(
                "orders/<str:number>/confirmation/",
                view(views.OrderConfirmationView),
                name="order_confirmation",
            )
        )
    return paths
