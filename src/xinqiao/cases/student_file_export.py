"""The student file (一人一档) as a Word document, for the director alone.

Seed 000: 咨询用表不可外借、复印. The export exists so that the director can hand a file on when the
law or a referral requires it; each page's header carries who exported it and when, and the
export is written to the access log by the view.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.shared import Pt

from xinqiao.cases.selectors_file import StudentFile
from xinqiao.core.exports import mark_document


def _when(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def _name(user) -> str:
    return user.display_name if user is not None else "—"


class Writer:
    def __init__(self, document):
        self.document = document

    def heading(self, text: str, level: int) -> None:
        self.document.add_heading(text, level=level)

    def pairs(self, rows: list[tuple[str, object]]) -> None:
        """A two-column table of label and value."""
        table = self.document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text = str(label)
            cells[1].text = "—" if value in (None, "") else str(value)
        self.document.add_paragraph()

    def text(self, label: str, value: str) -> None:
        if not value:
            return
        paragraph = self.document.add_paragraph()
        paragraph.add_run(f"{label}：").bold = True
        paragraph.add_run(value)


def new_document(header_text: str):
    """A document whose every page's header carries ``header_text`` (who, when)."""
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    mark_document(document, header_text)
    return document


def write_basic(w: Writer, student_file: StudentFile) -> None:
    student = student_file.student
    w.heading(_("Basic information"), 1)
    w.pairs(
        [
            (pgettext("person", "Name"), student.name),
            (_("Student number"), student.student_number),
            (_("Gender"), student.get_gender_display()),
            (_("Date of birth"), _when(student.birth_date) if student.birth_date else ""),
            (_("Class"), student.school_class or ""),
            (_("Dormitory"), student.dormitory or ""),
            (_("Status"), student.get_status_display()),
            (
                _("Guardians"),
                "; ".join(
                    f"{link.guardian.name} ({link.get_relation_display()}) {link.guardian.phone}"
                    for link in student_file.guardians
                ),
            ),
        ]
    )


def student_file_document(student_file: StudentFile, *, watermark: str) -> bytes:
    document = new_document(watermark)
    w = Writer(document)
    student = student_file.student
    document.add_heading(_("Student file: %(name)s") % {"name": student.name}, level=0)
    confidential = document.add_paragraph(
        _("Confidential. Kept by the counseling room; not to be lent or copied.")
    )
    confidential.runs[0].italic = True

    write_basic(w, student_file)
    if student_file.shows_circumstances:
        w.heading(_("Family circumstances"), 1)
        circumstances = student_file.circumstances
        flags = [label for _name_, label in circumstances.flags] if circumstances else []
        document.add_paragraph("、".join(flags) or _("None recorded."))
        if circumstances is not None:
            w.text(_("Notes"), circumstances.notes)

    w.heading(_("Timeline"), 1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, (_("When"), _("What"), _("Case")), strict=True):
        cell.text = title
    for entry in student_file.timeline:
        cells = table.add_row().cells
        cells[0].text = _when(timezone.localtime(entry.at).date() if entry.date_only else entry.at)
        cells[1].text = f"{entry.label} {entry.detail}".strip()
        cells[2].text = entry.case.number if entry.case else ""
    document.add_paragraph()

    for case in student_file.cases:
        write_case(w, case)

    if student_file.alerts:
        w.heading(_("Crisis alerts"), 1)
        for alert in student_file.alerts:
            w.heading(f"{_when(alert.raised_at)} · {alert.get_risk_level_display()}", 3)
            w.pairs(
                [
                    (_("Source"), alert.get_source_display()),
                    (_("State"), alert.get_state_display()),
                    (_("Raised by"), _name(alert.raised_by)),
                ]
            )
            w.text(_("What was said or seen"), alert.evidence)
    loose = [c for c in student_file.consents if c.case_id is None]
    if loose:
        w.heading(_("Consents"), 1)
        for consent in loose:
            write_consent(w, consent)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_consent(w: Writer, consent) -> None:
    withdrawn = (
        _("withdrawn on %(date)s") % {"date": _when(consent.withdrawn_on)}
        if consent.withdrawn_on
        else _("in force")
    )
    w.document.add_paragraph(
        f"{_when(consent.given_on)} · {consent.get_purpose_display()} · "
        f"{consent.get_given_by_display()} {consent.giver_name} · {consent.how} · {withdrawn}",
        style="List Bullet",
    )


def write_case(w: Writer, case, *, records: list | None = None) -> None:
    """One case; ``records``: the session records to write (default: all the case's)."""
    w.heading(_("Case %(number)s") % {"number": case.number}, 1)
    w.pairs(
        [
            (_("State"), case.get_state_display()),
            (_("Channel"), case.get_channel_display()),
            (_("Brought by"), case.brought_by or _name(case.referred_by)),
            (_("Opened"), _when(case.opened_at)),
            (_("Severity"), case.get_severity_display()),
            (_("Nature of the problem"), "、".join(c.name for c in case.categories.all())),
            (
                _("Counselors"),
                "、".join(c.user.display_name for c in case.counselors.all()),
            ),
            (_("Closed"), _when(case.closed_at)),
            (_("Catalogue number"), case.archive_number),
            (_("Archived"), _when(case.archived_at)),
            (_("Kept until"), _when(case.kept_until) if case.kept_until else ""),
        ]
    )
    w.text(_("The problem described"), case.problem)
    w.text(_("Background"), case.background)
    assessment = getattr(case, "assessment", None)
    if assessment is not None:
        w.heading(_("Needs assessment"), 2)
        w.pairs(
            [
                (_("Date"), _when(assessment.assessed_at)),
                (_("Severity"), assessment.get_severity_display()),
                (_("By"), _name(assessment.assessed_by)),
            ]
        )
        w.text(_("Measures likely needed"), assessment.measures_needed)
        w.text(_("Notes"), assessment.notes)
    for conference in case.conferences.all():
        w.heading(_("Case conference, %(when)s") % {"when": _when(conference.scheduled_at)}, 2)
        w.text(
            _("Participants"),
            "、".join(p.user.display_name for p in conference.participants.all()),
        )
        w.text(_("Agenda"), conference.agenda)
        w.text(_("Decisions"), conference.decisions)
        w.text(_("Shared with the other participants"), conference.shared_summary)
    for plan in case.plans.all():
        w.heading(
            _("Support plan, version %(version)s") % {"version": plan.version}
            + f" ({plan.get_state_display()})",
            2,
        )
        w.text(_("Goals"), plan.goals)
        w.text(_("Why it was adjusted"), plan.change_reason)
        for measure in plan.measures.all():
            w.document.add_paragraph(
                f"{measure.get_kind_display()} · {measure.responsible_label} · "
                f"{_when(measure.starts_on)}–{_when(measure.ends_on)} · "
                f"{measure.get_status_display()}"
                + (f"（{measure.end_note}）" if measure.end_note else "")
                + f"：{measure.description}",
                style="List Bullet",
            )
            for activity in measure.activities.all():
                w.document.add_paragraph(
                    f"{_when(activity.on)}：{activity.note}", style="List Bullet 2"
                )
    records = case.records.all() if records is None else records
    if records:
        w.heading(_("Session records"), 2)
        for record in records:
            w.heading(f"{_when(record.held_at)} · {record.get_kind_display()} · {record.place}", 3)
            w.text(_("Participants"), record.participants)
            w.text(_("Problem"), record.problem)
            w.text(_("Measures taken"), record.measures_taken)
            w.text(_("Effect"), record.effect)
            w.text(_("Next step"), record.next_step)
            w.text(_("Written by"), _name(record.written_by))
    for summary in case.summaries.all():
        w.heading(
            _("Stage summary %(start)s – %(end)s")
            % {"start": _when(summary.period_start), "end": _when(summary.period_end)},
            2,
        )
        w.document.add_paragraph(summary.summary)
    evaluations = case.evaluations.all()
    if evaluations:
        w.heading(_("Effect evaluations"), 2)
        table = w.document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        titles = (
            _("Date"),
            _("Student's self-rating"),
            _("Class teacher's rating"),
            _("Guardian's rating"),
            _("Questionnaire"),
        )
        for cell, title in zip(table.rows[0].cells, titles, strict=True):
            cell.text = title
        for evaluation in evaluations:
            cells = table.add_row().cells
            cells[0].text = _when(evaluation.evaluated_on)
            cells[1].text = str(evaluation.student_rating)
            cells[2].text = str(evaluation.teacher_rating or "—")
            cells[3].text = str(evaluation.guardian_rating or "—")
            cells[
                4
            ].text = f"{evaluation.questionnaire} {evaluation.questionnaire_score or ''}".strip()
        for evaluation in evaluations:
            w.text(_("Guardian's feedback"), evaluation.guardian_feedback)
            w.text(_("Notes"), evaluation.notes)
    for referral in case.referrals.all():
        target = (
            referral.to_service.name if referral.to_service_id else _name(referral.to_counselor)
        )
        w.heading(_("Referral, %(when)s") % {"when": _when(referral.referred_at)}, 2)
        w.pairs(
            [
                (_("Kind"), referral.get_kind_display()),
                (_("To"), target),
                (_("Follow up by"), _when(referral.follow_up_due)),
                (_("State"), referral.get_state_display()),
            ]
        )
        w.text(_("Reason for the referral"), referral.reason)
        w.text(_("Outcome"), referral.outcome)
    if case.file_consents:
        w.heading(_("Consents"), 2)
        for consent in case.file_consents:
            write_consent(w, consent)
    if case.closing_summary:
        w.heading(_("Closing summary"), 2)
        w.document.add_paragraph(case.closing_summary)
