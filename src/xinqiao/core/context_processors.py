from django.conf import settings

from xinqiao.core.models import Notification
from xinqiao.core.navigation import menu_sections, navigation_for


def navigation(request):
    items = navigation_for(request)
    unread = 0
    if items:  # fully signed in
        # Loaded with the user by the sign-in backend; counted here when another backend
        # loaded them (a test's force_login).
        unread = getattr(request.user, "unread_notification_count", None)
        if unread is None:
            unread = Notification.objects.for_user(request.user).unread().count()
    return {
        "nav_items": items,
        "nav_sections": menu_sections(items),
        "unread_notifications": unread,
        "notification_poll_seconds": settings.NOTIFICATION_POLL_SECONDS,
    }
