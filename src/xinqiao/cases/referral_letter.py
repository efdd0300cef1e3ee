"""The referral letter (转介函) to an outside service, as a Word document (python-docx).

It carries what the receiving service needs to see the student: who the student is, why the
case is referred, who referred it and how to reach them. Every page's footer marks it
confidential and its header says who exported it and when; downloading it is an export and is written to the access log by the view.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from xinqiao.cases.models import Referral
from xinqiao.core.exports import mark_document

EAST_ASIAN_FONT = "SimSun"


def letter_filename(referral: Referral) -> str:
    """A file name that does not name the student (it shows in download lists)."""
    return _("Referral letter-%(number)s-%(pk)s.docx") % {
        "number": referral.case.number,
        "pk": referral.pk,
    }


def build_referral_letter(referral: Referral, *, mark: str) -> bytes:
    """The letter, ``mark`` (who exported it and when, core/exports.py) in every page's header."""
    case = referral.case
    student = case.student
    service = referral.to_service
    counselor = referral.referred_by
    referred_on = timezone.localtime(referral.referred_at).date()

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    # Chinese text in a font every Chinese Word installation has.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)

    heading = document.add_heading(_("Referral letter"), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    school_line = document.add_paragraph(case.school.name)
    school_line.alignment = WD_ALIGN_PARAGRAPH.CENTER

    if service is not None:
        document.add_paragraph(_("To: %(service)s") % {"service": service.name})

    document.add_heading(_("The student"), level=2)
    rows = [
        (_("Name of the student"), student.name),
        (_("Class of the student"), str(student.school_class) if student.school_class else "—"),
        (
            _("Date of birth"),
            student.birth_date.isoformat() if student.birth_date else "—",
        ),
        (_("Case number"), case.number),
    ]
    _table(document, rows)

    document.add_heading(_("Reason for the referral"), level=2)
    for line in referral.reason.splitlines() or [""]:
        document.add_paragraph(line)

    document.add_heading(_("Referred to"), level=2)
    target = []
    if service is not None:
        target = [
            (_("Service"), service.name),
            (_("Address of the service"), service.address or "—"),
            (_("Phone of the service"), service.phone or "—"),
        ]
    elif referral.to_counselor is not None:
        target = [(_("Counselor"), referral.to_counselor.display_name)]
    _table(document, target)

    document.add_heading(_("Referred by"), level=2)
    _table(
        document,
        [
            (_("Referring counselor"), counselor.display_name if counselor else "—"),
            (_("School"), case.school.name),
            (_("Date of the referral"), referred_on.isoformat()),
        ],
    )

    document.add_paragraph()
    document.add_paragraph(
        _(
            "Please tell the referring counselor whether the student came to you, so that the "
            "school can follow up the referral."
        )
    )
    signature = document.add_paragraph(f"{case.school.name}\n{referred_on.isoformat()}")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    for section in document.sections:
        footer = section.footer.paragraphs[0]
        footer.text = _("Confidential")
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run(
            " · " + _("For the receiving service only; not to be copied or passed on.")
        ).font.size = Pt(8)

    buffer = io.BytesIO()
    mark_document(document, mark)
    document.save(buffer)
    return buffer.getvalue()


def _table(document, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = str(label)
        cells[1].text = str(value)
