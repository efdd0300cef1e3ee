"""Files that leave Xinqiao: marked with who took them and when, and named in Chinese.

Seed 000: 咨询用表不可外借、复印. A printed page, a Word document or a workbook that leaves the
counseling room carries the name of whoever printed or exported it and the time (issue 16 item
5), so a copy found on a desk says whose it was. The view writes the export to the access log;
this module marks the file and names it (学生档案-姓名-学号.docx, issue 17: the name a teacher
recognises in the download list).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from openpyxl import Workbook

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_GREY = RGBColor(0x80, 0x80, 0x80)


def watermark_text(user) -> str:
    """Who is reading and when: printed across every page, in Word headers and sheet headers."""
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return _("%(name)s (%(username)s) · %(time)s") % {
        "name": user.display_name,
        "username": user.username,
        "time": now,
    }


def export_mark(user) -> str:
    """The line an exported file carries: who exported it, when, and that it is not to be lent."""
    return _("Exported by %(reader)s · not to be lent or copied") % {"reader": watermark_text(user)}


def mark_document(document, text: str) -> None:
    """Put ``text`` in the header of every section of a python-docx document, small and grey."""
    for section in document.sections:
        header = section.header.paragraphs[0]
        header.text = text
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in header.runs:
            run.font.size = Pt(8)
            run.font.color.rgb = _GREY
    document.core_properties.comments = text


def mark_workbook(workbook: Workbook, text: str) -> None:
    """Put ``text`` in the printed header of every sheet and in the file's properties."""
    for sheet in workbook.worksheets:
        sheet.oddHeader.center.text = text
        sheet.evenHeader.center.text = text
    workbook.properties.description = text
    workbook.properties.keywords = text


def download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """``content`` as a download called ``filename`` (RFC 6266 for a Chinese name), never kept
    by the browser or a proxy."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
