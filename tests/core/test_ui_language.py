"""The English UI is complete (issue 17 item 3): the English source strings are the UI in
English, so no Chinese literal reaches a page outside the places that hold data (the demo
school, danger phrases, the roster workbook's Chinese format), and every record kind has a
translatable name (the access log's "kind of record" column reads them)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from django.apps import apps

SOURCE = Path(__file__).resolve().parents[2] / "src" / "xinqiao"
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Modules whose Chinese literals are data, not UI text, and why.
DATA_MODULES = {
    "core/deidentify.py": "Chinese names, places and schools to find and blank out",
    "crisis/phrases.py": "the built-in danger phrases (students write Chinese)",
    "people/roster/checks.py": "the roster workbook's Chinese headings and values",
    "people/roster/format.py": "the roster workbook's Chinese headings and values",
    "people/roster/template.py": "the roster workbook's Chinese headings and values",
    "people/roster/workbook.py": "the roster workbook's Chinese headings and values",
    "rooms/roster/export.py": "the duty roster printed for the room's door, in Chinese",
}

#: Single literals allowed elsewhere: (module, the literal's start), and why.
ALLOWED_LITERALS = {
    ("api.py", '"心桥 Xinqiao'): "the API's title, both names",
    ("settings.py", '"心桥 Xinqiao"'): "the product's name in both languages",
    ("settings.py", '"简体中文"'): "a language's own name in the language menu",
    ("cases/schemas.py", '"(知情自愿) in force'): "the API schema names the consent's term",
    ("core/delivery_forms.py", '_("signing secret'): "DingTalk's own name of the setting",
    ("core/management/commands/init.py", '"系统管理员"'): "the first account's name (data)",
    ("people/views/roster.py", '"花名册导入模板.xlsx"'): "a Chinese file name (issue 17)",
    ("privacy/basis.py", '"生成研究数据导出"'): "a ground stored in Chinese by older versions",
    ("privacy/basis.py", '"下载研究数据导出"'): "a ground stored in Chinese by older versions",
}

#: Templates whose Chinese text is meant, and why.
ALLOWED_TEMPLATES = {
    "templates/500.html": "rendered without a request's language: Chinese and English",
    "crisis/templates/crisis/phrases.html": "an example of a negated Chinese phrase",
}


def _is_data_module(relative: str) -> bool:
    parts = relative.split("/")
    return (
        relative in DATA_MODULES
        or any(part == "demo" or part.startswith("demo") for part in parts)
        or "migrations" in parts
    )


def _string_literals_with_chinese(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that hold Chinese, docstrings left out (they are
    comments, which may quote the seeds)."""
    text = path.read_text(encoding="utf-8")
    docstrings = {
        node.lineno
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }
    return [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.STRING
        and CJK.search(token.string)
        and token.start[0] not in docstrings
    ]


def _line_of(path: Path, number: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[number - 1].strip()


def test_no_chinese_literal_reaches_the_ui_from_python():
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if _is_data_module(relative):
            continue
        for line, literal in _string_literals_with_chinese(path):
            allowed = any(
                module == relative and _line_of(path, line).find(start) >= 0
                for module, start in ALLOWED_LITERALS
            )
            if not allowed:
                found.append(f"{relative}:{line}: {literal[:60]}")
    assert found == [], "Chinese UI text belongs in locale/zh_Hans:\n" + "\n".join(found)


def test_no_chinese_text_in_templates():
    found = []
    for path in sorted(SOURCE.rglob("*.html")):
        relative = path.relative_to(SOURCE).as_posix()
        if relative in ALLOWED_TEMPLATES or relative.startswith("static/"):
            continue
        text = re.sub(
            r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}",
            "",
            path.read_text(encoding="utf-8"),
            flags=re.S,
        )
        found += [
            f"{relative}:{number}: {line.strip()[:60]}"
            for number, line in enumerate(text.splitlines(), 1)
            if CJK.search(line)
        ]
    assert found == [], "Chinese UI text belongs in locale/zh_Hans:\n" + "\n".join(found)


def test_the_allow_lists_name_what_is_there():
    """An entry that no longer matches is removed, not left to allow something else later."""
    for relative in [*DATA_MODULES, *ALLOWED_TEMPLATES]:
        assert (SOURCE / relative).exists(), relative
    for module, start in ALLOWED_LITERALS:
        assert start in (SOURCE / module).read_text(encoding="utf-8"), (module, start)


def test_every_record_kind_has_a_translatable_name():
    """The access log names the kind of each record read; a model without its own names
    showed "follow up" or "conference" in the Chinese log."""
    unnamed = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("xinqiao.")
        and not {"verbose_name", "verbose_name_plural"} <= set(model._meta.original_attrs)
    ]
    assert unnamed == []
