"""Issue 17 item 4: every page type passes axe-core and is usable on a phone, in both languages.

One page of each type (sign-in with an error, the workbench of five roles, lists with filters
and paging, a case and a student file, a form with a validation error, the notifications,
待我处理, a questionnaire, the letterbox, booking, a refusal and a missing page) is opened at
360 × 740 and checked there, then checked again at 1366 × 900 without reloading:

- axe-core (vendored in tests/e2e/vendor/) with the WCAG 2 A/AA and best-practice rules finds
  no violation of impact "serious" or "critical";
- on the phone, the page does not scroll sideways (a wide table scrolls inside its own box);
- on the phone, every visible target (link, button, field, select, summary, role=button) is at
  least 44 × 44 px. WCAG 2.5.8 exempts inline targets, whose size is set by the line of text
  around them, and so does this check: a link that sits in a sentence (text beside it on its
  line) or in a table cell (its row is as high as the line of the other cells) may be smaller.
  A checkbox or radio button is measured with its label, which is what a finger taps;
- the header's 菜单 (Menu) button lies inside the header, its chevron inside its border; a
  button (or summary) with a short label (at most four characters, e.g. 保存, 取消, 批准,
  Save) renders on one line; the header holds no emoji (the bell is an SVG icon), which shows
  as an empty box where no emoji font is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.cases.factories import case_at
from tests.cases.test_waiting_steps import draft
from tests.e2e.journeys import DESKTOP, device_of, save_screenshot, sign_in
from tests.screening.factories import open_campaign, participation_of
from xinqiao.core.models import User
from xinqiao.people.models import Student

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
LANGUAGES = ("zh-hans", "en")

pytestmark = pytest.mark.usefixtures("demo_wordings")

RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
  });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""

# The phone checks of the docstring, run in the page; each problem is a line of text.
PHONE_CHECKS = r"""() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`scrolls sideways: ${root.scrollWidth} px wide in ${window.innerWidth}`);
  }
  const shown = el => el.checkVisibility({visibilityProperty: true}) &&
    el.getBoundingClientRect().width > 0;
  const describe = el => `${el.tagName.toLowerCase()}` +
    `${el.className ? "." + String(el.className).trim().replace(/\s+/g, ".") : ""}` +
    ` "${(el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30)}"`;
  // In running text: inline, with text beside it on its line (at its own level or, for a link
  // inside a <span>, at the span's), or in a table cell.
  const inRunningText = el => {
    if (getComputedStyle(el).display !== "inline") return false;
    if (el.closest("td, th")) return true;
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      for (const side of ["previousSibling", "nextSibling"]) {
        let next = node[side];
        while (next && next.nodeType === Node.TEXT_NODE && !next.textContent.trim()) next = next[side];
        if (!next) continue;
        if (next.nodeType === Node.TEXT_NODE) return true;
        if (getComputedStyle(next).display.startsWith("inline") && next.textContent.trim()) return true;
      }
      if (!getComputedStyle(node.parentElement).display.startsWith("inline")) return false;
    }
    return false;
  };
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el) || inRunningText(el)) continue;
    let box = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      box = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    }
    const rect = box.getBoundingClientRect();
    if (rect.width < 44 || rect.height < 44) {
      problems.push(`small target ${Math.round(rect.width)}×${Math.round(rect.height)}: ${describe(el)}`);
    }
  }
  for (const el of document.querySelectorAll("button, [role=button], summary")) {
    const label = el.innerText.trim();
    if (!shown(el) || !label || /\s/.test(label) || [...label].length > 4) continue;
    const tops = new Set();
    const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(text);
      for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
    }
    if (tops.size > 1) problems.push(`short label on ${tops.size} lines: ${describe(el)}`);
  }
  return problems;
}"""


# At both widths: the header's drop-down buttons (菜单 on a phone, the sections on a desk) lie
# inside the header with their word and chevron inside their border; no emoji in the header.
HEADER_CHECKS = r"""() => {
  const problems = [];
  const header = document.querySelector(".site-header");
  if (!header) return problems;
  if (/[\p{Extended_Pictographic}\u{FE0F}]/u.test(header.textContent)) {
    problems.push(`emoji in the header: ${header.textContent.trim().replace(/\s+/g, " ")}`);
  }
  const outer = header.getBoundingClientRect();
  for (const summary of header.querySelectorAll("details > summary")) {
    if (!summary.checkVisibility({visibilityProperty: true})) continue;
    const inner = summary.getBoundingClientRect();
    const name = `summary "${summary.innerText.trim()}"`;
    if (inner.left < outer.left || inner.right > outer.right ||
        inner.top < outer.top || inner.bottom > outer.bottom) {
      problems.push(`${name} outside the header`);
    }
    if (summary.scrollHeight > summary.clientHeight + 1 || summary.scrollWidth > summary.clientWidth + 1) {
      problems.push(`${name}: its content overflows its border`);
    }
  }
  return problems;
}"""


def check(page, name: str, language: str) -> list[str]:
    """Every problem of the page, at phone and desk widths, each line naming the page."""
    page.wait_for_load_state("load")
    save_screenshot(page, f"a11y-{name}-{language}-phone")
    problems = [f"phone: {line}" for line in page.evaluate(PHONE_CHECKS)]
    problems += [f"phone: {line}" for line in page.evaluate(HEADER_CHECKS)]
    page.add_script_tag(path=str(AXE))
    problems += [f"axe phone: {line}" for line in page.evaluate(RUN_AXE)]
    page.set_viewport_size(DESKTOP)
    problems += [f"desktop: {line}" for line in page.evaluate(HEADER_CHECKS)]
    problems += [f"axe desktop: {line}" for line in page.evaluate(RUN_AXE)]
    page.set_viewport_size(PHONE)
    return [f"{name} [{language}] {page.url}: {line}" for line in problems]


def phone(browser, live_server, language: str, user=None):
    """A phone of its own in ``language``, signed in as ``user`` when given. It lets the test's
    own script (axe) in past the Content-Security-Policy; the product's pages still run under
    it."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        sign_in(page, user.username, device_of(user))
    context.add_cookies([{"name": "xinqiao_language", "value": language, "url": live_server.url}])
    return page


def submit_unchecked(page) -> None:
    """Send the page's form as it is, past the browser's own checks, to see the server's
    messages beside the fields."""
    form = page.locator("main form[method=post]").last
    form.evaluate("form => { form.noValidate = true; }")
    form.locator("[type=submit]").last.click()
    expect(page.locator("main [aria-invalid=true]").first).to_be_visible()


def paged(page) -> None:
    expect(page.locator("nav.pagination")).to_be_visible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_passes_axe_and_fits_a_phone(browser, live_server, cast, language):
    case = case_at(cast, "active")
    draft(cast, case_at(cast, "assessing"))  # a notice and an approval wait for the director
    participation = participation_of(open_campaign(cast), cast.student_record)
    accounts = User.objects.bulk_create(User(username=f"s{n}") for n in range(50))
    Student.objects.bulk_create(  # a second page of students
        Student(
            school=cast.school,
            user=account,
            school_class=cast.school_class,
            name=f"学生{n}",
            student_number=f"20260702{n:02d}",
        )
        for n, account in enumerate(accounts)
    )
    problems: list[str] = []

    page = phone(browser, live_server, language)
    page.goto(reverse("core:login"))
    page.locator("input[name=username]").fill("nobody")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("main [type=submit]").click()
    expect(page.get_by_test_id("sign-in-error")).to_be_visible()
    problems += check(page, "sign-in-error", language)
    page.context.close()

    visits = {
        "director": [
            ("workbench-director", "/", None),
            ("cases", reverse("cases:case_list") + "?state=active", None),
            ("case", reverse("cases:case_detail", args=[case.pk]), None),
            ("students", reverse("people:student_list") + "?status=enrolled", paged),
            ("student-file", reverse("cases:student_file", args=[cast.student_record.pk]), None),
            ("notifications", reverse("core:notifications"), None),
            ("waiting", reverse("core:waiting"), None),
            ("not-found", "/no-such-page/", None),
        ],
        "counselor": [
            ("workbench-counselor", "/", None),
            ("record-form-error", reverse("cases:record_create", args=[case.pk]), submit_unchecked),
            ("letterbox", reverse("letters:letterbox"), None),
        ],
        "class_teacher": [
            ("workbench-class-teacher", "/", None),
            ("refer-form", reverse("cases:refer_student"), None),
        ],
        "student": [
            ("workbench-student", "/", None),
            ("questionnaire", reverse("screening:take", args=[participation.pk]), None),
            ("letter", reverse("letters:write"), None),
            ("booking", reverse("rooms:booking_start"), None),
            ("refused", reverse("cases:case_list"), None),
        ],
        "guardian": [
            ("workbench-guardian", "/", None),
            ("child-questionnaires", reverse("screening:child_notices"), None),
        ],
        "principal": [
            ("workbench-principal", "/", None),
            ("statistics", reverse("cases:statistics"), None),
        ],
        "duty": [("workbench-duty", "/", None)],
    }
    for role, pages in visits.items():
        page = phone(browser, live_server, language, getattr(cast, role))
        for name, url, then in pages:
            page.goto(url)
            if then:
                then(page)
            problems += check(page, name, language)
        page.context.close()

    assert not problems, "\n".join(problems)
