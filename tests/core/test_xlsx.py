"""Excel exports: a cell never becomes a formula (issue 12 item 4), whichever module writes it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import xinqiao
from xinqiao.core.xlsx import workbook_bytes

SOURCE = Path(xinqiao.__file__).parent


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_text_that_looks_like_a_formula_comes_back_as_text(text):
    workbook = Workbook()
    workbook.active.append([text, "张三", 42])
    sheet = load_workbook(io.BytesIO(workbook_bytes(workbook))).active
    assert sheet["A1"].value == text
    assert sheet["A1"].data_type == "s"
    assert sheet["A1"].quotePrefix
    assert (sheet["B1"].value, sheet["C1"].value) == ("张三", 42)
    assert not sheet["B1"].quotePrefix


def test_every_module_that_writes_a_workbook_saves_it_through_workbook_bytes():
    writers = [
        path
        for path in SOURCE.rglob("*.py")
        if re.search(r"\bWorkbook\(\)", path.read_text(encoding="utf-8"))
    ]
    assert writers, "no module writes a workbook any more: drop this test"
    for path in writers:
        text = path.read_text(encoding="utf-8")
        if path.name == "xlsx.py" and path.parent.name == "core":
            continue
        assert "workbook_bytes(" in text, f"{path} writes .xlsx without core.xlsx.workbook_bytes"
        assert "BytesIO" not in text, f"{path} saves a workbook itself"
