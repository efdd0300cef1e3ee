"""The demo's flagged reading pattern (privacy/demo.py): a counselor reading 32 files, flagged
to the director, the rows chained as the product writes them."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import make_students
from xinqiao.core.access_log import verify_chain
from xinqiao.core.demo import DemoContext
from xinqiao.core.models import Notification
from xinqiao.privacy import demo
from xinqiao.privacy.models import AccessFlag

pytestmark = pytest.mark.django_db


def test_the_demo_flags_a_counselor_reading_many_files_to_the_director(cast):
    make_students(cast, 32)
    demo.build(DemoContext(objects={"school": cast.school, "user:counselor": cast.counselor}))
    flag = AccessFlag.objects.get(kind="many_files")
    assert (flag.actor_username, flag.count, flag.school_id) == (
        cast.counselor.username,
        30,
        cast.school.pk,
    )
    assert Notification.objects.filter(recipient=cast.director, url__contains="/privacy/").exists()
    assert verify_chain(anchored=False) == []
