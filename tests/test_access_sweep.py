"""Walk every route with every role against the tables in tests/**/access_table*.py."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.access import ALL_ROLES, ANONYMOUS, EXTRA_CAST, Route
from tests.conftest import sign_in
from xinqiao.api import api
from xinqiao.core.models import AccessLog


def all_routes() -> list[Route]:
    routes = []
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.rsplit(".", 1)[-1].startswith("access_table"):
            routes.extend(importlib.import_module(module.name).ROUTES)
    return routes


def named_url_patterns(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "api":
                continue
            child_ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_url_patterns(pattern, child_ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    operations = {"GET /api/docs", "GET /api/openapi.json"}
    for path, methods in schema["paths"].items():
        for method in methods:
            operations.add(f"{method.upper()} {path}")
    return operations


ROUTES = all_routes()


def test_every_route_has_a_row_in_an_access_table():
    covered = {route.name for route in ROUTES}
    missing = (named_url_patterns() | api_operations()) - covered
    assert not missing, f"routes without an access rule in a table: {sorted(missing)}"


def test_every_route_opening_case_or_note_material_is_marked_confidential():
    """Issue 5: "a duty person opening any case or note URL is refused and the attempt is
    recorded". Every route of the crisis and cases apps that opens one object and refuses the
    duty person must say so in its table, so that the sweep checks the refusal is recorded."""
    unmarked = [
        route.name
        for route in ROUTES
        if any(
            marker in route.name for marker in ("crisis:", "cases:", "/api/crisis", "/api/cases")
        )
        and route.kwargs
        and "duty" not in route.allowed
        and not route.confidential
    ]
    assert not unmarked, f"mark these routes confidential=True: {unmarked}"


def resolve(route: Route, cast) -> tuple[str, str]:
    kwargs = {
        key: (cast.school.pk if value == "own" else value(cast) if callable(value) else value)
        for key, value in route.kwargs.items()
    }
    if " " in route.name:
        method, path = route.name.split(" ", 1)
        return method.lower(), path.format(**kwargs)
    return route.method, reverse(route.name, kwargs=kwargs or None)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_route_allows_exactly_its_roles(route, module_cast, db):
    cast = module_cast
    # Objects a route builds for every role (tests/cases/access_table_workflow.py) live in
    # this test's savepoint only: forget those of the route before.
    cast.__dict__.pop("_sweep_cases", None)
    for who in [ANONYMOUS, *sorted(ALL_ROLES), *sorted(EXTRA_CAST)]:
        client = Client()
        user = None if who == ANONYMOUS else getattr(cast, who)
        if user is not None:
            sign_in(client, user)
        method, path = resolve(route, cast)
        response = getattr(client, method)(path, route.data)
        status = response.status_code
        if route.confidential and who != ANONYMOUS:
            # Issue 12 (item 6): confidential material, and its refusal, is never stored.
            assert "no-store" in response.get("Cache-Control", ""), (who, path)
        if who == ANONYMOUS:
            if route.public:
                assert status in route.ok, (who, path, status)
            elif path.startswith("/api/"):
                assert status == 401, (who, path, status)
            else:
                assert status == 302 and "/accounts/sign-in/" in response.url, (who, path, status)
        elif route.allows(who):
            ok = route.extras_ok if (who in EXTRA_CAST and route.extras_ok) else route.ok
            assert status in ok, (who, path, status)
        elif who in EXTRA_CAST and route.confidential:
            # Issue 11: another school's staff and a counselor without the case are told
            # "not found", exactly as for a case that does not exist, and it is recorded.
            assert status == 404, (who, path, status)
            assert_refusal_recorded(user, path)
        else:
            assert status in (403, 404), (who, path, status)
            if route.confidential:
                # Issue 5: a duty person opening a case or note URL is refused and recorded;
                # issue 12 (item 9): so is everyone else refused confidential material.
                assert_refusal_recorded(user, path)


def assert_refusal_recorded(user, path: str) -> None:
    refused = AccessLog.objects.filter(action="denied", actor_username=user.username, path=path)
    assert refused.exists(), ("the refusal was not recorded", user.username, path)
