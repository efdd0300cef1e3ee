"""``xinqiao import-roster FILE --school CODE [--semester YEAR-TERM] [--dry-run]
[--confirm-departures]``."""

from __future__ import annotations

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from xinqiao.people.models import School
from xinqiao.people.roster.checks import COUNT_KEYS, COUNT_LABELS, roster_validate
from xinqiao.people.roster.format import RowError
from xinqiao.people.roster.semesters import SemesterChoice
from xinqiao.people.roster.writer import RosterInvalid, roster_import


class Command(BaseCommand):
    help = (
        "Import a roster workbook (classes, staff, students, guardians) into a school's semester. "
        "Every row is checked first; nothing is written when any row is wrong (exit status 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .xlsx workbook (see the web template)")
        parser.add_argument("--school", required=True, help="the school's code")
        parser.add_argument(
            "--semester",
            help="school year and term, e.g. 2026-1 (default: the school's current semester)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report only; write nothing"
        )
        parser.add_argument(
            "--confirm-departures",
            action="store_true",
            help=(
                "import even though more than XINQIAO_ROSTER_DEPARTURES_CONFIRM_PERCENT of the "
                "enrolled students would be marked as having left (the report gives the numbers)"
            ),
        )

    def handle(self, *args, **options):
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has the code {options['school']!r}.")
        try:
            semester = (
                SemesterChoice.parse(options["semester"])
                if options["semester"]
                else SemesterChoice.default_for(school)
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        progress = self._progress if options["verbosity"] > 1 else None
        try:
            if options["dry_run"]:
                plan = roster_validate(school=school, semester=semester, source=path)
                if not plan.ok:
                    raise RosterInvalid(plan)
                self._warn(plan.warnings, path)
                if plan.departures_to_confirm:
                    departures = RowError(
                        "", None, "", "departures_unconfirmed", plan.departures_to_confirm
                    )
                    self.stderr.write(f"warning: {departures.message}")
                counts = plan.counts
            else:
                result = roster_import(
                    actor=None,
                    school=school,
                    semester=semester,
                    source=path,
                    progress=progress,
                    confirm_departures=options["confirm_departures"],
                )
                self._warn(result.warnings, path)
                counts = result.counts
        except RosterInvalid as invalid:
            self._warn(invalid.plan.warnings, path)
            for error in invalid.plan.errors:
                self.stderr.write(f"{error.cell or path.name}: {error.message}")
            hint = (
                " Run again with --confirm-departures if these departures are right."
                if any(e.code == "departures_unconfirmed" for e in invalid.plan.errors)
                else ""
            )
            raise CommandError(
                f"{len(invalid.plan.errors)} problem(s) in {path.name}; nothing was imported.{hint}"
            ) from None
        heading = (
            "Dry run: the workbook is correct; importing would give"
            if options["dry_run"]
            else "Imported"
        )
        self.stdout.write(f"{heading} ({school.code}, {semester}):")
        for key in COUNT_KEYS:
            if counts.get(key):
                self.stdout.write(f"  {COUNT_LABELS[key]}: {counts[key]}")
        if not options["dry_run"]:
            self.stdout.write(self.style.SUCCESS("Done."))

    def _warn(self, warnings: list[RowError], path: Path) -> None:
        for warning in warnings:
            self.stderr.write(f"warning: {warning.cell or path.name}: {warning.message}")

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"step {done} of {total}")
