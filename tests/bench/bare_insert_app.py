"""The practical limit of a questionnaire's saves and submits: a bare Django view that reads the
JSON body, validates 20 answers with a Django form and inserts one row (insert_view.py, the
view the signed-in insert view of signed_in_app.py serves too).

tests/bench/screening_bench.py serves it with gunicorn, exactly the flags of ``xinqiao serve``
(worker class, workers, threads), at the same URLs as the questionnaire's save and submit and on
the same database kind (SQLite with Xinqiao's pragmas, or PostgreSQL), with persistent
connections like Xinqiao's: no middleware, no session, no CSRF, no permission, no history.

    BARE_INSERT_DATABASE=sqlite:////tmp/x.sqlite3 PYTHONPATH=tests/bench .venv/bin/gunicorn \
        --worker-class gthread --workers 3 --threads 4 --bind 127.0.0.1:8001 \
        bare_insert_app:application
"""

from __future__ import annotations

import os
import secrets

import dj_database_url
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import path

database = dj_database_url.parse(os.environ["BARE_INSERT_DATABASE"], conn_max_age=60)
if database["ENGINE"] == "django.db.backends.sqlite3":
    database["OPTIONS"] = {  # as src/xinqiao/settings.py
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={"default": database},
    USE_TZ=True,
)

application = get_wsgi_application()

import insert_view  # noqa: E402 (settings first)

TABLE = "bare_answer"


def answer(request, pk: int):
    return insert_view.answer(request, pk, TABLE)


def create_table() -> None:
    insert_view.create_table(TABLE)


def count_rows() -> int:
    return insert_view.count_rows(TABLE)


urlpatterns = [
    path("screening/take/<int:pk>/save/", answer),
    path("screening/take/<int:pk>/submit/", answer),
]
