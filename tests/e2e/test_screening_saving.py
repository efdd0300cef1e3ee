"""How often the questionnaire page saves (issue 15, a whole school in one class period): answers
given one after another reach the server in one save after a pause, not one save an answer;
while answers keep coming, at most one save every 30 seconds; hiding the page (a closed tab, a
locked phone) sends what is not saved yet at once. The page's clock is Playwright's: time moves
only when the test says so."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import sign_in
from tests.e2e.test_screening_taking import DESKTOP, _answer, _school
from tests.screening.factories import open_campaign, participation_of
from xinqiao.screening.models import Response
from xinqiao.screening.services import answers_of

pytestmark = pytest.mark.usefixtures("demo_wordings")

# Init scripts run outside the page's Content-Security-Policy: this one only counts the saves.
COUNT_SAVES = """
window.__saves = 0;
var fetchOfThePage = window.fetch;
window.fetch = function (url) {
  if (String(url).indexOf("/save/") !== -1) { window.__saves += 1; }
  return fetchOfThePage.apply(this, arguments);
};
"""
HIDE = """
Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
document.dispatchEvent(new Event("visibilitychange"));
"""


@pytest.mark.django_db(transaction=True)
def test_answers_in_a_row_are_saved_once_after_a_pause_and_at_once_when_hidden(page, live_server):
    cast = _school("e2e-save")
    participation = participation_of(open_campaign(cast), cast.student_record)
    page.set_viewport_size(DESKTOP)
    sign_in(page, cast.student.username)
    page.context.add_init_script(COUNT_SAVES)
    page.clock.install()
    page.goto(reverse("screening:take", args=[participation.pk]))
    expect(page.locator("#q-phq9-q9")).to_be_visible()  # a wide screen: all on one page
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)

    def saves() -> int:
        return page.evaluate("window.__saves")

    def stored() -> dict:
        return answers_of(Response.objects.get(participation=participation))

    for item in ("q1", "q2", "q3", "q4", "q5"):
        _answer(page, item, "有几天")
    page.clock.run_for(1900)
    assert saves() == 0  # still answering
    page.clock.run_for(200)  # a pause of two seconds: one save for the five answers
    expect(page.get_by_test_id("save-status")).to_have_text("答案已全部保存")
    assert saves() == 1
    assert stored() == {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1}

    # The next answer right after: saved thirty seconds after the last save, not before.
    _answer(page, "q6", "一半以上的天数")
    page.clock.run_for(20_000)
    assert saves() == 1
    page.clock.run_for(10_000)
    expect(page.get_by_test_id("save-status")).to_have_text("答案已全部保存")
    assert saves() == 2
    assert stored()["q6"] == 2

    # One more, and the tab is hidden before its save is due: it goes at once.
    _answer(page, "q7", "几乎每天")
    page.evaluate(HIDE)
    assert saves() == 3
    expect(page.get_by_test_id("save-status")).to_have_text("答案已全部保存")
    assert stored()["q7"] == 3
