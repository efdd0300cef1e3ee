"""The fixed cast (STYLE.md 6) and the harness every test shares."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import SchoolFactory, make_class_with_student, make_user
from xinqiao.core import crypto
from xinqiao.core.access_log import install_triggers, remove_triggers
from xinqiao.core.roles import Role

# Property tests check what holds, never how fast: no deadline, and no "too slow" health check
# (it failed the scoring properties once on a machine with a load average of 15).
hypothesis_settings.register_profile(
    "xinqiao", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("xinqiao")


def pytest_configure(config):
    # A key file of the test run's own, outside the repository.
    key_dir = Path(tempfile.mkdtemp(prefix="xinqiao-keys-"))
    settings.KEY_FILE = key_dir / "fields.keys"
    settings.AUDIT_KEY_FILE = key_dir / "audit.key"
    settings.AUDIT_HEAD_FILE = key_dir / "audit-head.json"
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
    refuse; the triggers are lifted just for that flush and restored by the next test. The head
    file outside the database follows the test's log: it starts absent, as the log starts empty.
    """
    mode = _db_mode(request)
    if mode is None:
        yield
        return
    request.getfixturevalue("transactional_db" if mode == "transactional" else "db")
    install_triggers()
    Path(settings.AUDIT_HEAD_FILE).unlink(missing_ok=True)
    yield
    Path(settings.AUDIT_HEAD_FILE).unlink(missing_ok=True)
    if mode == "transactional":
        remove_triggers()


@pytest.fixture
def school(db):
    return SchoolFactory(name="第一中学", code="school-one")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="第二中学", code="school-two")


def build_cast(school, other_school) -> SimpleNamespace:
    """One person per role at the school, a second counselor of it who holds none of the
    tests' cases, and the director and a counselor of another school (``outsider`` is that
    counselor, under the name older tests use).

    The school has a current semester and one class (七年级1班): ``class_teacher`` teaches it,
    ``student`` is in it (a left-behind child), ``guardian`` is that student's mother.
    """
    people = {role.value: make_user(role.value, school=school) for role in Role}
    people["second_counselor"] = make_user(
        Role.COUNSELOR, school=school, username="second_counselor"
    )
    people["foreign_director"] = make_user(
        Role.DIRECTOR, school=other_school, username="foreign_director"
    )
    people["outsider"] = make_user(Role.COUNSELOR, school=other_school, username="outsider")
    people["foreign_counselor"] = people["outsider"]
    org = make_class_with_student(school, people)
    return SimpleNamespace(school=school, other_school=other_school, **people, **org)


@pytest.fixture
def cast(school, other_school):
    return build_cast(school, other_school)


@pytest.fixture(scope="module")
def module_cast(django_db_setup, django_db_blocker):
    """The cast built once for a module whose tests only read it (the access sweep).

    It lives in a transaction around the module; each test runs in a savepoint inside it
    (pytest-django's ``db``) that is rolled back after the test, and the module's
    transaction is rolled back at its end.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_cast(
            SchoolFactory(name="第一中学", code="school-one"),
            SchoolFactory(name="第二中学", code="school-two"),
        )
        yield built
        transaction.set_rollback(True)


def sign_in(client, user):
    """Sign ``user`` in on ``client`` with every step done (second factor included)."""
    client.force_login(user, backend="xinqiao.core.backends.PasswordBackend")
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


@pytest.fixture
def demo_wordings(settings):
    """The demo school's (unvalidated) Chinese wordings of PHQ-9, WHO-5 and CES-D, so these
    built-in scales can be given in the tests (a school adds its validated ones)."""
    from xinqiao.screening.library import DEMO_WORDINGS_DIR

    settings.SCREENING_EXTRA_SCALE_DIRS = [DEMO_WORDINGS_DIR]
