"""The smallest Django WSGI app: one view that answers "ok", no middleware, no apps, no database.

run_bench.py serves it with gunicorn, the same worker class, workers and threads as
``xinqiao serve``, as the baseline: what Django + gunicorn can answer at most on this machine.

    PYTHONPATH=tests/bench .venv/bin/gunicorn --worker-class gthread --workers 3 --threads 4 \
        --bind 127.0.0.1:8001 bare_app:application
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("", ok)]

application = get_wsgi_application()
