"""Retention and deletion (issue 13 item 5): periods per record type, the director's yearly
review, deletion or anonymisation on confirmation, and the record that it happened."""

from __future__ import annotations

import datetime
import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import PROBLEM, case_at
from tests.factories import make_user
from tests.rooms.appointment_factories import make_appointment, make_intake, make_slot
from tests.rooms.factories import make_log, make_shift
from xinqiao.cases.models import (
    Case,
    Consent,
    OutsideService,
    Referral,
    SessionRecord,
    TypicalCase,
)
from xinqiao.core import retention
from xinqiao.core.access_log import (
    GENESIS_HASH,
    compute_hash,
    install_triggers,
    prune_access_log,
    reanchor,
    record_access,
    remove_triggers,
    verify_chain,
)
from xinqiao.core.models import (
    AccessLog,
    AccessLogHead,
    PendingStep,
    RetentionPolicy,
    RetentionRun,
)
from xinqiao.crisis.models import Alert
from xinqiao.crisis.services import raise_alert
from xinqiao.people.models import Student
from xinqiao.rooms.models import Appointment, DutyLog, Intake

pytestmark = pytest.mark.django_db

REVIEW = "core:retention"
TODAY = timezone.localdate()
LONG_AGO = timezone.now() - datetime.timedelta(days=365 * 40)


def years_ago(years: int) -> datetime.date:
    return retention.years_before(TODAY, years)


def past_case(cast, *, student=None) -> Case:
    """An archived case whose severity date has passed, of a student long grown up."""
    case = case_at(cast, "archived", student=student)
    Case.objects.filter(pk=case.pk).update(retention_until=TODAY - datetime.timedelta(days=1))
    Student.objects.filter(pk=case.student_id).update(birth_date=years_ago(25))
    return case


def another_student(cast, number: int) -> Student:
    return Student.objects.create(
        school=cast.school,
        user=make_user("student", school=cast.school, username=f"grown{number}"),
        name=f"学生{number}",
        student_number=f"20100701{number:02d}",
        school_class=cast.school_class,
    )


def url(name: str, school, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?school={school.pk}"


def decide(client, school, key: str, **data):
    return client.post(url("core:retention_type", school, key=key), data)


# --- the registry and its defaults ----------------------------------------------------------------
def test_every_app_registers_its_record_types_with_documented_defaults():
    defaults = {
        kind.key: (kind.default_years, kind.minimum_years) for kind in retention.record_types()
    }
    assert defaults == {
        "core.accesslog": (3, 3),
        "cases.case": (3, 3),
        "rooms.intake": (3, 1),
        "rooms.appointment": (3, 1),
        "rooms.dutylog": (3, 1),
        "crisis.alert": (10, 3),
    }


def test_a_school_without_its_own_period_keeps_the_default_and_sets_its_own(cast):
    assert retention.years_for(cast.school.pk, "rooms.intake") == 3
    retention.retention_policy_set(
        actor=cast.director, school_id=cast.school.pk, key="rooms.intake", years=5
    )
    assert retention.years_for(cast.school.pk, "rooms.intake") == 5
    assert retention.years_for(cast.other_school.pk, "rooms.intake") == 3


def test_the_access_log_is_never_kept_less_than_three_years(cast, signed_in):
    with pytest.raises(ValidationError):
        retention.retention_policy_set(
            actor=cast.director, school_id=cast.school.pk, key="core.accesslog", years=2
        )
    data = {kind.key: kind.default_years for kind in retention.record_types()}
    data["core.accesslog"] = 2
    response = signed_in(cast.director).post(url("core:retention_periods", cast.school), data)
    assert response.status_code == 400
    assert response.context["periods_form"]["core.accesslog"].value() == "2"  # kept as typed
    assert not RetentionPolicy.objects.exists()


def test_the_director_saves_the_schools_periods_from_the_page(cast, signed_in):
    data = {kind.key: kind.default_years for kind in retention.record_types()}
    data["crisis.alert"] = 15
    response = signed_in(cast.director).post(url("core:retention_periods", cast.school), data)
    assert response.status_code == 302
    policy = RetentionPolicy.objects.get()  # only the changed period is stored
    assert (policy.record_type, policy.years, policy.changed_by) == (
        "crisis.alert",
        15,
        cast.director,
    )


def test_only_the_director_of_the_school_sets_its_periods(cast):
    with pytest.raises(ValidationError):
        retention.retention_policy_set(
            actor=cast.foreign_director, school_id=cast.school.pk, key="rooms.intake", years=9
        )
    assert not RetentionPolicy.objects.exists()


# --- the review ----------------------------------------------------------------------------------
def test_the_review_counts_what_is_past_its_period_by_type(cast, signed_in):
    past_case(cast)
    case_at(cast, "archived")  # kept until its severity date: not listed
    response = signed_in(cast.director).get(reverse(REVIEW))
    assert response.status_code == 200
    counts = {group.kind.key: group.count for group in response.context["groups"]}
    assert counts["cases.case"] == 1
    assert response.context["due"] is True


def test_a_case_file_is_kept_until_the_student_is_18_plus_the_period(cast):
    case = past_case(cast)
    Student.objects.filter(pk=case.student_id).update(birth_date=years_ago(20))  # 18 + 2
    assert not retention.past_records(cast.school.pk, "cases.case").exists()
    Student.objects.filter(pk=case.student_id).update(
        birth_date=years_ago(21) - datetime.timedelta(days=1)
    )
    assert list(retention.past_records(cast.school.pk, "cases.case")) == [case]


def test_without_a_date_of_birth_the_case_opening_stands_for_it(cast):
    case = past_case(cast)
    Student.objects.filter(pk=case.student_id).update(birth_date=None)
    assert not retention.past_records(cast.school.pk, "cases.case").exists()
    Case.objects.filter(pk=case.pk).update(opened_at=LONG_AGO)
    assert retention.past_records(cast.school.pk, "cases.case").exists()


def test_open_cases_are_never_listed(cast):
    case = case_at(cast, "active")
    Student.objects.filter(pk=case.student_id).update(birth_date=years_ago(40))
    Case.objects.filter(pk=case.pk).update(opened_at=LONG_AGO)
    assert not retention.past_records(cast.school.pk, "cases.case").exists()


def test_the_list_shows_who_and_when_never_what(cast, signed_in):
    case = past_case(cast)
    response = signed_in(cast.director).get(
        url("core:retention_type", cast.school, key="cases.case")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert case.archive_number in page and "何小明" in page and "七年级" in page
    assert PROBLEM not in page
    read = AccessLog.objects.filter(object_type="retention review").last()
    assert (read.actor_id, read.school_id) == (cast.director.pk, cast.school.pk)


def test_another_schools_director_sees_nothing_of_ours(cast, signed_in):
    case = past_case(cast)
    client = signed_in(cast.foreign_director)
    own = client.get(reverse(REVIEW))
    assert {g.kind.key: g.count for g in own.context["groups"]}["cases.case"] == 0
    assert client.get(url(REVIEW, cast.school)).status_code == 404
    detail = client.get(url("core:retention_type", cast.school, key="cases.case"))
    assert detail.status_code == 404
    refused = decide(client, cast.school, "cases.case", reason="清理", confirm="on")
    assert refused.status_code == 404
    assert Case.objects.filter(pk=case.pk).exists() and not RetentionRun.objects.exists()


def test_a_graduated_students_file_follows_the_same_rules(cast, signed_in):
    case = past_case(cast)
    cast.school_class.graduated = True
    cast.school_class.save()
    Student.objects.filter(pk=case.student_id).update(status=Student.Status.GRADUATED)
    assert list(retention.past_records(cast.school.pk, "cases.case")) == [case]
    Student.objects.filter(pk=case.student_id).update(birth_date=years_ago(19))
    assert not retention.past_records(cast.school.pk, "cases.case").exists()


# --- the decision --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "已过保存期限"}, {"confirm": "on"}, {"reason": "  ", "confirm": "on"}],
)
def test_without_confirmation_and_a_reason_nothing_changes(cast, signed_in, data):
    case = past_case(cast)
    response = decide(signed_in(cast.director), cast.school, "cases.case", **data)
    assert response.status_code == 400
    assert Case.objects.filter(pk=case.pk).exists()
    assert not RetentionRun.objects.exists()


def test_a_confirmed_deletion_takes_the_whole_file_and_records_it_without_content(cast, signed_in):
    case = past_case(cast)
    kept = case_at(cast, "archived")
    assert SessionRecord.objects.filter(case=case).exists()
    response = decide(
        signed_in(cast.director),
        cast.school,
        "cases.case",
        reason="年度审查：已过保存期限",
        confirm="on",
    )
    assert response.status_code == 302
    assert list(Case.objects.all()) == [kept]
    assert not SessionRecord.objects.filter(case_id=case.pk).exists()
    # Its change history went with it: the record of the deletion is the RetentionRun.
    case_type = ContentType.objects.get_for_model(Case)
    assert not LogEntry.objects.filter(content_type=case_type, object_pk=str(case.pk)).exists()
    run = RetentionRun.objects.get()
    assert (run.record_type, run.action, run.count, run.years) == ("cases.case", "deleted", 1, 3)
    assert (run.decided_by, run.school_id, run.ended_before) == (
        cast.director,
        cast.school.pk,
        TODAY,
    )
    stored = " ".join(str(getattr(run, f.attname)) for f in run._meta.concrete_fields)
    for secret in (PROBLEM, "何小明", case.number, case.archive_number):
        assert secret not in stored
    page = signed_in(cast.director).get(reverse(REVIEW)).content.decode()
    assert 'data-testid="retention-run" data-type="cases.case" data-count="1"' in page


def test_what_hangs_on_a_case_by_a_protected_link_goes_with_it(cast):
    case = past_case(cast)
    consent = Consent.objects.create(
        school=cast.school,
        student=case.student,
        case=case,
        purpose=Consent.Purpose.TEACHING,
        given_by=Consent.GivenBy.GUARDIAN,
        giver_name="何妈妈",
        given_on=TODAY,
    )
    service = OutsideService.objects.create(school=cast.school, name="市心理医院", kind="hospital")
    Referral.objects.create(
        case=case,
        kind=Referral.Kind.EXTERNAL,
        to_service=service,
        consent=consent,
        reason="需要专业评估",
        follow_up_due=TODAY,
    )
    TypicalCase.objects.create(school=cast.school, case=case, consent=consent, title="学习适应")
    step = PendingStep.objects.create(
        kind="x",
        object_type="cases.Case",
        object_id=case.pk,
        assignee=cast.director,
        school_id=cast.school.pk,
        title="t",
        url="/",
    )
    retention.retention_apply(
        actor=cast.director,
        school_id=cast.school.pk,
        key="cases.case",
        reason="年度审查",
        confirmed=True,
    )
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Consent.objects.exists() and not Referral.objects.exists()
    assert not TypicalCase.objects.exists() and not PendingStep.objects.filter(pk=step.pk).exists()
    assert OutsideService.objects.filter(pk=service.pk).exists()  # the school's directory stays


def test_a_record_still_linked_elsewhere_stops_the_batch_and_nothing_goes(cast):
    first, second = past_case(cast), past_case(cast, student=another_student(cast, 1))
    # A teaching consent of another case of the student is used by a referral of this one.
    other = case_at(cast, "active", student=first.student)
    consent = Consent.objects.create(
        school=cast.school,
        student=first.student,
        case=first,
        purpose=Consent.Purpose.REFERRAL,
        given_by=Consent.GivenBy.GUARDIAN,
        giver_name="何妈妈",
        given_on=TODAY,
    )
    service = OutsideService.objects.create(school=cast.school, name="市心理医院", kind="hospital")
    Referral.objects.create(
        case=other,
        kind=Referral.Kind.EXTERNAL,
        to_service=service,
        consent=consent,
        reason="需要专业评估",
        follow_up_due=TODAY,
    )
    with pytest.raises(ValidationError):
        retention.retention_apply(
            actor=cast.director,
            school_id=cast.school.pk,
            key="cases.case",
            reason="年度审查",
            confirmed=True,
        )
    assert Case.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert not RetentionRun.objects.exists()


def test_the_same_confirmation_sent_twice_is_recorded_once(cast, signed_in):
    past_case(cast)
    client = signed_in(cast.director)
    data = {"reason": "年度审查", "confirm": "on"}
    assert decide(client, cast.school, "cases.case", **data).status_code == 302
    again = decide(client, cast.school, "cases.case", **data)
    assert again.status_code == 400
    assert RetentionRun.objects.count() == 1


def test_an_unknown_record_type_is_not_found(cast, signed_in):
    response = signed_in(cast.director).get(url("core:retention_type", cast.school, key="x.y"))
    assert response.status_code == 404


def test_old_intakes_appointments_and_alerts_go_and_duty_logs_lose_their_notes(cast):
    school = cast.school
    intake = make_intake(school, cast.duty)
    Intake.objects.filter(pk=intake.pk).update(received_at=LONG_AGO)
    recent_intake = make_intake(school, cast.duty)
    slot = make_slot(school, cast.counselor)
    appointment = make_appointment(slot, cast.student_record)
    type(slot).objects.filter(pk=slot.pk).update(
        starts_at=LONG_AGO, ends_at=LONG_AGO + datetime.timedelta(hours=1)
    )
    shift = make_shift(school=school, semester=cast.semester, user=cast.duty, day=years_ago(5))
    log = make_log(shift=shift, unusual="何小明哭着来过", handover="联系班主任", calls_received=2)
    alert = raise_alert(
        actor=cast.counselor,
        school=school,
        risk_level="high",
        source="walk_in",
        evidence="说不想活了",
        student=cast.student_record,
    )
    Alert.objects.filter(pk=alert.pk).update(raised_at=LONG_AGO, state=Alert.State.RESOLVED)
    open_alert = raise_alert(
        actor=cast.counselor,
        school=school,
        risk_level="concern",
        source="walk_in",
        evidence="情绪低落",
        person_description="一位家长",
    )
    Alert.objects.filter(pk=open_alert.pk).update(raised_at=LONG_AGO)
    Student.objects.filter(pk=cast.student_record.pk).update(birth_date=years_ago(40))

    counts = {g.kind.key: g.count for g in retention.review(school.pk)}
    assert counts == {
        "core.accesslog": 0,
        "cases.case": 0,
        "rooms.intake": 1,
        "rooms.appointment": 1,
        "rooms.dutylog": 1,
        "crisis.alert": 1,  # the open one is never listed
    }
    for key in ("rooms.intake", "rooms.appointment", "rooms.dutylog", "crisis.alert"):
        retention.retention_apply(
            actor=cast.director, school_id=school.pk, key=key, reason="年度审查", confirmed=True
        )
    assert list(Intake.objects.all()) == [recent_intake]
    assert not Appointment.objects.filter(pk=appointment.pk).exists()
    assert list(Alert.objects.all()) == [open_alert]
    log = DutyLog.objects.get(pk=log.pk)
    assert (log.unusual, log.handover, log.calls_received) == ("", "", 2)
    assert RetentionRun.objects.get(record_type="rooms.dutylog").action == "anonymised"
    assert not any(g.count for g in retention.review(school.pk))


def test_the_service_refuses_without_confirmation(cast):
    case = past_case(cast)
    with pytest.raises(ValidationError):
        retention.retention_apply(
            actor=cast.director,
            school_id=cast.school.pk,
            key="cases.case",
            reason="x",
            confirmed=False,
        )
    with pytest.raises(ValidationError):
        retention.retention_apply(
            actor=cast.foreign_director,
            school_id=cast.school.pk,
            key="cases.case",
            reason="x",
            confirmed=True,
        )
    assert Case.objects.filter(pk=case.pk).exists() and not RetentionRun.objects.exists()


# --- the access log ------------------------------------------------------------------------------
def write_rows(cast, count: int, *, school_id: int) -> list[AccessLog]:
    return [
        record_access(
            actor=cast.director,
            action="read",
            object_type="cases.Case",
            object_id=n,
            school_id=school_id,
        )
        for n in range(count)
    ]


def age(rows: list[AccessLog], when: datetime.datetime) -> None:
    """Back-date rows as if written at ``when``: the chain is rebuilt over them with the audit
    key (the triggers lifted for the test only) and the head file follows."""
    remove_triggers()
    ids = {row.pk for row in rows}
    prev = GENESIS_HASH
    for row in AccessLog.objects.order_by("seq"):
        if row.pk in ids:
            row.created_at = when
        row.prev_hash = prev
        row.row_hash = compute_hash({f.attname: getattr(row, f.attname) for f in row._meta.fields})
        row.save()
        prev = row.row_hash
    AccessLogHead.objects.filter(pk=1).update(row_hash=prev)
    install_triggers()
    reanchor()


def test_pruning_the_oldest_access_log_rows_keeps_the_chain_verifiable(cast):
    old = write_rows(cast, 4, school_id=cast.school.pk)
    recent = write_rows(cast, 3, school_id=cast.school.pk)
    age(old, LONG_AGO)
    assert verify_chain() == []
    past = retention.past_records(cast.school.pk, "core.accesslog")
    assert set(past) == set(AccessLog.objects.filter(pk__in=[r.pk for r in old]))
    retention.retention_apply(
        actor=cast.director,
        school_id=cast.school.pk,
        key="core.accesslog",
        reason="三年已过",
        confirmed=True,
    )
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {r.pk for r in recent}
    assert verify_chain() == []
    assert verify_chain(anchored=False) == []
    write_rows(cast, 1, school_id=cast.school.pk)
    assert verify_chain() == []


def test_a_forged_start_of_the_log_is_reported(cast):
    old = write_rows(cast, 2, school_id=cast.school.pk)
    write_rows(cast, 2, school_id=cast.school.pk)
    age(old, LONG_AGO)
    prune_access_log(timezone.now() - datetime.timedelta(days=365 * 3))
    AccessLogHead.objects.filter(pk=1).update(first_mac="0" * 64)
    problems = [str(p) for p in verify_chain()]
    assert any("not signed" in p for p in problems) and any("missing" in p for p in problems)


def test_access_log_rows_younger_than_every_schools_period_stay(cast):
    rows = write_rows(cast, 3, school_id=cast.school.pk)
    write_rows(cast, 1, school_id=cast.school.pk)
    age(rows, timezone.now() - datetime.timedelta(days=365 * 4))
    retention.retention_policy_set(
        actor=cast.foreign_director, school_id=cast.other_school.pk, key="core.accesslog", years=5
    )
    # Four years old: past our three, not the other school's five; the chain is one.
    assert not retention.past_records(cast.school.pk, "core.accesslog").exists()
    assert AccessLog.objects.count() == 4


def test_a_period_below_three_years_forced_into_the_database_still_keeps_three(cast):
    rows = write_rows(cast, 2, school_id=cast.school.pk)
    write_rows(cast, 1, school_id=cast.school.pk)
    age(rows, timezone.now() - datetime.timedelta(days=365 * 2))
    RetentionPolicy.objects.create(school_id=cast.school.pk, record_type="core.accesslog", years=1)
    assert retention.years_for(cast.school.pk, "core.accesslog") == 3
    assert not retention.past_records(cast.school.pk, "core.accesslog").exists()
    with pytest.raises(ValidationError):  # nothing is past its period: nothing goes
        retention.retention_apply(
            actor=cast.director,
            school_id=cast.school.pk,
            key="core.accesslog",
            reason="x",
            confirmed=True,
        )
    assert AccessLog.objects.count() == 3


# --- the yearly notice ---------------------------------------------------------------------------
def test_the_director_is_told_when_the_yearly_review_is_due_and_the_step_ends(cast):
    past_case(cast)
    assert retention.retention_review_remind() == 1
    step = PendingStep.objects.get(kind=retention.REVIEW_STEP)
    assert (step.assignee, step.school_id) == (cast.director, cast.school.pk)
    assert retention.retention_review_remind() == 1
    assert PendingStep.objects.filter(kind=retention.REVIEW_STEP).count() == 1  # told once
    retention.retention_apply(
        actor=cast.director,
        school_id=cast.school.pk,
        key="cases.case",
        reason="年度审查",
        confirmed=True,
    )
    assert not PendingStep.objects.filter(kind=retention.REVIEW_STEP).exists()
    assert retention.retention_review_remind() == 0


def test_the_review_is_in_the_directors_menu_only(cast, signed_in):
    page = signed_in(cast.director).get(reverse("core:home")).content.decode()
    assert reverse(REVIEW) in page
    page = signed_in(cast.counselor).get(reverse("core:home")).content.decode()
    assert reverse(REVIEW) not in page


# --- backups -------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)  # the backup reads what is committed
def test_a_deleted_file_is_gone_from_the_next_backup(cast, settings, tmp_path):
    from xinqiao.core.backup import backup, open_backup

    settings.MEDIA_ROOT = tmp_path / "uploads"
    case = past_case(cast)
    kept = case_at(cast, "archived")
    before = backup(to=tmp_path / "before").manifest["tables"]
    retention.retention_apply(
        actor=cast.director,
        school_id=cast.school.pk,
        key="cases.case",
        reason="年度审查",
        confirmed=True,
    )
    result = backup(to=tmp_path / "after")
    after = result.manifest["tables"]
    assert after["cases_case"]["rows"] == before["cases_case"]["rows"] - 1 == 1
    assert after["cases_sessionrecord"]["rows"] < before["cases_sessionrecord"]["rows"]
    unpacked = tmp_path / "unpacked"
    open_backup(result.path, unpacked)
    (dump,) = unpacked.rglob("cases_case.jsonl")
    ids = {json.loads(line)[0] for line in dump.read_text().splitlines()}
    assert ids == {kept.pk}
    assert case.archive_number not in dump.read_text()


def test_the_review_pages_do_not_grow_with_the_records(
    cast, signed_in, django_assert_max_num_queries
):
    for number in range(12):
        past_case(cast, student=another_student(cast, number))
    client = signed_in(cast.director)
    with django_assert_max_num_queries(20):
        assert client.get(reverse(REVIEW)).status_code == 200
    with django_assert_max_num_queries(13):
        detail = client.get(url("core:retention_type", cast.school, key="cases.case"))
    assert len(detail.context["rows"]) == 12
