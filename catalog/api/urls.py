from django.urls import path

from . import views

urlpatterns = [
    path("categories", views.CategoryListView.as_view(), name="api-category-list"),
    path("categories/<int:pk>", views.CategoryDetailView.as_view(), name="api-category-detail"),
    path("customer/products", views.ProductListView.as_view(), name="api-product-list"),
]
