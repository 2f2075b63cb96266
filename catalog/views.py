"""Helpers of the shop's pages, shared by every app's list pages.

The shop's pages themselves (catalog grid, product page, stock badges) are
the buying flow's, in orders.views: one set of views for the customer portal
and the retailer, parametrized by the buyer (orders.buyer). The portal sells
from the default store (catalog.selectors.default_store).
"""

from django.http import QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

from accounts.models import BUYER_ROLES, Organization

from .selectors import default_store


def portal_store(request) -> Organization | None:
    """The distributor the portal sells from, looked up once per request.

    The views and the navbar's cart badge share it through the request.
    """
    try:
        return request._portal_store
    except AttributeError:
        request._portal_store = default_store()
        return request._portal_store


def can_buy(user) -> bool:
    """Visitors may fill a cart (they sign in at checkout); of users, customers and retailers."""
    return not user.is_authenticated or user.role in BUYER_ROLES


def wants_partial(request) -> bool:
    """An htmx request that swaps part of the page (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def clean_query(request) -> QueryDict:
    """The GET parameters that say something (a GET form also sends its empty fields)."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            query.setlist(key, kept)
    return query


def render_page(request, template: str, partial: str, context: dict, status: int = 200, query=None):
    """The whole page, or for htmx only `partial`; both vary on HX-Request for caches.

    With `query` (see clean_query) an htmx response also tells the browser the
    tidy address to show and keep in its history.
    """
    partial_wanted = wants_partial(request)
    response = render(request, partial if partial_wanted else template, context, status=status)
    if partial_wanted and query is not None:
        push_url(response, f"{request.path}?{query.urlencode()}" if query else request.path)
    patch_vary_headers(response, ["HX-Request"])
    return response
