"""The practical limit of a questionnaire's saves and submits: a bare Django view that reads the
JSON body, validates 20 answers with a Django form and inserts one row.

tests/bench/screening_bench.py serves it with gunicorn, exactly the flags of ``xinqiao serve``
(worker class, workers, threads), at the same URLs as the questionnaire's save and submit and on
the same database kind (SQLite with Xinqiao's pragmas, or PostgreSQL), with persistent
connections like Xinqiao's: no middleware, no session, no CSRF, no permission, no history.

    BARE_INSERT_DATABASE=sqlite:////tmp/x.sqlite3 PYTHONPATH=tests/bench .venv/bin/gunicorn \
        --worker-class gthread --workers 3 --threads 4 --bind 127.0.0.1:8001 \
        bare_insert_app:application
"""

from __future__ import annotations

import json
import os
import secrets

import dj_database_url
from django import forms
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path

ITEMS = [f"q{n}" for n in range(1, 21)]

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

COLUMNS = ", ".join(f"{item} smallint" for item in ITEMS)
CREATE = f"CREATE TABLE IF NOT EXISTS bare_answer (participation integer, seq integer, {COLUMNS})"
INSERT = (
    f"INSERT INTO bare_answer (participation, seq, {', '.join(ITEMS)})"  # noqa: S608 (names of this file)
    f" VALUES ({', '.join(['%s'] * (len(ITEMS) + 2))})"
)


class AnswersForm(forms.Form):
    locals().update(
        {item: forms.IntegerField(required=False, min_value=0, max_value=3) for item in ITEMS}
    )


def answer(request, pk: int):
    try:
        data = json.loads(request.body)
    except ValueError:
        return JsonResponse({"ok": False}, status=400)
    answers = data.get("answers") or {}
    if "cesd" in answers:  # a submit: {"answers": {"cesd": {...}}}
        answers = answers["cesd"]
    form = AnswersForm(answers)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": form.errors}, status=400)
    seq = int(data.get("seq", 0))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT, [pk, seq, *(form.cleaned_data[item] for item in ITEMS)])
    return JsonResponse({"ok": True, "seq": seq})


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(CREATE)


def count_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bare_answer")
        return cursor.fetchone()[0]


urlpatterns = [
    path("screening/take/<int:pk>/save/", answer),
    path("screening/take/<int:pk>/submit/", answer),
]
