"""Issue 16 item 5: no page is for search engines, and nothing signed in is kept by a browser."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_answer_tells_search_engines_to_stay_away(cast, client, signed_in):
    anonymous = client.get(reverse("core:login"))
    assert anonymous["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in anonymous.content.decode()
    home = signed_in(cast.counselor).get(reverse("core:home"))
    assert home["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in home["Cache-Control"]
    api = client.get("/api/me")
    assert api["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in api["Cache-Control"]


def test_robots_txt_turns_every_crawler_away(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["User-agent: *", "Disallow: /"]
