"""The access log's ground (依据) in the reader's language (issue 17 item 3): the stored text,
part of the keyed chain, stays as the code wrote it in English; the log shows it translated."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import sign_in
from tests.privacy.helpers import make_students
from xinqiao.core.access_log import record_access
from xinqiao.core.models import AccessLog
from xinqiao.privacy.basis import basis_label

SOURCE = Path(__file__).resolve().parents[2] / "src" / "xinqiao"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("director of the school", "本校心理中心主任"),
        ("counselor: screening follow-up check of the grade", "心理教师：年级测评后续约谈核查"),
        ("access grant #12", "查阅授权 #12"),
        ("emergency access #3 (break-glass)", "紧急查阅 #3"),
        (
            "director of the school: access log (student=5)",
            "本校心理中心主任：访问日志（student=5）",
        ),
        ("counselor of the case; referral letter 9", "个案的心理教师；转介信 9"),
        ("alert step 1; told: director, principal", "预警第1级；已告知：director, principal"),
        ("rights: decision release_part", "家长查阅申请：决定部分提供"),
        ("refused: cases.view_case", "已拒绝（需要权限 cases.view_case）"),
        (
            "生成研究数据导出: k=5, 2026-03-01–2026-12-04, rows=40, sha256=b0308d98",
            "生成研究数据导出：k=5, 2026-03-01–2026-12-04, rows=40, sha256=b0308d98",
        ),
        ("a ground written by an older version", "a ground written by an older version"),
    ],
)
def test_a_stored_ground_is_shown_in_chinese(stored, shown):
    with translation.override("zh-hans"):
        assert basis_label(stored) == shown


def test_in_english_the_ground_reads_as_stored():
    with translation.override("en"):
        assert basis_label("access grant #12") == "access grant #12"
        assert (
            basis_label("rights: decision refuse") == "guardian's record request: decision refuse"
        )


def _grounds_written_in_the_code() -> set[str]:
    """Every fixed ground the code writes: ``basis="…"`` arguments, ``*BASIS = "…"`` constants
    and the ground ``read_grounds`` is given for the reader's own part."""
    grounds: set[str] = set()

    def constants(node) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return constants(node.body) + constants(node.orelse)
        return []

    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "basis":
                        grounds.update(constants(keyword.value))
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in {"read_grounds", "read_basis"} and len(node.args) == 3:
                    grounds.update(constants(node.args[2]))
            elif isinstance(node, ast.Assign):
                targets = [getattr(target, "id", "") for target in node.targets]
                if any(target.endswith("BASIS") for target in targets):
                    grounds.update(constants(node.value))
    return grounds


def test_every_ground_the_code_writes_is_translated():
    grounds = _grounds_written_in_the_code()
    assert "counseling staff of the school" in grounds and len(grounds) > 15
    with translation.override("zh-hans"):
        untranslated = sorted(ground for ground in grounds if basis_label(ground) == ground)
    assert untranslated == []


@pytest.mark.django_db
def test_the_director_reads_the_grounds_in_chinese_and_the_stored_text_is_unchanged(cast, client):
    pupil, other = make_students(cast, 2)
    record_access(
        actor=cast.counselor,
        action="read",
        obj=pupil,
        basis="counselor: screening follow-up check of the grade",
    )
    record_access(
        actor=cast.counselor, action="read", obj=other, basis="access grant #7", grant_id=7
    )
    sign_in(client, cast.director)
    response = client.get(reverse("privacy:log"), {"actor": cast.counselor.pk})
    html = response.content.decode()
    table = html[html.index('data-testid="log-list"') : html.index("</table>")]
    assert "心理教师：年级测评后续约谈核查" in table
    assert "screening follow-up check" not in table
    # A grant's read says it once, by the grant's link, not "授权 #7 查阅授权 #7".
    assert table.count("#7") == 1
    stored = set(
        AccessLog.objects.filter(actor_id=cast.counselor.pk).values_list("basis", flat=True)
    )
    assert stored == {"counselor: screening follow-up check of the grade", "access grant #7"}
