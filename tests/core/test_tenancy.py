from __future__ import annotations

import pytest
from django.http import Http404

from tests.testapp.models import SecretNote
from xinqiao.core.tenancy import get_for_user_or_404

pytestmark = pytest.mark.django_db


def test_scoped_queryset_shows_only_the_users_school(cast):
    own = SecretNote.objects.create(school=cast.school, title="own", body="a")
    SecretNote.objects.create(school=cast.other_school, title="foreign", body="b")
    assert list(SecretNote.objects.for_user(cast.counselor)) == [own]
    assert [n.title for n in SecretNote.objects.for_user(cast.outsider)] == ["foreign"]


def test_the_getter_answers_404_for_missing_and_foreign_alike(cast):
    foreign = SecretNote.objects.create(school=cast.other_school, title="foreign", body="b")
    with pytest.raises(Http404):
        get_for_user_or_404(SecretNote, cast.counselor, pk=foreign.pk)
    with pytest.raises(Http404):
        get_for_user_or_404(SecretNote, cast.counselor, pk=987654)


def test_inactive_and_anonymous_users_see_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    SecretNote.objects.create(school=cast.school, title="own", body="a")
    cast.counselor.is_active = False
    assert not SecretNote.objects.for_user(cast.counselor).exists()
    assert not SecretNote.objects.for_user(AnonymousUser()).exists()


def test_roles_count_only_in_their_school(cast):
    from xinqiao.core.rules import is_counseling_staff

    own = SecretNote(school=cast.school)
    foreign = SecretNote(school=cast.other_school)
    assert is_counseling_staff(cast.counselor, own)
    assert not is_counseling_staff(cast.counselor, foreign)
    assert not is_counseling_staff(cast.class_teacher, own)
