"""The research export as an .xlsx workbook (and its data sheet as CSV), watermarked with who
made it and when: in the first row of the data sheet, on the notes sheet and in the file's
properties (author, title, description, keywords)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from xinqiao.core.deidentify_table import Release
from xinqiao.core.xlsx import looks_like_formula, workbook_bytes, workbook_from_bytes
from xinqiao.reports.models import ResearchExport
from xinqiao.reports.selectors_research import Collected, column_heading

DATA_SHEET_INDEX = 0


def watermark(export: ResearchExport) -> str:
    made = timezone.localtime(export.created_at).strftime("%Y-%m-%d %H:%M")
    return _(
        "De-identified research data · made by %(who)s on %(when)s · k = %(k)s · for research "
        "and teaching only: do not try to identify anyone, do not pass on"
    ) % {"who": export.requested_by_name, "when": made, "k": export.k}


def _cell(value: Any) -> Any:
    if isinstance(value, tuple):  # an ungeneralised grade is never released; safety only
        value = value[0]
    return value


def research_workbook(export: ResearchExport, collected: Collected, release: Release) -> bytes:
    book = Workbook()
    data = book.active
    data.title = _("data")
    columns = [*collected.quasi, *collected.columns]
    data.append([watermark(export)])
    data["A1"].font = Font(bold=True, color="FF808080")
    data.append([column_heading(c) for c in columns])
    for cell in data[2]:
        cell.font = Font(bold=True)
    for row in release.rows:
        data.append([_cell(row.get(c, "")) for c in columns])

    notes = book.create_sheet(_("notes"))
    notes.append([watermark(export)])
    for label, value in (
        (_("Scope"), export.scope_label),
        (_("Period"), f"{export.period_start:%Y-%m-%d} – {export.period_end:%Y-%m-%d}"),
        (_("Included"), "、".join(export.included_labels())),
        (_("k (every released combination covers at least k students)"), export.k),
        (_("Smallest group released"), release.smallest_group),
        (_("Cases in the period"), collected.cases_considered),
        (_("Left out: no research consent in force"), collected.left_out_no_consent),
        (_("Rows suppressed (groups smaller than k)"), release.suppressed),
        (_("Rows released"), len(release.rows)),
    ):
        notes.append([str(label), value])
    notes.append([])
    notes.append([_("Quasi-identifiers"), _("released as")])
    for column, described in release.generalised.items():
        notes.append([column_heading(column), described])
    notes.append([])
    for line in (
        _(
            "No name, student number, class, dormitory, case number, exact date or free text "
            "is in this file."
        ),
        _(
            "Every case needs the research consent in force (a guardian's for a minor); cases "
            "without it are left out and counted above."
        ),
        _("Screening results are given as bands only."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 48
    notes.column_dimensions["B"].width = 40

    properties = book.properties
    properties.creator = export.requested_by_name
    properties.lastModifiedBy = export.requested_by_name
    properties.title = _("De-identified research export")
    properties.description = watermark(export)
    properties.keywords = f"k={export.k}"
    properties.created = properties.modified = timezone.now().replace(tzinfo=None)
    return workbook_bytes(book)


def csv_from_workbook(content: bytes) -> bytes:
    """The data sheet as CSV (UTF-8 with a byte-order mark, for Excel), watermark row first;
    cells that a spreadsheet would take as a formula are quoted with an apostrophe."""
    book = workbook_from_bytes(content)
    sheet = book.worksheets[DATA_SHEET_INDEX]
    out = io.StringIO()
    writer = csv.writer(out)
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(
            [("'" + v if looks_like_formula(v) else v) if v is not None else "" for v in row]
        )
    book.close()
    return ("\ufeff" + out.getvalue()).encode("utf-8")
