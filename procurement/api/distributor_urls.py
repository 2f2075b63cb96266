"""The distributor's replenishment API, mounted at /api/distributor/ (its own items)."""

from django.urls import path

from ..replenishment_views import DISTRIBUTOR
from . import replenishment_views as views

urlpatterns = [
    path(
        "replenishment",
        views.ReplenishmentListView.as_view(actor=DISTRIBUTOR),
        name="api-distributor-replenishment",
    ),
    path(
        "replenishment/order-now",
        views.ReplenishmentOrderNowView.as_view(actor=DISTRIBUTOR),
        name="api-distributor-replenishment-order-now",
    ),
    path(
        "replenishment/snooze",
        views.ReplenishmentSnoozeView.as_view(actor=DISTRIBUTOR),
        name="api-distributor-replenishment-snooze",
    ),
]
