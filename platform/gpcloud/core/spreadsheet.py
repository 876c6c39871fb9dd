"""Every CSV and XLSX file the platform writes for people, through one door.

Text that a spreadsheet would take for a formula (OWASP's rule: it starts with = + - @, a tab or
a carriage return) is written as text: in a CSV behind a leading apostrophe, in an XLSX as a
string cell with the quote-prefix style (Excel shows the text and never evaluates it, even when
the cell is edited). A supplier named `=HYPERLINK("http://evil.example/x","click")` stays a name.
Numbers are written as numbers, so a negative amount stays a readable -5.00; text that is only a
number ("-5", "+86") cannot be a formula and is left alone.

Reading undoes the apostrophe (`restore`), so a reject report that a clerk corrects and uploads
again imports the values it showed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

Cell = str | int | Decimal | date | datetime | None
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START) and not NUMBER.fullmatch(text)


def neutralise(text: str) -> str:
    """A CSV cell's text, safe to open in a spreadsheet."""
    return "'" + text if is_formula_like(text) else text


def restore(text: str) -> str:
    """The text `neutralise` was given (for cells read back from a file the platform wrote)."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value.isoformat() if isinstance(value, date) else str(value)


class CsvWriter:
    """csv.writer whose cells are neutralised; UTF-8 with a BOM so that Excel, which finance
    staff open the files with, shows the Chinese text."""

    def __init__(self, fh: IO[str]):
        self._writer = csv.writer(fh)

    def writerow(self, row: Iterable[Cell]) -> None:
        self._writer.writerow([_csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Cell]]) -> None:
        for row in rows:
            self.writerow(row)


def open_csv(path: Path) -> IO[str]:
    return path.open("w", encoding="utf-8-sig", newline="")


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Cell]]) -> None:
    with open_csv(path) as fh:
        writer = CsvWriter(fh)
        writer.writerow(header)
        writer.writerows(rows)


MIN_WIDTH, MAX_WIDTH = 6, 60


def _display_width(value: Cell) -> int:
    """Characters as a spreadsheet shows them: a Chinese character is two wide."""
    text = "" if value is None else value.isoformat() if isinstance(value, date) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def column_widths(header: list[str], rows: list[list[Cell]]) -> list[int]:
    widths = [_display_width(h) for h in header]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widths]


def write_xlsx(
    path: Path, header: list[str], rows: Iterable[Iterable[Cell]], sheet: str = "Sheet1"
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)

    def cell(value: Cell):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # XLSX has no time zones: the wall time
        if isinstance(value, str):  # control characters XLSX cannot hold would fail the file
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        written = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # never a formula, whatever it starts with
            written.quotePrefix = is_formula_like(value)
        elif isinstance(value, Decimal):
            places = -value.as_tuple().exponent  # type: ignore[operator]
            if places > 0:  # 2 places of yuan stay 2 places: -5.00, not -5
                written.number_format = "0." + "0" * places
        return written

    rows = [list(row) for row in rows]
    # Opened by people: the header stays in view, and each column is as wide as its text.
    worksheet.freeze_panes = "A2"
    for index, width in enumerate(column_widths(header, rows), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.append([cell(v) for v in header])
    for row in rows:
        worksheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
