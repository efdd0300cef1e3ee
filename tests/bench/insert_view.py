"""The view of both insert baselines: the JSON body of a questionnaire's save or submit, a
Django form of 20 fields, one INSERT of one row into a table of this module (never a model of
the product). tests/bench/bare_insert_app.py serves it bare (no middleware); the signed-in
insert view of tests/bench/signed_in_app.py serves it behind Xinqiao's whole ``MIDDLEWARE``.

Import it once settings are configured.
"""

from __future__ import annotations

import json

from django import forms
from django.db import connection, transaction
from django.http import JsonResponse

ITEMS = [f"q{n}" for n in range(1, 21)]
COLUMNS = ", ".join(f"{item} smallint" for item in ITEMS)


class AnswersForm(forms.Form):
    locals().update(
        {item: forms.IntegerField(required=False, min_value=0, max_value=3) for item in ITEMS}
    )


def _insert(table: str) -> str:
    return (
        f"INSERT INTO {table} (participation, seq, {', '.join(ITEMS)})"  # noqa: S608 (names of this file)
        f" VALUES ({', '.join(['%s'] * (len(ITEMS) + 2))})"
    )


def answer(request, pk: int, table: str):
    """Validate the 20 answers of a save (``{answers, seq}``) or a submit (``{answers: {cesd:
    {...}}}``) and insert them as one row of ``table``."""
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
        cursor.execute(_insert(table), [pk, seq, *(form.cleaned_data[item] for item in ITEMS)])
    return JsonResponse({"ok": True, "seq": seq})


def create_table(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (participation integer, seq integer, {COLUMNS})"
        )


def count_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (names of this file)
        return cursor.fetchone()[0]
