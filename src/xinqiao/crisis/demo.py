"""The demo school's crisis work (`xinqiao demo`, core/management/commands/demo.py): each part
adds its own data, in this order."""

from __future__ import annotations

from xinqiao.core.demo import DemoContext
from xinqiao.crisis.demo_reports import build_reports


def build(context: DemoContext) -> None:
    build_reports(context)
