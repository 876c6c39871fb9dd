"""Issue 11, finding 5: what people type never becomes a live formula in a file the platform
writes (reject reports, exports); numbers stay numbers."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from gpcloud.core.imports.reader import read_rows
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.integration.registries.purchasers.test_purchaser_import import HEADER, write_csv
from tests.support import drain_jobs, gql, login

EVIL = '=HYPERLINK("http://evil.example/x","click")'
PHONES = ["+86 0753 3000001", "-1+cmd|' /C calc'!A0", "@SUM(1+1)", "=1+1", "-5"]


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


async def test_reject_reports_write_formulas_as_text(tmp_path, demo):
    rows = [
        [f"44148190{n}", EVIL, "not-a-code", "", phone, "", "", ""]
        for n, phone in enumerate(PHONES)
    ]
    path = write_csv(tmp_path / "evil.csv", HEADER, rows)
    with use_scope((await tenant_tree()).scope_for("441481")):
        summary = await run_import(get_spec("purchasers"), path, "441481", tmp_path / "out")
    assert summary.counts == {"rejected": len(PHONES)}

    sheet = load_workbook(tmp_path / "out" / "rejects.xlsx").active
    header = [c.value for c in sheet[1]]
    name, phone = header.index("单位名称"), header.index("联系电话")
    for line, wanted in zip(sheet.iter_rows(min_row=2), PHONES, strict=True):
        assert line[0].data_type == "n"  # the row number is a number
        assert (line[name].value, line[name].data_type, line[name].quotePrefix) == (EVIL, "s", True)
        assert line[phone].value == wanted and line[phone].data_type == "s"
        assert line[phone].quotePrefix is (wanted != "-5")  # a plain number is no formula

    report = csv_cells((tmp_path / "out" / "rejects.csv").read_text(encoding="utf-8-sig"))
    name, phone = report[0].index("单位名称"), report[0].index("联系电话")
    assert {line[name] for line in report[1:]} == {"'" + EVIL}
    assert [line[phone] for line in report[1:]] == [
        "'+86 0753 3000001",
        "'-1+cmd|' /C calc'!A0",
        "'@SUM(1+1)",
        "'=1+1",
        "-5",
    ]
    # Corrected and uploaded again, the report's cells read back as what they showed.
    _, *lines = read_rows(tmp_path / "out" / "rejects.csv")
    assert {cells[name] for _, cells in lines} == {EVIL}
    assert [cells[phone] for _, cells in lines] == PHONES


async def test_the_account_export_writes_names_as_text(client, demo):
    token = await login(client, "xn.admin")
    from tests.security.test_accounts import CREATE, org_id

    created = await gql(
        client,
        CREATE,
        {
            "input": {
                "tenant": "441481",
                "username": "xn.evil",
                "organisationId": await org_id("兴宁市第一中学"),
                "roles": ["PURCHASER"],
                "displayName": EVIL,
            }
        },
        token=token,
    )
    assert created["data"]["createUser"]["errors"] == []
    job = (await gql(client, "mutation { exportUsers { job { id } } }", token=token))["data"]
    await drain_jobs()
    response = await client.get(
        f"/jobs/{job['exportUsers']['job']['id']}/result",
        headers={"authorization": f"Bearer {token}"},
    )
    rows = {r[0]: r for r in csv_cells(response.content.decode("utf-8-sig"))}
    assert rows["xn.evil"][1] == "'" + EVIL
    assert rows["xn.admin"][1] == "兴宁市财政局平台管理员"


def test_numbers_are_numbers_and_text_is_text(tmp_path):
    from gpcloud.core.spreadsheet import write_csv, write_xlsx

    row = [
        Decimal("-5.00"),
        -3,
        "-5",
        "-5.5",
        "+1",
        "-x",
        "=1",
        "@a",
        "\rx",
        "\tx",
        "a=b",
        "a\x01b",
    ]
    write_xlsx(tmp_path / "t.xlsx", ["h"] * len(row), [row])
    cells = list(load_workbook(tmp_path / "t.xlsx").active.iter_rows(min_row=2))[0]
    assert [c.value for c in cells[:2]] == [-5, -3] and cells[0].number_format == "0.00"
    assert [c.quotePrefix for c in cells[2:11]] == [False] * 3 + [True] * 5 + [False]
    assert all(c.data_type == "s" for c in cells[2:11])
    assert cells[11].value == "ab"  # a control character XLSX cannot hold is dropped
    write_csv(tmp_path / "t.csv", ["h"] * len(row), [row])
    (line,) = csv_cells((tmp_path / "t.csv").read_bytes().decode("utf-8-sig"))[1:]
    assert line == [
        "-5.00",
        "-3",
        "-5",
        "-5.5",
        "+1",
        "'-x",
        "'=1",
        "'@a",
        "'\rx",
        "'\tx",
        "a=b",
        "a\x01b",
    ]
