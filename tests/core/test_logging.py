"""Log lines (issue 12 items 10 and 20): whose request a line belongs to, and what it says."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from xinqiao.core.logging import JsonFormatter, RequestContextFilter


class Collected(logging.Handler):
    """The records of one logger, with the request context as the console handler adds it."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestContextFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def request_log():
    handler = Collected()
    logger = logging.getLogger("django")  # django.request and django.security.csrf
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_an_anonymous_request_after_a_signed_in_one_logs_no_user(client, cast, request_log):
    """Issue 12 item 10: the user id stayed set for the next request the thread served."""
    from xinqiao.core.logging import user_id_var

    client.force_login(cast.student)
    client.get("/security/lockouts/")  # refused: logged inside the request
    assert user_id_var.get() is None
    from django.test import Client

    Client(enforce_csrf_checks=True).post("/accounts/sign-in/")  # anonymous; CSRF refusal logged
    assert [record.user_id for record in request_log] == [cast.student.pk, None]


def _server_error_record() -> logging.LogRecord:
    try:
        raise ValueError("学生的秘密 confidential-marker-55")
    except ValueError:
        return logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "%s: %s",  # how Django's log_response writes a 500
            ("Internal Server Error", "/cases/1/"),
            sys.exc_info(),
        )


def test_a_server_error_is_logged_with_its_message_not_the_template():
    """Issue 12 item 20: the JSON formatter wrote "%s: %s" for every 500."""
    line = JsonFormatter().format(_server_error_record())
    entry = json.loads(line)
    assert entry["message"] == "Internal Server Error: /cases/1/"
    assert entry["exception"] == "ValueError"
    assert "confidential-marker" not in line


@pytest.mark.django_db
def test_a_half_signed_in_htmx_request_is_sent_to_the_next_step_by_hx_redirect(client, cast):
    """Issue 12 item 20: the htmx middleware ran after the sign-in steps, which answered 302."""
    from django.urls import reverse

    client.force_login(cast.counselor)  # the password only: the second factor is still owed
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("core:otp_enroll")
