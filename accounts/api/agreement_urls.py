"""Supply agreement endpoints, mounted under /api/manufacturer/ and /api/distributor/."""

from django.urls import path

from . import agreements as views

manufacturer_patterns = [
    path(
        "agreements",
        views.ManufacturerAgreementListView.as_view(),
        name="api-manufacturer-agreements",
    ),
    path(
        "agreements/<int:pk>/end",
        views.ManufacturerAgreementEndView.as_view(),
        name="api-manufacturer-agreement-end",
    ),
    path(
        "distributors",
        views.ManufacturerDistributorListView.as_view(),
        name="api-manufacturer-distributors",
    ),
]

distributor_patterns = [
    path(
        "agreements",
        views.DistributorAgreementListView.as_view(),
        name="api-distributor-agreements",
    ),
    path(
        "agreements/<int:pk>/accept",
        views.DistributorAgreementAcceptView.as_view(),
        name="api-distributor-agreement-accept",
    ),
    path(
        "agreements/<int:pk>/end",
        views.DistributorAgreementEndView.as_view(),
        name="api-distributor-agreement-end",
    ),
]
