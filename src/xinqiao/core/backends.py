"""Sign-in by password; permissions come from the rules of each app's rules.py alone."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from xinqiao.core import sign_in
from xinqiao.core.models import Notification, User


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account (axes) or a throttled address (core.sign_in) before the
    password is checked, doing the same work as a wrong password: the hasher runs once, as
    Django's ModelBackend runs it for an unknown account. A refusal that answers at once tells
    an attacker which accounts are locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and sign_in.address_is_throttled(request):
            setattr(request, sign_in.THROTTLED_FLAG, True)
            make_password(password)
            raise PermissionDenied
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            make_password(password)
            raise


class PasswordBackend(ModelBackend):
    """Django's password check, without its table permissions: none is ever stored (every
    permission is a predicate), so asking the tables would only cost two queries per refused
    check."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def get_user(self, user_id):
        """The signed-in person with the count of their unread notices (the bell on every page)
        in the same query: one query fewer on every page."""
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(count=Count("pk"))
            .values("count")
        )
        user = (
            User._default_manager.annotate(unread_notification_count=Coalesce(Subquery(unread), 0))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
