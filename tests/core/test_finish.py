"""Issue 17 item 3, the finish: icons that draw everywhere, selects that ask in words, and
Django's messages in plain Chinese."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from xinqiao.core.templatetags.icons import icon_svg

pytestmark = pytest.mark.django_db


def test_the_bell_is_a_vendored_svg_not_an_emoji(cast, signed_in):
    page = signed_in(cast.counselor).get(reverse("core:home")).content.decode()
    bell = page.split('data-testid="notification-bell"', 1)[1].split("</a>", 1)[0]
    assert "<svg" in bell and 'aria-hidden="true"' in bell
    assert "🔔" not in page


def test_an_icon_is_inline_decoration_without_the_licence_comment():
    svg = str(icon_svg("bell"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'class="icon" aria-hidden="true" focusable="false"' in svg
    assert "<!--" not in svg and 'width="24"' not in svg


class _Form(forms.Form):
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)
    note = forms.CharField(max_length=5)


def test_an_empty_choice_says_choose_and_a_long_text_says_how_long_in_plain_chinese():
    with translation.override("zh-hans"):
        form = _Form({"kind": "", "note": "一二三四五六"})
        html = str(form["kind"])
        assert "请选择…" in html and "---------" not in html
        assert not form.is_valid()
        assert form.errors["note"] == ["最多 5 个字，现在有 6 个字，请删减一些。"]
    with translation.override("en"):
        assert "Choose…" in str(_Form()["kind"])


def test_a_real_form_page_has_no_dashes_in_its_selects(cast, signed_in):
    page = signed_in(cast.counselor).get(reverse("cases:case_open")).content.decode()
    assert "<select" in page
    assert "---------" not in page


def test_a_guardian_finds_the_concerns_they_raised_in_the_menu(cast, signed_in):
    client = signed_in(cast.guardian)
    menu = {str(item["label"]): item["url"] for item in client.get("/").context["nav_items"]}
    assert menu["我反映的情况"] == reverse("cases:my_referrals")
    assert client.get(reverse("cases:my_referrals")).status_code == 200


def test_only_a_coming_booking_offers_to_cancel_or_move(cast, signed_in):
    from tests.rooms.appointment_factories import at, make_appointment, make_slot
    from xinqiao.rooms.models import Appointment

    coming = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=at(2, 10)), cast.student_record
    )
    past = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=at(-2, 10)), cast.student_record
    )
    cancelled = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=at(3, 10)), cast.student_record
    )
    Appointment.objects.filter(pk=cancelled.pk).update(state=Appointment.State.CANCELLED)
    page = signed_in(cast.student).get(reverse("rooms:my_bookings")).content.decode()

    def link(appointment) -> str:
        return page.split(f'data-testid="open-booking-{appointment.pk}">', 1)[1].split("<", 1)[0]

    assert link(coming) == "详情、取消或改期"
    assert link(past) == link(cancelled) == "详情"
