"""The access kernel (core/access.py): declared visibility, scope parents, the one getter."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from tests.rooms.appointment_factories import make_intake
from tests.testapp.models import SecretNote, SecretNoteComment, UndeclaredNote
from xinqiao.core.access import NOT_FOUND, get_or_refuse
from xinqiao.core.models import AccessLog
from xinqiao.rooms.models import Intake

pytestmark = pytest.mark.django_db


def request_of(user, path="/somewhere/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_scoped_queryset_shows_only_the_users_school(cast):
    own = SecretNote.objects.create(school=cast.school, title="own", body="a")
    SecretNote.objects.create(school=cast.other_school, title="foreign", body="b")
    assert list(SecretNote.objects.for_user(cast.counselor)) == [own]
    assert [n.title for n in SecretNote.objects.for_user(cast.outsider)] == ["foreign"]


def test_inactive_and_anonymous_users_see_nothing(cast):
    SecretNote.objects.create(school=cast.school, title="own", body="a")
    cast.counselor.is_active = False
    assert not SecretNote.objects.for_user(cast.counselor).exists()
    assert not SecretNote.objects.for_user(AnonymousUser()).exists()


def test_a_model_without_a_declaration_shows_nothing_and_says_why(cast):
    UndeclaredNote.objects.create(school=cast.school, body="a")
    with pytest.raises(
        ImproperlyConfigured, match="declares neither visibility_q nor scope_parent"
    ):
        list(UndeclaredNote.objects.for_user(cast.counselor))


def test_a_child_is_visible_exactly_when_its_scope_parent_is(cast):
    own = SecretNote.objects.create(school=cast.school, title="own", body="a")
    foreign = SecretNote.objects.create(school=cast.other_school, title="foreign", body="b")
    mine = SecretNoteComment.objects.create(note=own, text="x")
    SecretNoteComment.objects.create(note=foreign, text="y")
    assert list(SecretNoteComment.objects.for_user(cast.counselor)) == [mine]
    assert SecretNoteComment.is_confidential()


def test_the_getter_answers_404_for_missing_and_foreign_alike_and_logs_both(cast):
    foreign = SecretNote.objects.create(school=cast.other_school, title="foreign", body="b")
    before = AccessLog.objects.count()
    for pk in (foreign.pk, 987654):
        with pytest.raises(Http404, match=NOT_FOUND):
            get_or_refuse(request_of(cast.counselor), SecretNote, pk)
    refusals = AccessLog.objects.filter(action="denied", actor_username="counselor")
    assert sorted(refusals.values_list("object_id", flat=True)) == sorted(
        [str(foreign.pk), "987654"]
    )
    assert AccessLog.objects.count() == before + 2


def test_the_getter_refuses_a_visible_object_the_permission_does_not_allow(cast):
    own = SecretNote.objects.create(school=cast.school, title="own", body="a")
    with pytest.raises(PermissionDenied, match=r"refused: people\.manage_roster"):
        get_or_refuse(request_of(cast.counselor), SecretNote, own.pk, "people.manage_roster")
    assert AccessLog.objects.filter(
        action="denied", object_id=str(own.pk), basis="refused: people.manage_roster"
    ).exists()
    assert get_or_refuse(request_of(cast.counselor), SecretNote, own.pk) == own


def test_the_getter_does_not_log_refusals_of_organisation_data(cast):
    from xinqiao.people.models import Grade

    before = AccessLog.objects.count()
    with pytest.raises(Http404, match=NOT_FOUND):
        get_or_refuse(request_of(cast.outsider), Grade, cast.school_class.grade_id)
    assert AccessLog.objects.count() == before


def test_roles_count_only_in_their_school(cast):
    from xinqiao.core.rules import is_counseling_staff

    own = SecretNote(school=cast.school)
    foreign = SecretNote(school=cast.other_school)
    assert is_counseling_staff(cast.counselor, own)
    assert not is_counseling_staff(cast.counselor, foreign)
    assert not is_counseling_staff(cast.class_teacher, own)


def test_a_duty_phone_intake_is_seen_by_the_counseling_side_and_its_recorder_only(cast):
    """Issue 11: Intake.objects.for_user leaked every intake of the school to anyone in it."""
    intake = make_intake(cast.school, cast.duty, concern="孩子说不想活了")
    for person in (cast.student, cast.guardian, cast.class_teacher, cast.supervisor):
        assert not Intake.objects.for_user(person).exists(), person.username
    for person in (cast.director, cast.counselor, cast.duty):
        assert list(Intake.objects.for_user(person)) == [intake], person.username
    assert not Intake.objects.for_user(cast.outsider).exists()


def test_a_refused_part_of_a_case_is_logged_under_the_cases_school(cast):
    """Review of issue 11: refusals of parts without a school field lost the school, so the
    school's director did not see who tried."""
    from tests.cases.factories import case_at
    from xinqiao.cases.models import PlanMeasure, SupportPlan

    case = case_at(cast, "active")
    plan = SupportPlan.objects.filter(case=case).first()
    measure = PlanMeasure.objects.filter(plan__case=case).first()
    for model, pk in ((SupportPlan, plan.pk), (PlanMeasure, measure.pk)):
        with pytest.raises(Http404, match=NOT_FOUND):
            get_or_refuse(request_of(cast.second_counselor), model, pk, "cases.view_case")
        refusal = AccessLog.objects.get(
            action="denied", actor_username="second_counselor", object_type=model._meta.label
        )
        assert refusal.school_id == cast.school.pk


def test_refusing_a_step_of_someone_elses_booking_is_logged(cast, client):
    """Review of issue 11: the door's steps refused without a line in the access log."""
    from django.urls import reverse

    from tests.conftest import sign_in
    from tests.rooms.appointment_factories import make_appointment, make_slot
    from xinqiao.rooms.models import Appointment

    slot = make_slot(cast.school, cast.counselor)
    booking = make_appointment(slot, cast.student_record)
    sign_in(client, cast.class_teacher)
    response = client.post(reverse("rooms:appointment_check_in", args=[booking.pk]))
    assert response.status_code == 404
    assert Appointment.objects.get(pk=booking.pk).state == booking.state
    assert AccessLog.objects.filter(
        action="denied", actor_username="class_teacher", object_id=str(booking.pk)
    ).exists()
