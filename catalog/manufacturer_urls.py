"""/manufacturer/...: the manufacturer's dashboard and pages."""

from django.urls import path

from accounts import agreement_views
from accounts.models import Role
from accounts.views import manufacturer_dashboard

from . import manufacturer_views as views
from .manufacturer_media_views import ImagesZipView, ProductMediaView

app_name = "manufacturer"

urlpatterns = [
    path(
        "agreements/",
        agreement_views.AgreementListView.as_view(roles=(Role.MANUFACTURER,)),
        name="agreements",
    ),
    path(
        "agreements/<int:pk>/<slug:action>/",
        agreement_views.AgreementMoveView.as_view(roles=(Role.MANUFACTURER,)),
        name="agreement_move",
    ),
    path("", manufacturer_dashboard, name="dashboard"),
    path("products/", views.ProductListView.as_view(), name="products"),
    path("products/new/", views.ProductFormView.as_view(), name="product_create"),
    path("products/<int:pk>/edit/", views.ProductFormView.as_view(), name="product_edit"),
    path("products/<int:pk>/active/", views.ProductActiveView.as_view(), name="product_active"),
    path("products/<int:pk>/media/", ProductMediaView.as_view(), name="product_media"),
    path("products/pictures/", ImagesZipView.as_view(), name="product_images_zip"),
    path("stock/", views.StockView.as_view(), name="stock"),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("sales/", views.SalesView.as_view(), name="sales"),
]
