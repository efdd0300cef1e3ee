"""The rights app's workbench tiles: guardians' requests for records, by their deadline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.rights.models import RecordRequest


def requests_open(user, school_id) -> int:
    """The director's list's default filter: requests not yet answered."""
    requests = RecordRequest.objects.for_user(user).filter(school_id=school_id)
    return requests.filter(state__in=RecordRequest.OPEN_STATES).count()


def my_requests(user, school_id) -> int:
    return RecordRequest.objects.for_user(user).filter(guardian_id=user.pk).count()


def register() -> None:
    register_tile(
        [Role.DIRECTOR],
        Tile(
            "record_requests",
            _("Guardians' record requests to answer"),
            "file-text",
            "rights:request_list",
            requests_open,
            order=60,
        ),
    )
    register_tile(
        [Role.GUARDIAN],
        Tile(
            "my_record_requests",
            _("My record requests"),
            "file-text",
            "rights:mine",
            my_requests,
            order=40,
        ),
    )
