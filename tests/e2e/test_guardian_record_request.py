"""A guardian asks for their child's records on a phone; the counselor reviews the session
records; the director decides, releases the watermarked copy and finds it in the disclosure
register; the guardian downloads it (issue 16 item 4)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import build_cast
from tests.e2e.journeys import open_page, sign_in
from tests.factories import SchoolFactory
from tests.rights.factories import PRIVATE, SHARED, records_of_child
from xinqiao.rights.models import RecordRequest

PHONE = {"width": 390, "height": 844}
ASKED = "请提供孩子本学期在心理咨询室的辅导记录，便于家里配合。"


@pytest.mark.django_db(transaction=True)
def test_a_guardian_asks_the_director_releases_and_the_guardian_downloads(
    page, browser, live_server
):
    cast = build_cast(
        SchoolFactory(name="第一中学", code="e2e-rights"),
        SchoolFactory(name="第二中学", code="e2e-rights-2"),
    )
    shared, private = records_of_child(cast)
    devices = {
        role: TOTPDevice.objects.create(user=getattr(cast, role), name="p", confirmed=True)
        for role in ("director", "counselor")
    }

    # The guardian, on a phone: one child, so no child to choose.
    page.set_viewport_size(PHONE)
    sign_in(page, "guardian")
    page.goto(reverse("rights:ask"))
    expect(page.locator("select[name=child]")).to_have_count(0)
    page.get_by_label("申请内容").fill(ASKED)
    page.get_by_test_id("rights-ask-submit").click()
    expect(page.get_by_test_id("request-state")).to_have_text("已收到")
    item = RecordRequest.objects.get()
    page.goto(reverse("rights:mine"))
    expect(page.get_by_test_id("my-request")).to_contain_text(item.number)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width

    # The director takes it up from the list sorted by deadline.
    director = open_page(browser, live_server)
    sign_in(director, "director", devices["director"])
    director.goto(reverse("rights:request_list"))
    director.get_by_role("link", name=item.number).click()
    director.get_by_test_id("request-take-up").click()
    expect(director.get_by_test_id("request-state")).to_have_text("审核中")

    # The counselor of the child's case lets one session record go and keeps one back.
    counselor = open_page(browser, live_server)
    sign_in(counselor, "counselor", devices["counselor"])
    counselor.goto(reverse("rights:request_detail", args=[item.pk]))
    counselor.locator(f"input[name=releasable][value='{shared.pk}']").check()
    counselor.get_by_test_id("review-submit").click()
    expect(counselor.get_by_test_id("review-section")).to_contain_text("不提供")

    # The director releases everything the review allows.
    director.reload()
    expect(director.get_by_test_id("review-counts")).to_contain_text("可提供 1 条")
    director.get_by_label("全部提供").check()
    director.get_by_test_id("decide-submit").click()
    director.get_by_test_id("request-release").click()
    expect(director.get_by_test_id("request-state")).to_have_text("已提供")

    # The guardian downloads the watermarked copy.
    page.goto(reverse("rights:request_detail", args=[item.pk]))
    with page.expect_download() as download:
        page.get_by_test_id("request-download").click()
    with (
        open(download.value.path(), "rb") as handle,
        zipfile.ZipFile(io.BytesIO(handle.read())) as archive,
    ):
        body = archive.read("word/document.xml").decode()
        headers = "".join(archive.read(n).decode() for n in archive.namelist() if "header" in n)
    assert SHARED in body and PRIVATE not in body
    assert item.number in headers and "何妈妈" in headers

    # The release is in the disclosure register.
    director.goto(reverse("crisis:disclosure_list") + "?kind=guardian")
    expect(director).to_have_url(re.compile(r"kind=guardian"))
    expect(director.get_by_test_id("disclosure").first).to_contain_text(item.number)
    assert private.pk != shared.pk
