from django.urls import path

from . import views

urlpatterns = [
    path("categories", views.CategoryListView.as_view(), name="api-category-list"),
    path("customer/products", views.ProductListView.as_view(), name="api-product-list"),
]
