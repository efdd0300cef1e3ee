from __future__ import annotations

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import RoleAssignment
from xinqiao.people.services import role_assign

pytestmark = pytest.mark.django_db


def test_init_creates_a_first_admin_whose_password_is_printed_once():
    out = StringIO()
    call_command("init", stdout=out)
    printed = out.getvalue()
    admin = User.objects.get(username="admin")
    # In the site's language (Chinese), as the IT teacher reads it.
    password = printed.split("第一个系统管理员：admin / ")[1].split()[0]
    assert "密钥必须与备份分开保管" in printed and "xinqiao keys export" in printed
    assert admin.check_password(password)
    assert admin.must_change_password
    again = StringIO()
    call_command("init", stdout=again)
    assert password not in again.getvalue()
    assert User.objects.filter(username="admin").count() == 1


def test_init_creates_the_access_log_key_readable_by_its_owner_only(tmp_path, settings):
    settings.AUDIT_KEY_FILE = tmp_path / "keys" / "audit.key"
    out = StringIO()
    call_command("init", "--no-admin", stdout=out)
    assert f"已创建访问日志密钥文件 {settings.AUDIT_KEY_FILE}（0600）" in out.getvalue()
    assert settings.AUDIT_KEY_FILE.stat().st_mode & 0o777 == 0o600


def test_demo_creates_one_account_per_role_and_prints_the_log_ins():
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    for username in ("admin", "principal", "director", "counselor", "duty", "student", "guardian"):
        assert User.objects.get(username=username).check_password("xinqiao-demo-2026")
        assert username in printed
    assert "demo-code counselor" in printed
    students = RoleAssignment.objects.filter(role="student").count()
    call_command("demo", stdout=StringIO())  # a second run changes nothing
    assert RoleAssignment.objects.filter(role="student").count() == students


def test_the_log_ins_name_the_address_the_server_listens_on(monkeypatch):
    """`make run PORT=8123` passes the address on: the sheet must not send people to :8000."""
    from django.core.management.base import OutputWrapper

    from xinqiao.core.demo import print_logins

    monkeypatch.delenv("XINQIAO_HOST", raising=False)
    monkeypatch.delenv("XINQIAO_PORT", raising=False)
    out = StringIO()
    print_logins(OutputWrapper(out))
    assert "Open http://127.0.0.1:8000/ and sign in." in out.getvalue()
    monkeypatch.setenv("XINQIAO_HOST", "192.168.1.20")
    monkeypatch.setenv("XINQIAO_PORT", "8123")
    out = StringIO()
    print_logins(OutputWrapper(out))
    assert "Open http://192.168.1.20:8123/ and sign in." in out.getvalue()


def test_demo_code_prints_the_current_code_of_a_demo_account():
    call_command("demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_code", "counselor", stdout=out)
    assert out.getvalue().strip().isdigit()
    assert len(out.getvalue().strip()) == 6


def test_role_changes_are_kept_in_the_change_history(cast):
    assignment = role_assign(user=cast.student, role="committee_member", school=cast.school)
    entry = LogEntry.objects.get_for_object(assignment).get()
    assert entry.action == LogEntry.Action.CREATE


def test_the_change_history_never_holds_password_hashes(cast):
    cast.principal.set_password("another-long-password-1")
    cast.principal.full_name = "新名字"
    cast.principal.save()
    entries = LogEntry.objects.get_for_object(cast.principal)
    assert entries.exists()
    assert all("password" not in entry.changes_dict for entry in entries)


def test_navigation_shows_each_role_only_what_it_may_use(client, cast, signed_in):
    signed_in(cast.admin)
    admin_menu = [str(item["label"]) for item in client.get("/").context["nav_items"]]
    client.logout()
    signed_in(cast.student)
    student_menu = [str(item["label"]) for item in client.get("/").context["nav_items"]]
    assert "已锁定的账号" in admin_menu
    assert "安全事件" in admin_menu
    assert "已锁定的账号" not in student_menu
    assert len(student_menu) < len(admin_menu)


def test_the_menu_holds_exactly_what_each_role_may_use(client, cast, signed_in):
    """The menu is worked out once per set of roles (core/navigation.py): for every role it
    holds the entries whose permission ``user.has_perm`` grants, and asks no permission query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinqiao.core.navigation import NAV_ITEMS

    for role in Role:
        user = getattr(cast, role.value)
        signed_in(user)
        client.get("/")  # the menu of these roles is now known to the process
        with CaptureQueriesContext(connection) as queries:
            menu = [item["url"] for item in client.get("/").context["nav_items"]]
        user.forget_roles()
        expected = [
            reverse(item.url_name)
            for item in NAV_ITEMS
            if item.permission is None or user.has_perm(item.permission)
        ]
        assert menu == expected, role
        assert not [q for q in queries if "auth_permission" in q["sql"]], role
        client.logout()


def test_every_navigation_entry_leads_somewhere():
    from django.urls import reverse

    from xinqiao.core.navigation import NAV_ITEMS

    for item in NAV_ITEMS:
        assert reverse(item.url_name)


def test_many_entries_come_by_section_and_few_in_one_row(client, cast, signed_in):
    signed_in(cast.director)
    sections = client.get("/cases/").context["nav_sections"]
    by_label = {str(s["label"]): s for s in sections if "entries" in s}
    assert set(by_label) >= {"心理咨询室", "个案工作"}
    assert by_label["个案工作"]["active"], "the section of the page one is on stands out"
    assert not by_label["心理咨询室"]["active"]
    case_entries = [str(item["label"]) for item in by_label["个案工作"]["entries"]]
    assert case_entries[:3] == ["危机看板", "预警", "个案"]
    assert str(sections[0]["item"]["label"]) == "首页"
    page = client.get("/cases/").content.decode()
    assert '<li class="menu-heading" data-section="cases">个案工作</li>' in page  # the phone menu
    client.logout()

    signed_in(cast.student)
    row = client.get("/").context["nav_sections"]
    assert all("item" in entry for entry in row), "a student's few entries stay one row"
    assert [str(e["item"]["label"]) for e in row] == [
        str(item["label"]) for item in client.get("/").context["nav_items"]
    ]
