"""The production web server: gunicorn (gthread) serving Xinqiao, with the garbage collector kept
out of the time a reader waits.

Why the collector needs care: a Django process holds ~160,000 long-lived objects (modules,
classes, URL patterns, compiled templates, translation catalogues), and a page such as the student
file leaves a few thousand objects in reference cycles (model instances and their caches) behind
it. CPython's automatic full collection walks all of them: it took 150 ms, inside whichever
request happened to trigger it, about once every fifteen student-file readings; that was the p95
of the student file (docs/benchmarks.md).

So, as Instagram does with ``gc.freeze`` and Ruby's Unicorn with its out-of-band GC:

- the master process freezes everything loaded before it forks the workers (the frozen objects
  are never walked again, and the workers share their memory pages instead of copying them);
- each worker freezes again after its first requests (1, 2, 4, ... 1024), when lazily built
  long-lived objects (compiled templates, connections) exist; a collection runs right before each
  freeze, so only live objects are frozen, and the count of freezes is bounded (objects of a
  request another thread is serving at that moment may be frozen with them: a few bounded
  leaks of at most a request's leftovers each);
- after a response has been sent, a full collection runs when the automatic collector has been at
  work since the last one; with the long-lived objects frozen it walks only the request's leftovers
  (about 2 ms for the student file), so the automatic full collection no longer falls inside a
  request.
"""

from __future__ import annotations

import gc
import threading

from gunicorn.app.base import BaseApplication

#: gunicorn's control socket (gunicornc), in the data directory: each installation its own.
CONTROL_SOCKET = "gunicorn.ctl"
#: A worker freezes after these requests (its own count, all threads together).
FREEZE_AFTER_REQUESTS = frozenset(2**n for n in range(11))
# The worker's threads count their requests through this (each worker has its own after fork).
_counting = threading.Lock()


def freeze_long_lived_objects() -> None:
    """Collect, then move every surviving object out of the collector's reach for good."""
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    """Build before forking what every worker would otherwise build on its first requests."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every app's urls and views)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Xinqiao")


def collect_after_response(worker, req, environ, resp) -> None:
    """gunicorn's post_request hook: runs in the worker after the response has been sent."""
    with _counting:
        worker.xinqiao_requests = getattr(worker, "xinqiao_requests", 0) + 1
        served = worker.xinqiao_requests
    if served in FREEZE_AFTER_REQUESTS:
        freeze_long_lived_objects()
        return
    _young, collections_of_young, collections_of_middle = gc.get_count()
    if collections_of_young or collections_of_middle:
        gc.collect()


class XinqiaoServer(BaseApplication):
    """gunicorn with Xinqiao's settings, serving the WSGI application loaded in this process."""

    def __init__(self, *, host: str, port: int, workers: int, threads: int) -> None:
        from django.conf import settings

        self.options = {
            "bind": f"{host}:{port}",
            # gunicorn's default ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl) is one per user:
            # a second server on the host took it over and unlinked it when it stopped.
            "control_socket": str(settings.DATA_DIR / CONTROL_SOCKET),
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 60,
            "accesslog": "-",
            # Path without the query string: searches may carry confidential words.
            "access_log_format": (
                '{"access":"%(m)s %(U)s","status":%(s)s,"bytes":"%(B)s","ms":%(M)s}'
            ),
            "post_request": collect_after_response,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from xinqiao.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int, threads: int) -> None:
    """Load Xinqiao, freeze what it loaded, and serve it until stopped (Django is set up)."""
    server = XinqiaoServer(host=host, port=port, workers=workers, threads=threads)
    server.load()
    warm_up()
    freeze_long_lived_objects()
    print(f"Xinqiao is served on http://{host}:{port}/", flush=True)
    server.run()
