"""The copy released to a guardian: a Word document holding only what the director decided.

It is built from the student file export's parts (cases/student_file_export.py) and
watermarked on every page with the guardian, the date and the request number: in the header,
in the footer and as grey text across the page behind the content (seed 001: archives are
never lent, so a copy that leaves says whose it is).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import quoteattr

from django.utils import timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Pt

from xinqiao.cases.selectors_file import student_file_for_user
from xinqiao.cases.student_file_export import (
    Writer,
    new_document,
    write_basic,
    write_case,
    write_consent,
)
from xinqiao.people.models import Student
from xinqiao.rights.models import RecordCorrection, RecordRequest

# Word's own watermark: a VML text shape in the header, drawn behind every page's text.
_VML_WATERMARK = """
<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
 <v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
  path="m@7,l@8,m@5,21600l@6,21600e">
  <v:formulas>
   <v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>
   <v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>
   <v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>
   <v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>
   <v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/>
  </v:formulas>
  <v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"
   o:connectangles="270,180,90,0"/>
  <v:textpath on="t" fitshape="t"/>
  <o:lock v:ext="edit" text="t" shapetype="t"/>
 </v:shapetype>
 <v:shape id="XinqiaoWatermark" type="#_x0000_t136" o:allowincell="f" fillcolor="silver"
  stroked="f" style="position:absolute;margin-left:0;margin-top:0;width:460pt;height:60pt;
  rotation:315;z-index:-251657216;mso-position-horizontal:center;
  mso-position-horizontal-relative:margin;mso-position-vertical:center;
  mso-position-vertical-relative:margin">
  <v:fill opacity=".4"/>
  <v:textpath style="font-family:&quot;SimSun&quot;;font-size:1pt" string=%(text)s/>
 </v:shape>
</w:pict>
"""


def watermark_text(request: RecordRequest, day=None) -> str:
    """Whose copy it is: the guardian, the day of release and the request number."""
    day = day or timezone.localdate()
    return _("Released to %(guardian)s · %(day)s · request %(number)s · not to be passed on") % {
        "guardian": request.guardian_name,
        "day": day.isoformat(),
        "number": request.number,
    }


def _watermark(document, text: str) -> None:
    for section in document.sections:
        footer = section.footer.paragraphs[0]
        footer.text = text
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in footer.runs:
            run.font.size = Pt(8)
        run = section.header.add_paragraph().add_run()
        run._r.append(parse_xml(_VML_WATERMARK % {"text": quoteattr(text)}))


def release_document(request: RecordRequest, *, reader) -> tuple[bytes, int]:
    """The copy as decided (``request.parts``) and the number of session records in it.

    ``reader`` is the director releasing it: the file is read as they may read it. Session
    records are only those a counselor reviewed and allowed for this request."""
    from xinqiao.rights.services import released_record_ids

    parts = set(request.parts)
    text = watermark_text(request, timezone.localdate(request.released_at))
    document = new_document(text)
    _watermark(document, text)
    w = Writer(document)
    # The child as stored now (not an object the caller may hold from before).
    student = Student.objects.select_related("school_class", "dormitory").get(pk=request.student_id)
    student_file = student_file_for_user(reader, student)
    document.add_heading(
        _("Records of %(name)s released to a guardian") % {"name": student.name}, level=0
    )
    document.add_paragraph(
        _(
            "Released on %(day)s to %(guardian)s for request %(number)s. It holds only what the "
            "director decided to release; session records only as their counselor reviewed them."
        )
        % {
            "day": timezone.localdate(request.released_at).isoformat(),
            "guardian": request.guardian_name,
            "number": request.number,
        }
    )
    if request.reasons:
        w.text(_("Reasons"), request.reasons)
    if RecordRequest.Part.BASIC in parts:
        write_basic(w, student_file)
    allowed = released_record_ids(request) if RecordRequest.Part.RECORDS in parts else set()
    count = 0
    if RecordRequest.Part.CASES in parts:
        for case in student_file.cases:
            records = [record for record in case.records.all() if record.pk in allowed]
            count += len(records)
            if RecordRequest.Part.CONSENTS not in parts:
                case.file_consents = []
            write_case(w, case, records=records)
    if RecordRequest.Part.CONSENTS in parts:
        loose = [consent for consent in student_file.consents if consent.case_id is None]
        if loose:
            w.heading(_("Consents"), 1)
            for consent in loose:
                write_consent(w, consent)
    corrections = RecordCorrection.objects.filter(
        request__student_id=request.student_id
    ).select_related("record")
    corrections = [c for c in corrections if c.record_id is None or c.record_id in allowed]
    if parts & {RecordRequest.Part.CASES, RecordRequest.Part.RECORDS} and corrections:
        w.heading(_("Corrections"), 1)
        for correction in corrections:
            about = (
                _("session record of %(when)s")
                % {"when": timezone.localtime(correction.record.held_at).strftime("%Y-%m-%d")}
                if correction.record_id
                else _("the file")
            )
            w.text(
                f"{timezone.localdate(correction.applied_at).isoformat()} · {about}",
                correction.text,
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), count
