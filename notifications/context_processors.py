from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread(request):
    """The unread badge in the navigation bar: one COUNT on an index, run only by a page
    that shows it (the admin and the browsable API never do)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
