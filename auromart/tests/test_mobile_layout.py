"""Every page of the site, for every role that may open it, at 390 px: nothing scrolls
sideways and no table sticks out (tables become stacked cards on phones, site.css).

The pages come from the permission matrix (test_permission_matrix.MATRIX, itself
checked against the URLconf), so a new page is measured as soon as it has a row;
the pages that matrix leaves to other suites (the landing page, accounts,
notifications, supplier purchase orders) are listed here. Not /admin/ or /api/docs/.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts.models import PROCUREMENT_GROUP
from orders.services_cart import cart_add_item

from .test_permission_matrix import (
    ANONYMOUS,
    CUSTOMER,
    MANUFACTURER,
    MATRIX,
    OK,
    RETAILER,
    ROLES,
    build_world,
    url_patterns,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
# GET rows of the matrix that are not pages: PDFs, and the stock poll's fragment.
NOT_PAGES = {
    "invoicing:pdf",
    "invoicing:statement_pdf",
    "invoicing:credit_note_pdf",
    "portal:stock",
    "retailer:stock",
    "pricing:export",  # a CSV download
    "distributor:packing_slip",  # a PDF
    "distributor:pick_list",  # a PDF
    "transfers:packing_slip",  # a PDF
    "payments:return",  # the gateway's return: a redirect to the payment, whoever calls it
}
# The pages other suites own, with the roles that see them.
SIGNED_IN = [role for role in ROLES if role != ANONYMOUS]
EXTRA_PAGES = [
    ("home", {}, ROLES),
    ("accounts:login", {}, [ANONYMOUS]),
    ("accounts:signup", {}, [ANONYMOUS]),
    ("accounts:signup_business", {}, [ANONYMOUS]),
    ("accounts:password_reset", {}, [ANONYMOUS]),
    ("accounts:profile", {}, SIGNED_IN),
    ("accounts:password_change", {}, SIGNED_IN),
    ("notifications:list", {}, SIGNED_IN),
    ("notifications:preferences", {}, SIGNED_IN),
    ("procurement:supplier_pos", {}, [MANUFACTURER]),
]

# What sticks out: the page's own width, and every table's right edge (a table in
# a scrolling wrapper does not widen the page, but still hides its columns).
MEASURE = """() => {
  const tables = Array.from(document.querySelectorAll("main table"));
  const widest = Math.max(0, ...tables.map(t => t.getBoundingClientRect().right));
  return {scrollWidth: document.documentElement.scrollWidth, widestTable: Math.ceil(widest)};
}"""


def pages(world):
    """(role, url) of every page each role may open."""
    found = []
    for name, row in MATRIX.items():
        api = name.startswith(("api-", "notifications-api:"))
        if api or "get" not in row.methods or name in NOT_PAGES:
            continue
        for role in ROLES:
            if row.outcome(role) == OK:
                kwargs = row.own(world, role) if row.own is not None else {}
                found.append((role, reverse(name, kwargs=kwargs)))
    for name, kwargs, roles in EXTRA_PAGES:
        found.extend((role, reverse(name, kwargs=kwargs)) for role in roles)
    found.append(
        (
            MANUFACTURER,
            reverse("procurement:supplier_po", args=[world["purchase_order"].number]),
        )
    )
    return found


def test_the_extra_pages_are_the_ones_the_matrix_leaves_out():
    names = {name for _route, name in url_patterns()}
    assert {name for name, _kwargs, _roles in EXTRA_PAGES} <= names


def test_no_page_scrolls_sideways_at_390_px(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Transactional tests flush what data migrations made: the procurement group
    # again, with the permission of its report pages.
    group, _ = Group.objects.get_or_create(name=PROCUREMENT_GROUP)
    group.permissions.add(Permission.objects.get(codename="view_reports"))
    world = build_world()
    # Carts with something in them, so that checkout is a page and not a redirect.
    for role in (CUSTOMER, RETAILER):
        cart_add_item(
            user=world.users[role],
            distributor=world["d1"],
            product=world["own_product"],
            quantity=2,
        )
    contexts = {}

    def context_for(role):
        if role not in contexts:
            context = browser.new_context(viewport={"width": WIDTH, "height": 844})
            if role != ANONYMOUS:
                client = Client()
                client.force_login(world.users[role])
                cookie = client.cookies[settings.SESSION_COOKIE_NAME]
                context.add_cookies(
                    [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
                )
            contexts[role] = (context, context.new_page())
        return contexts[role][1]

    visited, too_wide = [], []
    try:
        for role, url in pages(world):
            page = context_for(role)
            response = page.goto(f"{live_server.url}{url}")
            assert response.status < 400, f"{role} {url}: {response.status}"
            size = page.evaluate(MEASURE)
            visited.append((role, url))
            if size["scrollWidth"] > WIDTH or size["widestTable"] > WIDTH:
                too_wide.append((role, url, size))
    finally:
        for context, _page in contexts.values():
            context.close()
    assert len({url for _role, url in visited}) >= 45  # every page pattern, not a few
    assert too_wide == []
