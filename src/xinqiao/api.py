"""The JSON API: every app adds its router here. Schema at /api/openapi.json, docs at /api/docs."""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI

from xinqiao.cases.api import router as cases_router
from xinqiao.cases.api_grants import router as cases_grants_router
from xinqiao.core.api import SessionAuth, TokenAuth, staff_docs
from xinqiao.core.api import router as core_router
from xinqiao.core.api_notifications import router as notifications_router
from xinqiao.crisis.api import router as crisis_router
from xinqiao.crisis.api_reports import router as crisis_reports_router
from xinqiao.letters.api import router as letters_router
from xinqiao.people.api import router as people_router
from xinqiao.people.api_roster import router as people_roster_router
from xinqiao.privacy.api import router as privacy_router
from xinqiao.reports.api import router as reports_router
from xinqiao.rights.api import router as rights_router
from xinqiao.rooms.api import router as rooms_router
from xinqiao.screening.api import router as screening_router

api = NinjaAPI(
    title="Xinqiao API",
    version="1",
    description="心桥 Xinqiao. Sign in with the browser session or a bearer token.",
    # The token first: a script's bearer token is never held to the browser session's CSRF check.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_decorator=staff_docs,
)
api.add_router("/", core_router)
api.add_router("/notifications", notifications_router)
api.add_router("/people", people_router)
api.add_router("/people/roster", people_roster_router)
api.add_router("/rooms", rooms_router)
api.add_router("/cases", cases_router)
api.add_router("/cases", cases_grants_router)
api.add_router("/crisis/reports", crisis_reports_router)
api.add_router("/letters", letters_router)
api.add_router("/crisis", crisis_router)
api.add_router("/screening", screening_router)
api.add_router("/reports", reports_router)
api.add_router("/rights", rights_router)
api.add_router("/privacy", privacy_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    """The kernel refuses with PermissionDenied on pages and in the API alike (core/access.py)."""
    return api.create_response(request, {"detail": "Forbidden"}, status=403)
