"""/api/manufacturer/...: a manufacturer's products, stock assignment, orders and sales."""

from django.urls import path

from . import manufacturer_media_views as media
from . import manufacturer_views as views
from . import supplier_views

urlpatterns = [
    path("products", views.ProductListCreateView.as_view(), name="api-manufacturer-products"),
    path("products/<int:pk>", views.ProductDetailView.as_view(), name="api-manufacturer-product"),
    path(
        "products/<int:pk>/images",
        media.ProductImagesView.as_view(),
        name="api-manufacturer-product-images",
    ),
    path(
        "products/<int:pk>/images/<int:image_id>",
        media.ProductImageDetailView.as_view(),
        name="api-manufacturer-product-image",
    ),
    path(
        "products/<int:pk>/specifications",
        media.ProductSpecificationsView.as_view(),
        name="api-manufacturer-product-specifications",
    ),
    path("inventory/assign", views.StockAssignView.as_view(), name="api-manufacturer-stock-assign"),
    path("orders", views.OrderListView.as_view(), name="api-manufacturer-orders"),
    path("sales", views.SalesSummaryView.as_view(), name="api-manufacturer-sales"),
    path(
        "supplier-lines",
        supplier_views.SupplierLineListCreateView.as_view(actor="manufacturer"),
        name="api-manufacturer-supplier-lines",
    ),
    path(
        "supplier-lines/<int:pk>",
        supplier_views.SupplierLineDetailView.as_view(actor="manufacturer"),
        name="api-manufacturer-supplier-line",
    ),
]
