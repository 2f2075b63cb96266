from django.urls import path

from .views import StandingOrderActionView, StandingOrderDetailView, StandingOrderListView

urlpatterns = [
    path("standing-orders", StandingOrderListView.as_view(), name="standing-orders"),
    path("standing-orders/<int:pk>", StandingOrderDetailView.as_view(), name="standing-order"),
] + [
    path(
        f"standing-orders/<int:pk>/{action}",
        StandingOrderActionView.as_view(action=action),
        name=f"standing-order-{action}",
    )
    for action in ("pause", "resume", "skip", "end")
]
