"""The signed-in baseline: Xinqiao's own settings and middleware, one view with one query and a
small template, and nothing else a staff page adds (no navigation, no permission checks).

It is the least any staff page can cost: the session is read, the user and their roles are
loaded, the CSRF, two-factor, idle-timeout and sign-in-step middleware run exactly as for
Xinqiao's pages (``MIDDLEWARE`` of xinqiao.settings, unchanged). The view counts the user's unread
notifications and renders a five-line template with a CSRF token. Xinqiao's own URLs are served
too, so that a client signs in through the real sign-in form first.

Beside it, the signed-in insert view (``POST bench/insert/<pk>/save/`` and ``.../submit/``,
measured by tests/bench/screening_bench.py): the bare insert view of insert_view.py behind the
same middleware, for a session that entered participation ``pk`` with the class code.

run_bench.py serves it on the data directory and database of the Xinqiao stage being measured
(XINQIAO_DATA_DIR, DATABASE_URL) with ``serve``: Xinqiao's own gunicorn server
(xinqiao/core/web_server.py), so the same workers, threads and flags as ``xinqiao serve`` and
the same start-up (URLs, views and translations loaded before the workers fork, what is loaded
frozen out of the garbage collector's reach); a cold worker or a full collection of Django's
long-lived objects would otherwise be charged to the baseline and not to the pages.

    PYTHONPATH=tests/bench XINQIAO_DATA_DIR=... .venv/bin/python -c \
        "import signed_in_app; signed_in_app.serve(8002)"
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.wsgi import get_wsgi_application
from django.http import Http404, HttpResponse
from django.template import Engine, RequestContext
from django.urls import include, path

from xinqiao import settings as xinqiao_settings
from xinqiao.core import web_server

PATH = "bench/signed-in/"

settings.configure(
    **{
        **{
            name: getattr(xinqiao_settings, name)
            for name in dir(xinqiao_settings)
            if name.isupper()
        },
        "ROOT_URLCONF": __name__,
    }
)
application = get_wsgi_application()

import insert_view  # noqa: E402 (settings first)

from xinqiao.screening.access import entered_in_session  # noqa: E402

# An engine of its own: no context processor but Django's built-in CSRF one.
TEMPLATE = Engine().from_string(
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>Xinqiao</title></head>\n'
    "<body><p>{{ user.display_name }}: {{ unread }} unread</p>\n"
    '<form method="post" action="/accounts/sign-out/">{% csrf_token %}'
    "<button>Sign out</button></form>\n</body></html>\n"
)


@login_required
def signed_in(request):
    from xinqiao.core.models import Notification

    unread = Notification.objects.for_user(request.user).unread().count()
    context = RequestContext(request, {"user": request.user, "unread": unread})
    return HttpResponse(TEMPLATE.render(context))


# The signed-in insert view: the bare insert view's own (insert_view.py) behind this same
# middleware, reached as a student at a shared computer reaches the questionnaire (a session
# holding the participation's id, a CSRF cookie and its token): what a questionnaire's save or
# submit could cost at the least behind the middleware every Xinqiao page goes through.
INSERT_PATH = "bench/insert/<int:pk>/"
TABLE = "signed_in_answer"


def signed_in_insert(request, pk: int):
    if not entered_in_session(request, pk):
        raise Http404
    return insert_view.answer(request, pk, TABLE)


def create_table() -> None:
    insert_view.create_table(TABLE)


def count_rows() -> int:
    return insert_view.count_rows(TABLE)


urlpatterns = [
    path(PATH, signed_in),
    path(f"{INSERT_PATH}save/", signed_in_insert),
    path(f"{INSERT_PATH}submit/", signed_in_insert),
    path("", include("xinqiao.urls")),
]


class SignedInServer(web_server.XinqiaoServer):
    def load(self):
        return application


def serve(port: int, workers: int = 3, threads: int = 4) -> None:
    """Serve this app as ``xinqiao serve`` serves Xinqiao (see web_server.serve)."""
    server = SignedInServer(host="127.0.0.1", port=port, workers=workers, threads=threads)
    web_server.warm_up()
    web_server.freeze_long_lived_objects()
    print(f"The signed-in baseline is served on http://127.0.0.1:{port}/", flush=True)
    server.run()
