"""API authentication and the platform's own endpoints."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.params.models import Body, BodyModel
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from xinqiao.core import two_factor
from xinqiao.core.logging import user_id_var
from xinqiao.core.models import ApiToken


class SessionAuth(NinjaSessionAuth):
    """The browser's session (CSRF-checked), once every sign-in step is done."""

    def _get_key(self, request):
        # Without a session cookie there is no session for a forged request to ride on: skip the
        # CSRF check, so that a bearer-token request reaches the token auth (issue 12 item 8).
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        if two_factor.is_fully_signed_in(request):
            return request.user
        return None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=ApiToken.hash_key(token))
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        user_id_var.set(found.user.pk)  # for the log lines; taken back by RequestIdMiddleware
        return found.user


def staff_docs(view):
    """The schema and its docs page are for signed-in staff (``core.view_api_docs``), by
    session or token: 401 to the signed-out and the half signed-in, 403 to pupils and families."""

    @wraps(view)
    def docs_view(request, *args, **kwargs):
        user = TokenAuth()(request) or SessionAuth()(request)
        if user is None:
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        if not user.has_perm("core.view_api_docs"):
            return JsonResponse({"detail": "Forbidden"}, status=403)
        return view(request, *args, **kwargs)

    return docs_view


# Past this, SQLite cannot hold the offset (a 500 before); no list comes near it.
MAX_OFFSET = 2**31 - 1


class Pagination(LimitOffsetPagination):
    """Every list's ``limit`` and ``offset``. A ``limit`` over NINJA_PAGINATION_MAX_LIMIT is
    refused (422) rather than cut down, so that a script learns the maximum (the schema states
    it) instead of silently missing rows; it asks page by page."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


FORM_CONTENT_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}


class _JsonOrFormModel(BodyModel):
    @classmethod
    def get_request_data(cls, request, api, path_params):
        if request.content_type in FORM_CONTENT_TYPES:
            data = {key: request.POST.get(key) for key in request.POST}
            varname = getattr(cls, "__read_from_single_attr__", None)
            return {varname: data} if varname else data
        return super().get_request_data(request, api, path_params)


class JsonOrForm(Body):
    """A JSON body (as documented) that also accepts the same fields form-encoded, as plain
    HTML forms and simple scripts send them."""

    _model = _JsonOrFormModel

    @classmethod
    def _param_source(cls) -> str:
        return "body"


class RoleOut(Schema):
    role: str
    label: str
    school_id: int | None


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[RoleOut]


router = Router(tags=["account"])


@router.get("/me", response=MeOut, summary="Who am I: account and roles")
def me(request):
    from xinqiao.core import directory
    from xinqiao.core.roles import Role

    user = request.auth
    return {
        "username": user.username,
        "full_name": user.full_name,
        "roles": [
            {"role": a.role, "label": str(Role(a.role).label), "school_id": a.school_id}
            for a in directory.roles().assignments(user)
        ],
    }
