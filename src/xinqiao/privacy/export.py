"""The access log as an Excel workbook for an inspection (issue 16 item 2): the rows the page's
filters select, newest first, with content for the director and without for the supervision
group (privacy/selectors.py says what that means)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from xinqiao.core.xlsx import workbook_bytes
from xinqiao.privacy.selectors import LogFilters, iter_log

# An inspection's export is bounded: past it, the workbook says the rest was left out.
EXPORT_ROWS = 100_000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def log_workbook(user, filters: LogFilters, *, content: bool, watermark: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Access log")[:31]
    sheet.append([watermark])
    head = [_("No."), _("When"), _("Person"), _("Account"), _("Action"), _("Kind of record")]
    if content:
        head += [_("What"), _("Student"), _("Grant"), _("Ground"), _("Address"), _("Path")]
    sheet.append(head)
    for given, entry in enumerate(iter_log(user, filters, limit=EXPORT_ROWS + 1), start=1):
        if given > EXPORT_ROWS:
            sheet.append([_("More rows match: narrow the filters to export them.")])
            break
        line = [
            entry.seq,
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.person,
            entry.username,
            entry.action_label,
            entry.kind_label,
        ]
        if content:
            line += [
                entry.what if entry.content else "",
                entry.student if entry.content else "",
                (entry.grant_id or "") if entry.content else "",
                entry.basis_label if entry.content else "",
                entry.ip if entry.content else "",
                entry.path if entry.content else "",
            ]
        sheet.append(line)
    return workbook_bytes(workbook)
