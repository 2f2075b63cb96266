from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema
from auromart.api.fields import MAX_ID

from ..models import Notification
from ..selectors import notifications_for_user
from ..services import notification_mark_read, notifications_mark_all_read
from .serializers import (
    NotificationListQuerySerializer,
    NotificationSerializer,
    NotificationsMarkedSerializer,
)


class NotificationListView(generics.ListAPIView):
    """The caller's in-app notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Notification.objects.none()
        return notifications_for_user(user=self.request.user)

    @extend_schema(
        summary="Your notifications, newest first",
        description="The in-app notifications (the bell on the site). Paginated.",
        parameters=[NotificationListQuerySerializer],
        responses={
            200: NotificationSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        query = NotificationListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        unread = query.validated_data["unread"]
        if unread is not None:
            queryset = queryset.filter(read_at__isnull=unread)
        return queryset


class NotificationReadView(APIView):
    @extend_schema(
        summary="Mark one of your notifications read",
        description="Marking a notification that is already read changes nothing and answers 200.",
        request=None,
        responses={
            200: NotificationSerializer,
            401: schema.UNAUTHORIZED,
            404: schema.NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        if pk > MAX_ID:
            raise NotFound()
        try:
            notification = notification_mark_read(user=request.user, notification_id=pk)
        except Notification.DoesNotExist:
            raise NotFound() from None
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: NotificationsMarkedSerializer, 401: schema.UNAUTHORIZED},
    )
    def post(self, request):
        marked = notifications_mark_all_read(user=request.user)
        return Response(NotificationsMarkedSerializer({"marked": marked}).data)
