"""The `gpcloud` command, run as a real process against the session's deployment."""

import os
import subprocess
import sys
from pathlib import Path

from gpcloud.core.auth.tables import User
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.tables import Tenant

ROOT = Path(__file__).resolve().parents[2]


def gpcloud(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gpcloud", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def test_migrate_is_idempotent():
    result = gpcloud("migrate")
    assert result.returncode == 0, result.stderr
    assert "No migrations need to be run" in result.stdout


async def test_tenants_apply_reports_and_is_idempotent(tmp_path):
    result = gpcloud("tenants", "apply")
    assert result.returncode == 0, result.stderr
    assert "0 created, 0 changed, 30 unchanged" in result.stdout

    folder = tmp_path / "tenants"
    folder.mkdir()
    for path in (ROOT / "tenants").glob("*.toml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    xingning = folder / "441481-xingning.toml"
    xingning.write_text(
        xingning.read_text(encoding="utf-8").replace(
            'name_en = "Xingning"', 'name_en = "Xingning City"'
        ),
        encoding="utf-8",
    )
    dry = gpcloud("tenants", "apply", "--dir", str(folder), "--dry-run")
    assert "would change 441481: name_en: 'Xingning' -> 'Xingning City'" in dry.stdout
    assert (await Tenant.select(Tenant.name_en).where(Tenant.region_code == "441481").first())[
        "name_en"
    ] == "Xingning"
    applied = gpcloud("tenants", "apply", "--dir", str(folder))
    assert "changed 441481" in applied.stdout and "1 changed, 29 unchanged" in applied.stdout
    assert (await Tenant.select(Tenant.name_en).where(Tenant.region_code == "441481").first())[
        "name_en"
    ] == ("Xingning City")


def test_bad_tenant_files_name_file_and_key_and_apply_nothing(tmp_path):
    (tmp_path / "441499-nowhere.toml").write_text(
        '[tenant]\nregion_code = "441499"\nname = "某县"\nlevel = "county"\nparent = "441400"\n',
        encoding="utf-8",
    )
    (tmp_path / "440000-guangdong.toml").write_text(
        '[tenant]\nregion_code = "440000"\nname = "广东省"\nlevel = "province"\ncolour = "red"\n',
        encoding="utf-8",
    )
    result = gpcloud("tenants", "apply", "--dir", str(tmp_path))
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "441499-nowhere.toml: tenant.parent: 441400 is not in any tenant file" in out
    assert "440000-guangdong.toml: tenant.colour: unknown key" in out
    assert "nothing applied" in out


def test_tenants_list_shows_the_tree():
    result = gpcloud("tenants", "list")
    assert result.returncode == 0, result.stderr
    assert "兴宁市 Xingning" in result.stdout and "not_onboarded" in result.stdout


async def test_create_user_for_the_first_provincial_admin():
    result = gpcloud(
        "create-user",
        "gd.ops",
        "--tenant",
        "440000",
        "--role",
        "province_admin",
        "--org",
        "广东省财政厅",
    )
    assert result.returncode == 0, result.stderr
    assert "one-time password:" in result.stdout
    with all_tenants("check the account"):
        row = await User.select(User.must_change_password).where(User.username == "gd.ops").first()
    assert row == {"must_change_password": True}
    again = gpcloud(
        "create-user",
        "gd.ops",
        "--tenant",
        "440000",
        "--role",
        "province_admin",
        "--org",
        "广东省财政厅",
    )
    assert again.returncode == 1 and "DUPLICATE_USERNAME" in again.stdout
    wrong = gpcloud(
        "create-user",
        "sz.ops",
        "--tenant",
        "440300",
        "--role",
        "tenant_admin",
        "--org",
        "深圳市财政局",
    )
    assert wrong.returncode == 1 and "TENANT_NOT_ACTIVE" in wrong.stdout


def test_export_schema_matches_the_committed_file():
    result = gpcloud("export-schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "schema.graphql").read_text(encoding="utf-8")


def test_bad_settings_are_reported_not_raised():
    result = gpcloud("migrate", env={"GPCLOUD_PORT": "eighty"})
    assert result.returncode == 1
    assert "GPCLOUD_PORT must be an integer" in result.stderr


def test_calendar_deadline_starts_today_when_no_start_is_given():
    """Issue 21: `calendar deadline 5wd` failed on '5wd' as a date though START is optional."""
    short = gpcloud("calendar", "deadline", "5wd")
    assert short.returncode == 0, short.stderr
    first, *steps = short.stdout.splitlines()
    assert first.startswith("from ") and first.endswith(" (today)"), first
    today = first.split()[1]
    explicit = gpcloud("calendar", "deadline", today, "5wd")
    assert explicit.returncode == 0, explicit.stderr
    assert explicit.stdout.splitlines()[1:] == steps and steps[-1].startswith("due ")
    worded = gpcloud("calendar", "deadline", "2026-09-28", "5wd")
    assert worded.stdout.splitlines()[-1] == "due 2026-10-10", worded.stdout
    bad = gpcloud("calendar", "deadline", "2026-9-x", "5wd")
    assert bad.returncode == 2 and "'2026-9-x' is not a date: YYYY-MM-DD" in bad.stderr
    assert gpcloud("calendar", "deadline", "--help").stdout.count("[START] PERIOD") == 1


def test_cli_help_lists_what_can_be_given(tmp_path):
    """Issue 21 item 11: the registries, the roles, and descriptions not cut at 45 characters."""
    unknown = gpcloud("import", "supplier", str(ROOT / "README.md"))
    assert unknown.returncode == 1
    assert "did you mean 'suppliers'?" in unknown.stderr and "budget_indicators" in unknown.stderr
    bad = tmp_path / "suppliers.csv"
    bad.write_text("name,colour\nx,red\n", encoding="utf-8")
    header = gpcloud("import", "suppliers", str(bad))
    assert "docs/import-formats/suppliers.md" in header.stderr, header.stderr
    roles = gpcloud("create-user", "--help").stdout
    assert "PROVINCE_ADMIN|TENANT_ADMIN|SUPERVISOR" in roles
    wrong = gpcloud("create-user", "x", "--tenant", "440000", "--role", "admin", "--org", "o")
    assert wrong.returncode == 2 and "'ADMIN' is not one of 'PROVINCE_ADMIN'" in wrong.stderr
    for group in ((), ("calendar",), ("audit",)):
        listing = gpcloud(*group, "--help").stdout.split("Commands:", 1)[1]
        assert "..." not in listing, listing


def test_format_pages_exist_for_every_import():
    from gpcloud.core.imports.runner import format_page, import_specs

    for registry in import_specs():
        assert (ROOT / format_page(registry)).is_file(), registry
