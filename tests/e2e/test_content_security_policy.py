"""Browser test (issue 12, item 15): the Content-Security-Policy forbids inline script, and
the pages work under it. The director signs in and opens pages that use htmx, the charts and
the menus; the browser reports no policy violation and no request to another origin, and the
language switch (a select that submits itself, now from static/js/xinqiao.js) still works."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.cases.factories import case_at
from tests.e2e.journeys import sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user

# Playwright's init scripts run outside the page's policy: they only listen.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.mark.django_db(transaction=True)
def test_pages_run_under_the_policy_with_no_violation_and_no_other_origin(page, live_server):
    school = SchoolFactory(name="第一中学", code="e2e-csp")
    people = {
        role: make_user(role, school=school, username=f"{role}-csp")
        for role in ("director", "counselor", "class_teacher", "student", "guardian")
    }
    cast = SimpleNamespace(school=school, **people, **make_class_with_student(school, people))
    case = case_at(cast, "active")
    device = TOTPDevice.objects.create(user=people["director"], name="p", confirmed=True)
    origin = urlsplit(live_server.url).netloc
    elsewhere, console_errors = [], []
    page.context.add_init_script(LISTEN)
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(request.url).netloc != origin
            and elsewhere.append(request.url)
        ),
    )
    page.on(
        "console",
        lambda message: message.type == "error" and console_errors.append(message.text),
    )

    sign_in(page, "director-csp", device)
    violations = []
    for path in ("/", f"/cases/{case.pk}/", "/cases/statistics/", "/rooms/intakes/", "/api/docs"):
        response = page.goto(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, path
        assert "frame-ancestors 'none'" in policy, path
        page.wait_for_load_state("networkidle")
        violations += page.evaluate("window.__violations")
    expect(page.locator("#swagger-ui .info")).to_be_visible()  # its scripts ran

    page.goto("/cases/statistics/")
    expect(page.locator("[data-chart][data-rendered] svg").first).to_be_visible()
    page.locator('select[name="language"]').first.select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^en"))
    violations += page.evaluate("window.__violations")

    assert violations == []
    assert not [text for text in console_errors if "Content Security Policy" in text]
    assert elsewhere == []
