"""The demo school's record requests: the demo guardian sees one released and one due in
about 12 days; the director's list shows the open one."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import sign_in
from xinqiao.core.models import User
from xinqiao.crisis.models import Disclosure
from xinqiao.rights.models import RecordRequest

pytestmark = pytest.mark.django_db


def test_the_demo_guardian_sees_a_released_copy_and_a_request_under_review(client):
    call_command("demo", stdout=StringIO())
    released = RecordRequest.objects.get(state="released")
    pending = RecordRequest.objects.get(state="under_review")
    assert pending.days_left() == 12
    assert Disclosure.objects.filter(source_type="rights.RecordRequest", source_id=released.pk)
    sign_in(client, User.objects.get(username="guardian"))
    mine = client.get("/rights/mine/").content.decode()
    assert released.number in mine and pending.number in mine
    assert client.get(f"/rights/{released.pk}/copy/").status_code == 200
    sign_in(client, User.objects.get(username="director"))
    assert pending.number in client.get("/rights/").content.decode()
