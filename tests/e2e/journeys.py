"""Steps that many browser journeys share: signing in (with the second factor) and out."""

from __future__ import annotations

import re
from pathlib import Path

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

# Screenshots a reviewer looks at after `make e2e` (issue 17 item 5); /var/ is not committed.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def device_of(user) -> TOTPDevice | None:
    """A confirmed second factor for ``user`` when their roles need one (to sign in with)."""
    from xinqiao.core.two_factor import requires_second_factor

    if not requires_second_factor(user):
        return None
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def save_screenshot(page, name: str) -> Path:
    """The whole page as var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(page, username: str, device: TOTPDevice | None = None) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    if device is not None:
        expect(page).to_have_url(re.compile(r"/accounts/verify/"))
        page.get_by_label("验证码").fill(current_code(device))
        page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))


def follow_menu_link(page, url: str) -> None:
    """Click the wide menu's entry for ``url``, opening its section's drop-down first when the
    entry sits in one (people with many entries see them by section)."""
    section = page.locator(".nav-wide details.nav-section", has=page.locator(f'a[href="{url}"]'))
    if section.count():
        section.locator("summary").click()
    page.locator(f'.nav-wide a[href="{url}"]').click()


def reveal(page, test_id: str) -> None:
    """Scroll to a part of the page that loads when the reader reaches it (``hx-trigger=
    "revealed"``), as a reader scrolling down would, and wait for it to arrive."""
    page.evaluate(
        "id => document.querySelector(`[data-testid='${id}-loading']`)?.scrollIntoView()",
        test_id,
    )
    expect(page.get_by_test_id(test_id)).to_be_attached()


def sign_out(page) -> None:
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))


def open_page(browser, live_server):
    """A browser of its own for one more person (each signs in once, on their own computer)."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page
