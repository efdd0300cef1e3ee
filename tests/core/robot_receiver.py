"""A local stand-in for the WeCom and DingTalk group robots (127.0.0.1 only).

It records every message, checks DingTalk's signature as DingTalk does (when given the
secret), and answers with the statuses it is told to, then 200 with ``{"errcode": 0}``.
Run in a thread by the tests, or as a process (``python -m tests.core.robot_receiver PORTFILE``)
by the multi-process test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    query: dict[str, str]
    payload: dict
    signature_ok: bool | None  # None: no secret to check against


@dataclass
class RobotReceiver:
    dingtalk_secret: str = ""
    failures: list[int] = field(default_factory=list)  # statuses to answer first, in order
    received: list[Received] = field(default_factory=list)
    attempts: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> RobotReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def signature_valid(self, query: dict[str, str]) -> bool:
        timestamp = query.get("timestamp", "")
        expected = base64.b64encode(
            hmac.new(
                self.dingtalk_secret.encode(),
                f"{timestamp}\n{self.dingtalk_secret}".encode(),
                hashlib.sha256,
            ).digest()
        ).decode()
        return hmac.compare_digest(expected, query.get("sign", ""))

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length))
                parsed = urllib.parse.urlsplit(self.path)
                # parse_qs decodes the URL-encoded sign back to its base64 text.
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
                with receiver.lock:
                    receiver.attempts += 1
                    status = receiver.failures.pop(0) if receiver.failures else 200
                    if status == 200:
                        checked = (
                            receiver.signature_valid(query) if receiver.dingtalk_secret else None
                        )
                        receiver.received.append(Received(parsed.path, query, payload, checked))
                answer = json.dumps({"errcode": 0 if status == 200 else 500, "errmsg": "ok"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def do_GET(self):
                """What was received, for a test in another process."""
                with receiver.lock:
                    body = json.dumps([r.payload for r in receiver.received]).encode()
                self.send_response(200)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


if __name__ == "__main__":
    receiver = RobotReceiver()
    with open(sys.argv[1], "w") as port_file:
        port_file.write(str(receiver.server.server_address[1]))
    receiver.server.serve_forever()
