"""The fixed cast (STYLE.md 6) and the harness every test shares."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import SchoolFactory, make_class_with_student, make_user
from xinqiao.core import crypto
from xinqiao.core.access_log import install_triggers, remove_triggers
from xinqiao.core.roles import Role


def pytest_configure(config):
    # A key file of the test run's own, outside the repository.
    key_dir = Path(tempfile.mkdtemp(prefix="xinqiao-keys-"))
    settings.KEY_FILE = key_dir / "fields.keys"
    crypto.ensure_key_file()


def _db_mode(request) -> str | None:
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if {"live_server", "transactional_db"} & names or (marker and marker.kwargs.get("transaction")):
        return "transactional"
    if "db" in names or marker:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _append_only_access_log(request):
    """Keep the access log's triggers on in every database test.

    Transactional tests end with a flush that empties every table, which the triggers would
    refuse; the triggers are lifted just for that flush and restored by the next test.
    """
    mode = _db_mode(request)
    if mode is None:
        yield
        return
    request.getfixturevalue("transactional_db" if mode == "transactional" else "db")
    install_triggers()
    yield
    if mode == "transactional":
        remove_triggers()


@pytest.fixture
def school(db):
    return SchoolFactory(name="第一中学", code="school-one")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="第二中学", code="school-two")


@pytest.fixture
def cast(school, other_school):
    """One person per role at the school, plus a counselor of another school.

    The school has a current semester and one class (七年级1班): ``class_teacher`` teaches it,
    ``student`` is in it (a left-behind child), ``guardian`` is that student's mother.
    """
    people = {role.value: make_user(role.value, school=school) for role in Role}
    people["outsider"] = make_user(Role.COUNSELOR, school=other_school, username="outsider")
    org = make_class_with_student(school, people)
    return SimpleNamespace(school=school, other_school=other_school, **people, **org)


def sign_in(client, user):
    """Sign ``user`` in on ``client`` with every step done (second factor included)."""
    client.force_login(user)
    from xinqiao.core.two_factor import requires_second_factor

    if requires_second_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def signed_in(client):
    return lambda user: sign_in(client, user)
