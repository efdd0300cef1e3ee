"""The scale library page: the counseling side sees every scale with its state and licence."""

import pytest

from xinqiao.screening.library import BUILT_IN_DIR

pytestmark = pytest.mark.django_db

PHQ9 = (BUILT_IN_DIR / "phq9.yaml").read_text(encoding="utf-8")


@pytest.fixture
def school_scales(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    directory = tmp_path / "scales"
    directory.mkdir()
    return directory


def test_the_counselor_sees_each_scale_with_its_licence_and_attribution(
    cast, signed_in, client, school_scales
):
    signed_in(cast.counselor)
    response = client.get("/screening/scales/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="scale"') == 6
    assert "患者健康问卷抑郁量表（PHQ-9）" in page
    assert "No permission required to reproduce, translate, display or distribute." in page
    assert "© World Health Organization 2003" in page


def test_a_school_scale_it_holds_a_licence_for_is_listed_and_a_broken_file_named(
    cast, signed_in, client, school_scales
):
    worded = (
        PHQ9.replace('version: "1.0"', 'version: "1.0-school"')
        .replace("status: free", "status: licensed")
        .replace("holder: Pfizer Inc.", "holder: 本校购买的授权")
    )
    (school_scales / "phq9-school.yaml").write_text(worded, encoding="utf-8")
    (school_scales / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    signed_in(cast.director)
    page = client.get("/screening/scales/").content.decode()
    assert page.count('data-testid="scale"') == 7
    assert "本校购买的授权" in page
    assert "broken.yaml:" in page
    assert (
        client.get("/screening/scales/?state=ready").content.decode().count('data-testid="scale"')
        == 0
    )


def test_a_class_teacher_is_refused_the_library(cast, signed_in, client):
    signed_in(cast.class_teacher)
    assert client.get("/screening/scales/").status_code == 403


def test_a_wording_not_validated_is_shown_as_such(cast, signed_in, client, school_scales):
    from xinqiao.screening.library import DEMO_WORDINGS_DIR

    wording = (DEMO_WORDINGS_DIR / "phq9.zh-Hans.yaml").read_text(encoding="utf-8")
    (school_scales / "phq9.zh-Hans.yaml").write_text(wording, encoding="utf-8")
    signed_in(cast.counselor)
    page = client.get("/screening/scales/?state=ready").content.decode()
    assert page.count('data-testid="scale"') == 1
    assert 'data-testid="wording"' in page
    assert "心桥演示用译文" in page
