"""Nobody outside the counseling side sees a student's family circumstances, on any path.

Issue 4 asks that tests check this for every role (DESIGN.md principle 1: "every path applies
the same rule"). Each role opens every page and API route the access tables say it may open,
first while 何小明 has no family circumstance set, then with every flag set and a note: no
answer may gain a flag's name or label, and none may carry the note or the flag markup.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from tests.access import ALL_ROLES
from tests.conftest import sign_in
from tests.test_access_sweep import ROUTES, resolve
from xinqiao.people.models import StudentCircumstances

pytestmark = pytest.mark.django_db

COUNSELING_SIDE = {"director", "counselor"}
NOTE = "父亲在外务工，由奶奶照看 circumstance-note-5521"


def flag_labels() -> set[str]:
    labels = set()
    for name in StudentCircumstances.FLAG_FIELDS:
        label = StudentCircumstances._meta.get_field(name).verbose_name
        for language in ("zh-hans", "en"):
            with translation.override(language):
                labels.add(str(label))
    return labels


def text_of(response) -> str:
    """The text a person would read: a page, a JSON body, or every cell of a workbook."""
    if response.status_code != 200:
        return ""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode("utf-8", errors="replace")


def bodies(client: Client, cast, routes) -> list[str]:
    answers = []
    for route in routes:
        method, path = resolve(route, cast)
        answers.append(text_of(getattr(client, method)(path, route.data)))
    return answers


@pytest.mark.parametrize("role", sorted(ALL_ROLES - COUNSELING_SIDE))
def test_no_route_shows_the_family_circumstances_outside_the_counseling_side(cast, role):
    routes = [r for r in ROUTES if r.method == "get" and role in r.allowed]
    client = Client()
    sign_in(client, getattr(cast, role))
    circumstances = StudentCircumstances.objects.filter(student=cast.student_record)

    circumstances.update(**dict.fromkeys(StudentCircumstances.FLAG_FIELDS, False))
    before = bodies(client, cast, routes)
    circumstances.update(**dict.fromkeys(StudentCircumstances.FLAG_FIELDS, True))
    record = circumstances.get()
    record.notes = NOTE
    record.save()
    after = bodies(client, cast, routes)

    assert sum(bool(body) for body in after) >= 3, "the role opened hardly any route"
    labels = flag_labels()
    for route, plain, flagged in zip(routes, before, after, strict=True):
        where = (role, route.name)
        assert "circumstance-note-5521" not in flagged, where
        assert 'data-testid="flag-' not in flagged, where
        assert 'data-testid="circumstances"' not in flagged, where
        # Field names and labels may be written elsewhere (the API schema, a post's duties):
        # setting the flags must not make them appear once more.
        for marker in (*(f'"{name}"' for name in StudentCircumstances.FLAG_FIELDS), *labels):
            assert flagged.count(marker) == plain.count(marker), (*where, marker)


def test_the_counseling_side_does_see_them_so_the_sweep_would_notice_a_leak(cast):
    """The same markers do show where they belong: the sweep above looks for the right things."""
    record = StudentCircumstances.objects.get(student=cast.student_record)
    record.notes = NOTE
    record.save()
    client = Client()
    sign_in(client, cast.counselor)
    routes = [r for r in ROUTES if r.method == "get" and "counselor" in r.allowed]
    joined = "".join(bodies(client, cast, routes))
    assert "circumstance-note-5521" in joined
    assert 'data-testid="flag-left_behind"' in joined
    assert '"left_behind"' in joined
