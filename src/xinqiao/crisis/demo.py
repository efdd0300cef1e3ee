"""The demo school's crisis work (`xinqiao demo`, core/management/commands/demo.py): each part
adds its own data, in this order."""

from __future__ import annotations

from xinqiao.core.demo import DemoContext
from xinqiao.crisis.demo_alerts import build_alerts
from xinqiao.crisis.demo_reports import build_reports


def build(context: DemoContext) -> None:
    build_alerts(context)
    build_reports(context)
