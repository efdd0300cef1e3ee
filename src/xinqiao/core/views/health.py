from __future__ import annotations

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from xinqiao.core.access_log import head_file_matches


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


def _access_log_ok() -> bool:
    try:
        return head_file_matches()
    except Exception:
        return False


@never_cache
def healthz(request):
    """Is the database reachable, is the task queue reachable, is the access log's guard in
    place and its newest head (the head file) in the log? 200 or 503, no details."""
    checks = {"database": _database_ok(), "queue": _queue_ok(), "access_log": _access_log_ok()}
    status = 200 if all(checks.values()) else 503
    return JsonResponse(
        {name: "ok" if ok else "unavailable" for name, ok in checks.items()}, status=status
    )


def robots_txt(request):
    """Every crawler is turned away: nothing of a school's counseling work is for search engines."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain; charset=utf-8")
