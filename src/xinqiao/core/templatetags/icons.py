"""``{% icon "bell" %}``: one of the vendored Lucide icons (static/vendor/lucide), inline.

Inline SVG draws in the text's colour on every system, where an emoji shows as an empty box
without an emoji font (issue 17). The icon is decoration: hidden from screen readers, so the
link or button around it carries the words. Files are read once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NAME = re.compile(r"[a-z0-9-]+")


@lru_cache(maxsize=128)
def icon_svg(name: str) -> SafeString:
    if not _NAME.fullmatch(name):
        raise template.TemplateSyntaxError(f"not an icon name: {name!r}")
    path = finders.find(f"vendor/lucide/icons/{name}.svg")
    if path is None:
        raise template.TemplateSyntaxError(f"no vendored icon {name!r} (static/vendor/lucide)")
    with open(path, encoding="utf-8") as handle:
        svg = _COMMENT.sub("", handle.read()).strip()
    svg = re.sub(
        r'class="[^"]*"', 'class="icon" aria-hidden="true" focusable="false"', svg, count=1
    )
    svg = re.sub(r'\s*(width|height)="24"', "", svg)
    return mark_safe(" ".join(svg.split()))  # noqa: S308 - our own vendored file


@register.simple_tag
def icon(name: str) -> SafeString:
    return icon_svg(name)
