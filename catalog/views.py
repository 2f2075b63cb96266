"""The customer portal's catalog pages: the product grid, one product, live stock badges.

Visitors and every signed-in role may browse; only customers and retailers
(and visitors, who sign in at checkout) get an "Add to cart" form. The
portal sells from the default store (catalog.selectors.default_store).
"""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from accounts.models import BUYER_ROLES, Organization

from .forms import CatalogFilterForm
from .selectors import default_store, product_search, products_with_stock, stock_label

PAGE_SIZE = 24
STOCK_POLL_SECONDS = 20
STOCK_POLL_MAX_IDS = 100
# Who may put things in a cart; order_place refuses everyone else.


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


def catalog(request):
    """The product grid with search, filters, sorting and pagination (a GET form)."""
    store = portal_store(request)
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # errors are shown; the valid fields still filter
    # With no store flagged the catalog is still listed, each product "not
    # sold online yet" instead of its stock (a fresh install shows what exists).
    products = product_search(distributor=store, **form.search_arguments())
    paginator = Paginator(products, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    query = clean_query(request)
    context = {
        "query": query,
        "store": store,
        "form": form,
        "page": page,
        "page_range": page_range,
        "can_buy": can_buy(request.user),
        "filtered": any(
            value not in (None, "", False) for value in getattr(form, "cleaned_data", {}).values()
        ),
        "stock_poll_seconds": STOCK_POLL_SECONDS,
    }
    return render_page(
        request, "catalog/catalog.html", "catalog/_catalog.html", context, query=query
    )


def product_detail(request, slug: str):
    """One product: description, price, live stock, add to cart. Inactive products are 404."""
    store = portal_store(request)
    product = get_object_or_404(
        products_with_stock(distributor=store).select_related("category__parent"), slug=slug
    )
    return render(
        request,
        "catalog/product_detail.html",
        {
            "store": store,
            "product": product,
            "can_buy": can_buy(request.user),
            "stock_poll_seconds": STOCK_POLL_SECONDS,
        },
    )


def _parse_ids(raw: str) -> list[int]:
    ids = []
    for part in raw.split(",")[:STOCK_POLL_MAX_IDS]:
        part = part.strip()
        if part.isdigit() and len(part) < 19:
            ids.append(int(part))
    return list(dict.fromkeys(ids))


@require_GET
@never_cache
def stock_badges(request):
    """Fresh stock badges for `?ids=1,2,3`, as htmx out-of-band swaps (one query).

    The catalog grid and the product page poll it; a product withdrawn from
    sale since the page was drawn answers "Unavailable".
    """
    ids = _parse_ids(request.GET.get("ids", ""))
    store = portal_store(request) if ids else None
    stock = {}
    if ids:
        stock = dict(
            products_with_stock(distributor=store)
            .filter(pk__in=ids)
            .order_by()
            .values_list("pk", "stock_quantity")
        )
    badges = []
    for pk in ids:
        label, tone = stock_label(stock[pk]) if pk in stock else ("Unavailable", "secondary")
        badges.append({"pk": pk, "label": label, "tone": tone})
    return render(request, "catalog/_stock_oob.html", {"badges": badges})
