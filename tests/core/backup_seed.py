"""A small school for the backup tests, built in a data directory of its own by a subprocess
(``xinqiao manage shell -c "from tests.core.backup_seed import seed; seed()"``).

Canaries: text that must never appear in a backup file in the clear.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.db import transaction

NOTE = "金丝雀笔记：她说夜里总是睡不着"
NAME = "金丝雀学生"
PHONE = "13912345678"
UPLOAD = "canary-upload-text-7d1f"


def seed() -> None:
    from tests.cases.factories import case_at
    from tests.conftest import build_cast
    from tests.factories import SchoolFactory, make_user
    from xinqiao.core.access_log import record_access
    from xinqiao.people.models import Guardian, Student

    with transaction.atomic():
        cast = build_cast(
            SchoolFactory(name="第一中学", code="school-one"),
            SchoolFactory(name="第二中学", code="school-two"),
        )
        student = Student.objects.create(
            school=cast.school,
            user=make_user("student", school=cast.school, username="canary_student"),
            name=NAME,
            student_number="2026070199",
            gender="F",
            school_class=cast.school_class,
        )
        Guardian.objects.create(
            school=cast.school,
            user=make_user("guardian", school=cast.school, username="canary_guardian"),
            name="金丝雀家长",
            phone=PHONE,
        )
        case = case_at(cast, "closed", student=student, problem=NOTE)
        record_access(actor=cast.director, action="read", obj=case, basis="test")
    (settings.MEDIA_ROOT / "letters").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "letters" / "scan.txt").write_text(UPLOAD, encoding="utf-8")


def print_decrypted() -> None:
    """Every encrypted value, decrypted, as JSON on stdout: the restore must give the same."""
    from xinqiao.core.fields import encrypted_field_names

    values = {}
    for model in apps.get_models():
        names = encrypted_field_names(model)
        if names:
            rows = model._base_manager.order_by("pk").values_list("pk", *names)
            values[model._meta.label] = [list(row) for row in rows]
    print(json.dumps(values, ensure_ascii=False, sort_keys=True))


def write_until(stop_file: str, clients: int = 20) -> None:
    """Twenty clients writing session records and access-log rows until ``stop_file`` exists."""
    import threading
    from pathlib import Path
    from types import SimpleNamespace

    from django.db import connection
    from django.utils import timezone

    from tests.cases.factories import case_at
    from xinqiao.cases import services_records
    from xinqiao.core.access_log import record_access
    from xinqiao.core.models import User
    from xinqiao.people.models import School, Student

    cast = SimpleNamespace(
        school=School.objects.get(code="school-one"),
        student_record=Student.objects.get(student_number="2026070101"),
        **{u.username: u for u in User.objects.all()},
    )
    case = case_at(cast, "active")
    stop = Path(stop_file)

    def client(number: int) -> None:
        while not stop.exists():
            with transaction.atomic():
                record_access(
                    actor=cast.director, action="read", obj=case, basis=f"client {number}"
                )
            services_records.session_record(
                actor=cast.counselor,
                case=case,
                kind="individual",
                held_at=timezone.now(),
                place="心理咨询室",
                problem=f"{NOTE} ({number})",
                measures_taken="倾听",
            )
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    print("writing", flush=True)
    for thread in threads:
        thread.join()
