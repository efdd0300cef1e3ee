from xinqiao.core.models import Notification
from xinqiao.core.navigation import menu_sections, navigation_for


def navigation(request):
    items = navigation_for(request)
    unread = 0
    if items:  # fully signed in
        unread = Notification.objects.for_user(request.user).unread().count()
    return {
        "nav_items": items,
        "nav_sections": menu_sections(items),
        "unread_notifications": unread,
    }
