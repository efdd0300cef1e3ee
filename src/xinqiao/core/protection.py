"""Response headers and answers that protect what a signed-in person reads (issue 12).

Kept apart from core/middleware.py (sign-in steps, request context): these only look at the
response on its way out, or at the kernel's refusal limit.

- Nothing a signed-in person (or an API caller) is shown is kept by the browser or a proxy:
  ``Cache-Control: no-store`` on every such response. Every signed-in page of this product is
  about named people (a student list is as private as a case), and counseling rooms share
  computers, so the rule is the simplest one that cannot be forgotten by a new view.
- No page of this product belongs in a search engine (issue 16 item 5): every response says
  ``X-Robots-Tag: noindex, nofollow`` (the base template says it too, and /robots.txt
  turns every crawler away), so a link pasted somewhere public does not get a page indexed.
- Past the limit of refusals a minute (core/access.py ``limit_refusals``) the answer is 429.
- Every response carries a Content-Security-Policy: scripts and everything else from this
  site only (the assets are vendored), no inline script (pages declare behaviour with data
  attributes, static/js/xinqiao.js), no plug-ins, never framed. One fixed policy needs no
  nonce, so it is a header here rather than a dependency (django-csp earns its place when
  policies vary by view or need nonces). Inline styles stay allowed: the chart library and a
  few templates set style attributes, and a style runs no code.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from xinqiao.core.access import TooManyRefusals


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) or getattr(request, "auth", None))


class PrivateResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) or request.path.startswith("/api/"):
            add_never_cache_headers(response)  # no-store, no-cache, private, max-age=0
        response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, TooManyRefusals):
            return None
        message = _("Too many refused requests. Wait a minute before trying again.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=429)
        else:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
