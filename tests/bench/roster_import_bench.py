"""Time the roster import of a generated school of 5,000 students (``python tests/bench/roster_import_bench.py``).

Not a test: it prints seconds. It builds a workbook with 5,000 students, one guardian each,
100 classes in 七年级–九年级 and their class teachers (10,200 rows), then times, in a throwaway
database (Django's test database, made and dropped here) inside a temporary data directory:

1. the check alone (what the upload page does before the admin confirms);
2. the first import (every account, person, link, role and placement created);
3. the same workbook again (nothing changes: idempotent);
4. the next school year (every class up a grade, 九年级 graduated, a new 七年级).

SQLite by default; ``--database-url postgres://postgres@127.0.0.1:5432/xinqiao_bench`` runs it
on PostgreSQL (the test database ``test_xinqiao_bench`` is created and dropped).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEP_NAMES = [
    "check",
    "semester",
    "staff",
    "classes",
    "students",
    "circumstances",
    "guardians",
    "roles",
    "placements",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="xinqiao-roster-bench-"))
    os.environ.update(
        XINQIAO_DATA_DIR=str(data_dir), XINQIAO_PROFILE="dev", XINQIAO_LOG_LEVEL="WARNING"
    )
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinqiao.settings"
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.students)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        shutil.rmtree(data_dir, ignore_errors=True)


def run(students: int) -> None:
    from django.db import connection

    from tests.people.workbooks import large_roster, next_school_year
    from xinqiao.people.models import School, Student
    from xinqiao.people.roster.checks import roster_validate
    from xinqiao.people.roster.semesters import SemesterChoice
    from xinqiao.people.roster.writer import roster_import

    school = School.objects.create(name="基准中学", code="bench", kind=School.Kind.SECONDARY)
    roster = large_roster(students)
    workbook = roster.workbook()
    following = next_school_year(roster, newcomers=students // 3).workbook()
    print(
        f"{connection.vendor}: {len(roster.students)} students, {len(roster.guardians)} guardians, "
        f"{len(roster.classes)} classes, {len(roster.staff)} staff ({roster.rows} rows, "
        f"{len(workbook) // 1024} KiB)"
    )

    def timed(label: str, action):
        start = time.perf_counter()
        result = action()
        print(f"  {label:<42} {time.perf_counter() - start:6.2f} s")
        return result

    marks: list[float] = []
    steps: list[str] = []
    first = SemesterChoice(2026, 1)
    plan = timed(
        "check only",
        lambda: roster_validate(school=school, semester=first, source=workbook),
    )
    assert plan.ok, plan.errors[:5]

    def load(source, semester):
        def step(done: int, total: int) -> None:
            now = time.perf_counter()
            steps.append(f"{STEP_NAMES[done - 1]} {now - marks[-1]:.2f}")
            marks.append(now)

        def action():
            marks[:], steps[:] = [time.perf_counter()], []
            result = roster_import(
                actor=None, school=school, semester=semester, source=source, progress=step
            )
            print("      " + ", ".join(steps))
            return result

        return action

    timed("first import (all new)", load(workbook, first))
    counts = timed("same workbook again (no change)", load(workbook, first)).counts
    assert counts["students_added"] == 0
    counts = timed(
        "next school year (promote, graduate)", load(following, SemesterChoice(2027, 1))
    ).counts
    print(
        f"  promoted {counts['students_promoted']}, graduated {counts['students_graduated']}, "
        f"added {counts['students_added']}; enrolled now "
        f"{Student.objects.filter(school=school, status='enrolled').count()}"
    )


if __name__ == "__main__":
    main()
