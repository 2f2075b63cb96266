"""A distributor's credit terms, at /distributor/credit-terms/."""

from django.urls import path

from . import credit_views as views

app_name = "credit"

urlpatterns = [
    path("", views.CreditTermsListView.as_view(), name="list"),
    path("<int:pk>/", views.CreditTermsEditView.as_view(), name="edit"),
]
