"""Indicator tables as people open them: an XLSX workbook (a sheet per table, a native Excel
chart beside each breakdown) and the same rows as CSV. Cells go through core/spreadsheet's
rules (formula-looking text neutralised)."""

from __future__ import annotations

import io
from pathlib import Path

from gpcloud.analytics.catalogue import CATALOGUE, FROM_ROLLUPS
from gpcloud.analytics.service import indicators
from gpcloud.analytics.service.indicators import Filters
from gpcloud.core.spreadsheet import is_formula_like, write_csv

BREAKDOWNS = ("month", "method", "category", "object_type", "region")
SHEETS = {
    "month": "按月",
    "method": "按采购方式",
    "category": "按品目",
    "object_type": "按对象类型",
    "region": "按地区",
}
CHARTED = ("spend", "processes")  # the series each breakdown sheet draws


async def tables(f: Filters) -> list[tuple[str, list[str], list[list]]]:
    """[(sheet, header, rows)]: the headline figures, then a breakdown per dimension."""
    values = await indicators.dashboard(None, f)
    out = [
        (
            "指标",
            ["indicator", "name", "unit", "value"],
            [[v.indicator.id, v.indicator.name, v.indicator.unit, v.value] for v in values],
        )
    ]
    ids = [i.id for i in CATALOGUE if i.id in FROM_ROLLUPS]
    for by in BREAKDOWNS:
        if f.dim == by or (f.dim != "all" and by not in ("month", "region", f.dim)):
            continue
        columns = {i: await indicators.series(None, i, by, f) for i in ids}
        keys = [(p.key, p.label) for p in columns[ids[0]]]
        rows = []
        for n, (key, label) in enumerate(keys):
            rows.append([key, label, *(columns[i][n].value for i in ids)])
        out.append((SHEETS[by], ["key", "label", *ids], rows))
    return out


def write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[list]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        ws = book.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(row)
        for line in ws.iter_rows(min_row=1):
            for c in line:  # text stays text, whatever it starts with
                if isinstance(c.value, str):
                    c.data_type = "s"
                    c.quotePrefix = is_formula_like(c.value)
        ws.freeze_panes = "A2"
        if title != "指标" and rows:
            for n, indicator in enumerate(CHARTED):
                col = header.index(indicator) + 1
                chart = BarChart()
                chart.title = f"{title}：{indicator}"
                data = Reference(ws, min_col=col, min_row=1, max_row=len(rows) + 1)
                labels = Reference(ws, min_col=2, min_row=2, max_row=len(rows) + 1)
                chart.add_data(data, titles_from_data=True)
                chart.set_categories(labels)
                ws.add_chart(chart, f"{get_column_letter(len(header) + 2)}{2 + n * 16}")
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def write_long_csv(path: Path, sheets: list[tuple[str, list[str], list[list]]]) -> None:
    """Every table in one long CSV: table, key, label, indicator, value."""
    rows = []
    for title, header, body in sheets:
        if title == "指标":
            rows += [[title, r[0], r[1], r[0], r[3]] for r in body]
            continue
        for r in body:
            rows += [
                [title, r[0], r[1], name, v] for name, v in zip(header[2:], r[2:], strict=True)
            ]
    write_csv(path, ["table", "key", "label", "indicator", "value"], rows)
