"""`xinqiao serve`: gunicorn as shipped, and its garbage-collection policy (core/web_server.py)."""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
import urllib.request
import weakref
from pathlib import Path

import pytest

from xinqiao.core.web_server import FREEZE_AFTER_REQUESTS, collect_after_response

XINQIAO = Path(sys.executable).with_name("xinqiao")


@pytest.fixture
def unfrozen():
    """Give the test process its frozen objects back to the collector afterwards."""
    yield
    gc.unfreeze()


class Worker:
    """What the hook reads of gunicorn's worker: nothing but the attribute it keeps itself."""


class Node:
    def __init__(self):
        self.other = self


def test_garbage_a_request_leaves_in_cycles_is_collected_after_the_response(unfrozen):
    worker = Worker()
    worker.xinqiao_requests = 100  # past the freezes of the first requests
    leftover = Node()
    gone = weakref.ref(leftover)
    gc.collect(0)  # the request's young collections move its objects on, still alive
    del leftover
    assert gone() is not None, "a cycle outlives its last reference until a collection"

    collect_after_response(worker, None, {}, None)

    assert gone() is None
    assert gc.get_count()[1:] == (0, 0)


def test_a_worker_freezes_what_survives_its_first_requests_and_then_stops(unfrozen, monkeypatch):
    worker = Worker()
    frozen_after = []
    freeze = gc.freeze

    def recording_freeze():
        frozen_after.append(worker.xinqiao_requests)
        freeze()

    monkeypatch.setattr(gc, "freeze", recording_freeze)
    for _ in range(1500):
        kept = Node()  # a long-lived object built lazily, as a compiled template is
        collect_after_response(worker, None, {}, None)
        del kept
    assert frozen_after == sorted(FREEZE_AFTER_REQUESTS)
    assert frozen_after[-1] == 1024
    assert gc.get_freeze_count() > 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_xinqiao_serve_answers_and_keeps_query_strings_out_of_its_access_log(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XINQIAO_", "PYTEST", "DJANGO_")) and key != "DATABASE_URL"
    }
    # The server's own output stays outside its data directory, which serve checks is private.
    data_dir = tmp_path / "data"
    env.update(XINQIAO_DATA_DIR=str(data_dir), XINQIAO_PROFILE="dev", NO_PROXY="127.0.0.1")
    subprocess.run(
        [str(XINQIAO), "init", "--no-admin"], env=env, check=True, capture_output=True, timeout=120
    )
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(XINQIAO), "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(600):  # up to a minute for the server to come up
            try:
                with opener.open(base + "/healthz", timeout=2) as response:
                    health = response.status
                break
            except OSError:
                try:
                    server.wait(timeout=0.1)  # gives it time, and notices when it died
                except subprocess.TimeoutExpired:
                    continue
                pytest.fail("xinqiao serve stopped:\n" + log.read_text())
        else:
            pytest.fail("xinqiao serve did not answer within a minute:\n" + log.read_text())
        assert health == 200
        with opener.open(
            base + "/accounts/sign-in/?next=/cases/%3Fq%3D%E8%87%AA%E4%BC%A4", timeout=10
        ) as response:
            assert response.status == 200
            assert response.headers["Content-Language"] == "zh-hans"
    finally:
        server.terminate()
        server.wait(timeout=30)
    printed = log.read_text()
    assert f"Xinqiao is served on http://127.0.0.1:{port}/" in printed
    access = [json.loads(line) for line in printed.splitlines() if line.startswith('{"access"')]
    assert {"access": "GET /accounts/sign-in/", "status": 200} in [
        {"access": line["access"], "status": line["status"]} for line in access
    ]
    assert "next=" not in printed
    assert "Traceback" not in printed


def test_each_installation_has_its_own_gunicorn_control_socket_in_its_data_directory(settings):
    """Issue 12 item 18: two `xinqiao serve` on one host shared ~/.gunicorn/gunicorn.ctl, and
    each unlinked the other's when it stopped."""
    from xinqiao.core.web_server import XinqiaoServer

    def control_socket(data_dir: Path) -> str:
        settings.DATA_DIR = data_dir
        return XinqiaoServer(host="127.0.0.1", port=8000, workers=1, threads=1).cfg.control_socket

    first, second = Path("/srv/school-one/var"), Path("/srv/school-two/var")
    assert control_socket(first) == str(first / "gunicorn.ctl")
    assert control_socket(second) == str(second / "gunicorn.ctl")
