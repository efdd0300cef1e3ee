"""Schemathesis against the OpenAPI schema, once per role (issue 12 item 14): no 5xx.

A short bounded run: a few generated requests per operation, derandomized (the same requests on
every run), sent in-process to the WSGI application (no network), each role with its own bearer
token. Requests that the schema allows but that ask for ids, days or pages no database holds
must be answered 4xx, never 500.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from tests.access import ALL_ROLES
from xinqiao.api import api
from xinqiao.core.services import api_token_create

EXAMPLES_PER_OPERATION = 3

RUN = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing request is reported
    suppress_health_check=list(HealthCheck),
)


@contextmanager
def connection_kept_open():
    """The WSGI handler closes the database connection after each request; the test's
    transaction lives on it (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def operations():
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_no_api_operation_answers_a_server_error_to_a_role(role, module_cast, operations, db):
    _token, key = api_token_create(user=getattr(module_cast, role), name="schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    app = get_wsgi_application()
    server_errors = []

    with connection_kept_open():
        for operation in operations:

            @RUN
            @given(case=operation.as_strategy())
            def call(case):
                response = case.call(app=app, headers=headers)
                if response.status_code >= 500:
                    server_errors.append(
                        f"{response.status_code} {case.as_curl_command(headers=headers)}"
                    )

            call()
    assert not server_errors, "\n".join(server_errors)
