"""Excel workbooks out of Xinqiao: every export's bytes come from ``workbook_bytes``.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by
Excel and LibreOffice as a formula (OWASP "CSV injection"): a pupil enrolled as
``=HYPERLINK(...)`` would become a live link on the account sheet that also holds initial
passwords. Names come from rosters people type, so no cell we write may be a formula.
``workbook_bytes`` stores every such cell as text, with the quote prefix Excel shows as a
leading apostrophe, so editing the cell keeps it text.
"""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet program would read as a formula (see the module's note)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every cell that looks like a formula written as text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if looks_like_formula(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_from_bytes(content: bytes, *, read_only: bool = True) -> Workbook:
    """A workbook this product wrote, read back (a research export turned into CSV)."""
    return load_workbook(io.BytesIO(content), read_only=read_only)
