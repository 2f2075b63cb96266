"""The retailer's own page: choosing the distributor to order from.

Everything after that choice (catalog, product, cart, checkout, orders) is
the one buying flow of orders.views, with the organization as the buyer
(orders.buyer); retailer_urls mounts it with `channel=RETAILER`.
"""

from django.shortcuts import render
from django.views import View

from catalog.views import clean_query

from .buyer import RETAILER
from .selectors import distributors_to_order_from
from .views import BuyerView, _page

DISTRIBUTORS_PAGE_SIZE = 24


class DistributorListView(BuyerView, View):
    """Every distributor to order from, with what it has in stock and the caller's cart there."""

    channel = RETAILER

    def get(self, request):
        page, page_range = _page(
            distributors_to_order_from(user=request.user), request, DISTRIBUTORS_PAGE_SIZE
        )
        return render(
            request,
            "retailer/distributors.html",
            self.context(page=page, page_range=page_range, query=clean_query(request)),
        )
