import shutil
from pathlib import Path

import pytest

from gpcloud.core.tenancy.files import TenantFileError, read_tenant_files

SHIPPED = Path(__file__).resolve().parents[2] / "tenants"
MEIZHOU_COUNTIES = {"441402", "441403", "441422", "441423", "441424", "441426", "441427", "441481"}
BASE = ["440000-guangdong.toml", "441400-meizhou.toml", "441481-xingning.toml"]


def tenant(**keys) -> str:
    """A [tenant] table; keys set to None are left out, ints are written unquoted."""
    lines = (
        f"{k} = {v}" if isinstance(v, int) else f'{k} = "{v}"'
        for k, v in keys.items()
        if v is not None
    )
    return "[tenant]\n" + "\n".join(lines) + "\n"


COUNTY = {"region_code": "441402", "name": "梅江区", "level": "county", "parent": "441400"}


@pytest.fixture
def folder(tmp_path):
    for name in BASE:
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def problems_for(folder: Path, files: dict[str, str | bytes]) -> list[str]:
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    with pytest.raises(TenantFileError) as info:
        read_tenant_files(folder)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def test_shipped_tenants():
    tenants = read_tenant_files(SHIPPED)
    assert len(tenants) == 30
    assert tenants["440000"]["level"] == "province" and tenants["440000"]["parent"] is None
    cities = {c for c, v in tenants.items() if v["level"] == "city"}
    assert len(cities) == 21
    assert all(tenants[c]["parent"] == "440000" for c in cities)
    assert tenants["440300"]["name_en"] == "Shenzhen"
    assert tenants["440300"]["status"] == "not_onboarded"
    assert all(v["status"] == "active" for c, v in tenants.items() if c != "440300")
    counties = {c for c, v in tenants.items() if v["level"] == "county"}
    assert counties == MEIZHOU_COUNTIES
    assert all(tenants[c]["parent"] == "441400" for c in counties)
    assert tenants["441481"]["name"] == "兴宁市"


def test_base_folder_is_valid(folder):
    assert set(read_tenant_files(folder)) == {"440000", "441400", "441481"}


BROKEN = {
    "malformed toml": ("441402-meijiang.toml", "[tenant\nregion_code = ", "not valid TOML"),
    "unknown section": (
        "441402-meijiang.toml",
        tenant(**COUNTY) + "[extra]\nx = 1\n",
        "extra: unknown section",
    ),
    "unknown key": (
        "441402-meijiang.toml",
        tenant(**COUNTY, colour="red"),
        "tenant.colour: unknown key",
    ),
    "no tenant table": ("441402-meijiang.toml", 'name = "x"\n', "tenant: missing [tenant] table"),
    "missing region_code": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "region_code": None}),
        "tenant.region_code: missing",
    ),
    "missing name": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "name": None}),
        "tenant.name: missing",
    ),
    "missing level": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "level": None}),
        "tenant.level: missing",
    ),
    "level not a string": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "level": 3}),
        "tenant.level: must be a string",
    ),
    "code not a string": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "region_code": 441402}),
        "tenant.region_code: must be a string",
    ),
    "code not six digits": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "region_code": "44140"}),
        "tenant.region_code: must be six digits",
    ),
    "code with a letter": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "region_code": "44140a"}),
        "tenant.region_code: must be six digits",
    ),
    "code not the file prefix": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "region_code": "441403"}),
        "tenant.region_code: 441403 does not match",
    ),
    "no slug": ("441402.toml", tenant(**COUNTY), "file name must be"),
    "upper-case slug": ("441402-Meijiang.toml", tenant(**COUNTY), "file name must be"),
    "no code in name": ("meijiang.toml", tenant(**COUNTY), "file name must be"),
    "empty name": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "name": "  "}),
        "tenant.name: must not be empty",
    ),
    "invalid level": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "level": "town"}),
        "tenant.level: must be one of",
    ),
    "invalid status": (
        "441402-meijiang.toml",
        tenant(**COUNTY, status="closed"),
        "tenant.status: must be one of",
    ),
    "parent in no file": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "parent": "441300"}),
        "tenant.parent: 441300 is not in any tenant file",
    ),
    "parent is a county": (
        "441402-meijiang.toml",
        tenant(**{**COUNTY, "parent": "441481"}),
        "tenant.parent: 441481 is a county",
    ),
    "province with parent": (
        "450000-guangxi.toml",
        tenant(region_code="450000", name="广西", level="province", parent="440000"),
        "tenant.parent: a province has no parent",
    ),
    "city without parent": (
        "440100-guangzhou.toml",
        tenant(region_code="440100", name="广州市", level="city"),
        "tenant.parent: required for a city",
    ),
    "not utf-8": ("441402-meijiang.toml", tenant(**COUNTY).encode("gbk"), "not UTF-8"),
}


@pytest.mark.parametrize("file_name, content, expected", BROKEN.values(), ids=BROKEN.keys())
def test_broken_file_is_reported_by_file_and_key(folder, file_name, content, expected):
    problems = problems_for(folder, {file_name: content})
    assert any(p.startswith(f"{file_name}: ") and expected in p for p in problems), problems


def test_duplicate_region_code(folder):
    problems = problems_for(folder, {"441481-xingning-copy.toml": (SHIPPED / BASE[2]).read_text()})
    assert len(problems) == 1
    assert "tenant.region_code: 441481 is also in" in problems[0]
    assert "441481-xingning-copy.toml" in problems[0] and "441481-xingning.toml" in problems[0]


def test_empty_folder(tmp_path):
    (tmp_path / "README.md").write_text("not a tenant")
    with pytest.raises(TenantFileError) as info:
        read_tenant_files(tmp_path)
    assert info.value.problems == [f"{tmp_path}: no tenant files (*.toml)"]


def test_every_problem_in_every_file_is_reported(folder):
    problems = problems_for(
        folder,
        {
            "441402-meijiang.toml": tenant(**{**COUNTY, "name": None}, colour="red"),
            "441403-meixian.toml": tenant(
                region_code="441403", name="梅县区", level="county", parent="449999"
            ),
            "441422.toml": tenant(**COUNTY),
            "441423-fengshun.toml": "[tenant\n",
        },
    )
    expected = [
        ("441402-meijiang.toml", "tenant.name: missing"),
        ("441402-meijiang.toml", "tenant.colour: unknown key"),
        ("441403-meixian.toml", "tenant.parent: 449999"),
        ("441422.toml", "file name must be"),
        ("441423-fengshun.toml", "not valid TOML"),
    ]
    for file_name, text in expected:
        assert any(p.startswith(f"{file_name}: ") and text in p for p in problems), (
            file_name,
            problems,
        )
    assert len(problems) == len(expected)


def test_region_code_must_be_ascii_digits(folder):
    code = "４４１４８２"
    (folder / f"{code}-x.toml").write_text(
        tenant(region_code=code, name="x", level="county", parent="441400")
    )
    with pytest.raises(TenantFileError, match="region_code"):
        read_tenant_files(folder)
