from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _queue_ok() -> bool:
    try:
        HUEY.pending_count()
    except Exception:
        return False
    return True


@never_cache
def healthz(request):
    """Is the database reachable, is the task queue reachable? 200 or 503, no details."""
    checks = {"database": _database_ok(), "queue": _queue_ok()}
    status = 200 if all(checks.values()) else 503
    return JsonResponse(
        {name: "ok" if ok else "unavailable" for name, ok in checks.items()}, status=status
    )
