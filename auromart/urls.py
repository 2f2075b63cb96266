from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import agreement_urls
from accounts.views import home
from catalog.media_views import product_media

from . import views

admin.site.site_header = "AuroMart administration"
admin.site.site_title = "AuroMart admin"
admin.site.index_title = "Supply chain administration"

api_patterns = [
    path("auth/", include("accounts.api.urls")),
    path("", include("accounts.api.organization_urls")),  # organizations (staff)
    path("", include("catalog.api.urls")),  # categories, customer/products
    path("customer/", include("orders.api.urls")),  # customer/orders
    path("", include("notifications.api.urls")),  # notifications, notifications/...
    path("admin/procurement/", include("procurement.api.urls")),
    path("distributor/", include("orders.api.distributor_urls")),  # distributor/orders
    path("distributor/", include("inventory.api.urls")),  # distributor/inventory
    path("distributor/", include("procurement.api.distributor_urls")),  # replenishment
    path("retailer/", include("orders.api.retailer_urls")),  # catalog, distributors, orders
    path("manufacturer/", include("catalog.api.manufacturer_urls")),
    path("manufacturer/", include(agreement_urls.manufacturer_patterns)),  # agreements
    path("distributor/", include(agreement_urls.distributor_patterns)),  # agreements
    path("", include("invoicing.api.urls")),  # invoices
    path("distributor/", include("invoicing.api.credit_urls")),  # credit-terms
    path("", include("payments.api.urls")),  # payments
    path("reports/", include("reporting.api.urls")),
    path("loyalty/", include("loyalty.api.urls")),  # loyalty/points, loyalty/points/history
    path("", include("standing_orders.api.urls")),  # standing-orders (#18)
    path("", include("returns.api.urls")),  # returns, distributor/returns (#17)
    path("", include("transfers.api.urls")),  # distributor/transfers (#23)
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its initialiser as a script file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("customer-portal/", include("orders.portal_urls")),
    path("retailer/", include("orders.retailer_urls")),
    path("distributor/", include("orders.distributor_urls")),  # dashboard, inventory, orders
    path("distributor/price-lists/", include("pricing.urls")),
    path("distributor/returns/", include("returns.distributor_urls")),
    path("distributor/credit-terms/", include("invoicing.credit_urls")),
    path("manufacturer/", include("catalog.manufacturer_urls")),  # dashboard, products, stock
    path("notifications/", include("notifications.urls")),
    path("procurement/", include("procurement.urls")),
    path("invoices/", include("invoicing.urls")),
    path("payments/", include("payments.urls")),
    path("reports/", include("reporting.urls")),
    path("jobs/", include("jobs.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("standing-orders/", include("standing_orders.urls")),
    path("returns/", include("returns.urls")),
    path("distributor/transfers/", include("transfers.urls")),  # #23
    # The ESPs' tracking webhooks (delivered/bounced): 404 without ANYMAIL_WEBHOOK_SECRET.
    path("anymail/", include("auromart.webhooks")),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    # Product pictures on the embedded file storage (object storage serves its own URLs).
    path("media/products/<path:name>", product_media, name="product-media"),
]

handler400 = "auromart.views.bad_request"
handler403 = "auromart.views.permission_denied"
handler404 = "auromart.views.page_not_found"
handler500 = "auromart.views.server_error"
