"""Rows of a CSV or XLSX file as strings, whatever encoding finance staff saved them in."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from gpcloud.core.spreadsheet import restore

ENCODINGS = (
    "utf-8-sig",
    "gb18030",
)  # gb18030 reads GBK/GB2312 files too (Excel's default in China)
SAMPLE = 1 << 16


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _encoding(path: Path) -> str:
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE + 1)
    complete = len(sample) <= SAMPLE
    sample = sample[:SAMPLE]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "BAD_ENCODING", "UTF-16 text is not read; save the CSV as UTF-8 or GBK"
        )
    for encoding in ENCODINGS:
        try:
            sample.decode(encoding)
            return encoding
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is not an error.
            if not complete and exc.start >= len(sample) - 4:
                return encoding
    raise ImportFileError("BAD_ENCODING", "the file is neither UTF-8 nor GBK/GB18030 text")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    encoding = _encoding(path)
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        try:
            for row in reader:
                yield [cell.strip() for cell in row]
        except UnicodeDecodeError:
            raise ImportFileError(
                "BAD_ENCODING", f"line {reader.line_num + 1}: not valid {encoding} text"
            ) from None
        except csv.Error as exc:
            raise ImportFileError("BAD_FILE", f"line {reader.line_num}: {exc}") from None


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError("BAD_FILE", f"not a readable XLSX workbook: {exc}") from None
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        workbook.close()


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number as the user sees it, cells) for every non-empty row, header first."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise ImportFileError("BAD_FILE", f"{path.name}: only .csv and .xlsx files are imported")
    for number, cells in enumerate(rows, start=1):
        if any(cells):
            yield number, [restore(cell) for cell in cells]


def estimate_rows(path: Path) -> int:
    """Data rows, for progress: lines of a CSV (quoted line breaks make it an estimate), the
    first sheet's extent in an XLSX."""
    if path.suffix.lower() == ".csv":
        with path.open("rb") as fh:
            return max(
                0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1
            )
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return max(0, (workbook.worksheets[0].max_row or 1) - 1)
    finally:
        workbook.close()


def sniff_upload(filename: str, head: bytes) -> str:
    """The suffix to store an upload under, from its name (and XLSX's zip signature)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return suffix
    return ".xlsx" if head.startswith(b"PK") else ".csv"
