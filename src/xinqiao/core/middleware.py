from __future__ import annotations

import time
import uuid

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from xinqiao.core import two_factor
from xinqiao.core.logging import path_var, request_id_var, user_id_var
from xinqiao.core.models import SecurityEvent
from xinqiao.core.net import client_address

# Paths that never need a complete sign-in.
OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/", "/favicon.ico")


def _redirect(request, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex[:16]
        # The thread serves other people next: each request starts without a user (set once
        # signed in, by IdleTimeoutMiddleware) and gives every value back however it ends.
        tokens = (
            request_id_var.set(request_id),
            path_var.set(request.path[:200]),
            user_id_var.set(None),
        )
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(tokens[0])
            path_var.reset(tokens[1])
            user_id_var.reset(tokens[2])
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware:
    """Simplified Chinese unless the person chose another language (cookie set by set_language).

    The browser's Accept-Language is ignored on purpose: a school's shared computers often run
    English-language browsers, and the product speaks Chinese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class IdleTimeoutMiddleware:
    """Staff sessions end after XINQIAO_STAFF_IDLE_MINUTES without a request.

    Counseling rooms share computers; students and guardians on their own phones are exempt.
    """

    SESSION_KEY = "xinqiao_last_seen"
    WRITE_EVERY_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            user_id_var.set(user.pk)  # taken back by RequestIdMiddleware
            if not user.is_pupil_or_family:
                now = int(time.time())
                last_seen = request.session.get(self.SESSION_KEY, now)
                if now - last_seen > settings.STAFF_IDLE_MINUTES * 60:
                    return self._sign_out(request)
                if now - last_seen >= self.WRITE_EVERY_SECONDS or self.SESSION_KEY not in (
                    request.session
                ):
                    request.session[self.SESSION_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request):
        from xinqiao.core.services import security_event_record

        user = request.user
        security_event_record(kind=SecurityEvent.Kind.IDLE_TIMEOUT, user=user, request=request)
        logout(request)
        messages.info(
            request,
            _("You were signed out after %(minutes)s minutes without activity.")
            % {"minutes": settings.STAFF_IDLE_MINUTES},
        )
        if request.path.startswith("/api/"):
            return HttpResponse(status=401)
        login = reverse("core:login") + "?" + urlencode({"next": request.get_full_path()})
        return _redirect(request, login)


class SignInStepsMiddleware:
    """Until a new password is set and the second factor given, only those steps open."""

    STEP_URLS = {
        "password": "core:password_change",
        "enroll": "core:otp_enroll",
        "verify": "core:otp_verify",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = two_factor.pending_step(request)
        if step and not self._is_open(request):
            if request.path.startswith("/api/"):
                return self.get_response(request)  # the API's auth classes answer 401
            return _redirect(request, reverse(self.STEP_URLS[step]))
        return self.get_response(request)

    def _is_open(self, request) -> bool:
        if request.path.startswith(OPEN_PREFIXES):
            return True
        allowed = {reverse(name) for name in self.STEP_URLS.values()}
        allowed.add(reverse("core:logout"))
        return request.path in allowed


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's, with the client address of ``core.net`` (auditlog's own believes any
    X-Forwarded-For, and its X-Forwarded-Port, whoever sent them)."""

    _get_remote_addr = staticmethod(client_address)

    @staticmethod
    def _get_remote_port(request) -> None:
        return None
