"""A ``next`` sent by the browser is followed only within the site, wherever it is read."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD
from tests.rooms.appointment_factories import make_appointment, make_slot
from tests.rooms.test_appointments import later_today

pytestmark = pytest.mark.django_db

ELSEWHERE = ["//evil.example", "https://evil.example/", "/\\evil.example", "///evil.example"]


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.mark.parametrize("next_url", ELSEWHERE)
def test_the_verify_step_does_not_send_the_counselor_to_another_site(client, cast, next_url):
    device = TOTPDevice.objects.create(user=cast.counselor, name="phone", confirmed=True)
    client.post(reverse("core:login"), {"username": "counselor", "password": TEST_PASSWORD})

    response = client.post(
        reverse("core:otp_verify") + "?" + f"next={next_url}", {"code": current_code(device)}
    )

    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_the_verify_step_follows_a_path_of_the_site(client, cast):
    device = TOTPDevice.objects.create(user=cast.counselor, name="phone", confirmed=True)
    client.post(reverse("core:login"), {"username": "counselor", "password": TEST_PASSWORD})

    response = client.post(
        reverse("core:otp_verify") + "?next=/cases/", {"code": current_code(device)}
    )

    assert response.url == "/cases/"


@pytest.mark.parametrize("next_url", ELSEWHERE)
def test_sign_in_does_not_send_anyone_to_another_site(client, cast, next_url):
    response = client.post(
        reverse("core:login"),
        {"username": "class_teacher", "password": TEST_PASSWORD, "next": next_url},
    )

    assert response.status_code == 302
    assert response.url == reverse("core:home")


@pytest.mark.parametrize("next_url", ELSEWHERE)
def test_the_check_in_does_not_send_the_duty_person_to_another_site(cast, signed_in, next_url):
    appointment = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=later_today()), cast.student_record
    )
    client = signed_in(cast.duty)

    response = client.post(
        reverse("rooms:appointment_check_in", args=[appointment.pk]), {"next": next_url}
    )

    assert response.url == reverse("rooms:appointment_detail", args=[appointment.pk])


def test_the_check_in_goes_back_to_the_appointment_book(cast, signed_in):
    appointment = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=later_today()), cast.student_record
    )
    client = signed_in(cast.duty)
    book = reverse("rooms:appointment_list") + "?day=2026-01-05"

    response = client.post(
        reverse("rooms:appointment_check_in", args=[appointment.pk]), {"next": book}
    )

    assert response.url == book
