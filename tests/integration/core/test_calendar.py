"""The working-day calendar in the database: seeded years, a provincial admin loading the next
year, provisional deadlines for years not loaded, and rules a tenant tightens."""

from datetime import date

from openpyxl import Workbook

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.calendar import service
from gpcloud.core.errors import DomainError
from gpcloud.core.rules.service import rule_deadline, rule_deadlines
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.core.test_tenant_config import edit
from tests.support import error_codes, gql, login

DEADLINE = """query($start: Date!, $amount: Int!, $unit: PeriodUnit!) {
  deadline(start: $start, amount: $amount, unit: $unit) { due steps provisional } }"""
IMPORT = """mutation($year: Int!, $days: [CalendarDayInput!]!) {
  importCalendarYear(year: $year, days: $days) {
    year { year source } days { day kind name } errors { field code message } } }"""
RULE_DEADLINE = """query($rule: String!, $start: Date!, $tenant: String) {
  ruleDeadline(rule: $rule, start: $start, tenant: $tenant) { due steps } }"""
EFFECTIVE = """query($tenant: String, $on: Date) {
  effectiveRules(tenant: $tenant, on: $on) { value overriddenBy rule { key value source version } } }"""

# Test data only: not the State Council's 2027 arrangement, which this file does not know.
YEAR_2027 = [
    {"day": "2027-01-01", "kind": "HOLIDAY", "name": "New Year's Day"},
    {"day": "2027-01-02", "kind": "HOLIDAY", "name": "New Year's Day"},
    {"day": "2027-01-03", "kind": "HOLIDAY", "name": "New Year's Day"},
    {"day": "2027-01-09", "kind": "WORKDAY", "name": "New Year's Day"},
]


async def test_migrate_seeded_every_year_the_package_covers():
    years = {r["year"]: r["source"] for r in await service.years()}
    assert set(range(2004, 2027)) <= set(years)
    assert years[2026].startswith("chinesecalendar ")
    days = {d.day: d for d in await service.year_days(2026)}
    assert days[date(2026, 10, 1)].kind == "holiday"
    assert days[date(2026, 10, 10)].kind == "workday"
    assert await service.year_days(2027) is None


async def test_deadline_through_graphql_explains_itself(client, demo):
    token = await login(client, "xn.purchaser")
    result = await gql(
        client, DEADLINE, {"start": "2026-09-28", "amount": 5, "unit": "WD"}, token=token
    )
    deadline = result["data"]["deadline"]
    assert deadline["due"] == "2026-10-10"
    assert "National Day: 2026-10-01 to 2026-10-07 not counted" in deadline["steps"]
    anonymous = await gql(client, DEADLINE, {"start": "2026-09-28", "amount": 5, "unit": "WD"})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_a_missing_year_is_provisional_until_a_provincial_admin_loads_it(client, demo):
    token = await login(client, "gd.admin")
    variables = {"start": "2026-12-28", "amount": 5, "unit": "WD"}
    guessed = (await gql(client, DEADLINE, variables, token=token))["data"]["deadline"]
    # 29, 30, 31 Dec; 1 Jan (the regulation's New Year's Day); 4, 5 Jan.
    assert guessed["due"] == "2027-01-05" and guessed["provisional"]
    assert guessed["steps"][-1].startswith("provisional: 2027 not yet published")

    county = await login(client, "xn.admin")
    denied = await gql(client, IMPORT, {"year": 2027, "days": YEAR_2027}, token=county)
    assert error_codes(denied) == ["FORBIDDEN"]

    loaded = (await gql(client, IMPORT, {"year": 2027, "days": YEAR_2027}, token=token))["data"]
    payload = loaded["importCalendarYear"]
    assert payload["errors"] == [] and payload["year"]["source"] == "import: gd.admin"
    assert len(payload["days"]) == 4
    # 29, 30, 31 Dec; 1-3 Jan holiday; 4, 5 Jan.
    due = (await gql(client, DEADLINE, variables, token=token))["data"]["deadline"]
    assert (due["due"], due["provisional"]) == ("2027-01-05", False)
    with all_tenants("test"):
        entry = await AuditEntry.select().where(AuditEntry.action == "calendar.import_year").first()
    assert entry["object_id"] == "2027" and entry["before_digest"] is None


async def test_bad_years_are_refused_whole(client, demo):
    token = await login(client, "gd.admin")
    bad = [
        {"day": "2027-01-01", "kind": "HOLIDAY", "name": "New Year's Day"},
        {"day": "2027-01-01", "kind": "HOLIDAY", "name": "again"},
        {"day": "2027-01-04", "kind": "WORKDAY", "name": "a Monday"},
        {"day": "2028-01-01", "kind": "HOLIDAY", "name": "next year"},
    ]
    payload = (await gql(client, IMPORT, {"year": 2027, "days": bad}, token=token))["data"]
    codes = {e["code"] for e in payload["importCalendarYear"]["errors"]}
    assert codes == {"DUPLICATE_DATE", "NOT_A_WEEKEND", "WRONG_YEAR"}
    empty = (await gql(client, IMPORT, {"year": 2027, "days": []}, token=token))["data"]
    assert [e["code"] for e in empty["importCalendarYear"]["errors"]] == ["EMPTY_YEAR"]
    far = (await gql(client, IMPORT, {"year": 99999, "days": YEAR_2027}, token=token))["data"]
    assert "INVALID_YEAR" in {e["code"] for e in far["importCalendarYear"]["errors"]}
    assert await service.year_days(2027) is None  # nothing half-written


async def test_correcting_a_year_replaces_it_and_is_audited(client, demo):
    token = await login(client, "gd.admin")
    first = await gql(client, IMPORT, {"year": 2027, "days": YEAR_2027}, token=token)
    assert first["data"]["importCalendarYear"]["errors"] == []
    corrected = YEAR_2027[:2]
    second = await gql(client, IMPORT, {"year": 2027, "days": corrected}, token=token)
    assert len(second["data"]["importCalendarYear"]["days"]) == 2
    assert [d.day for d in await service.year_days(2027)] == [date(2027, 1, 1), date(2027, 1, 2)]
    with all_tenants("test"):
        entries = await AuditEntry.select().where(AuditEntry.action == "calendar.import_year")
    assert len(entries) == 2 and entries[1]["before_digest"] == entries[0]["after_digest"]


async def test_year_files_in_csv_gbk_and_xlsx(tmp_path):
    csv_file = tmp_path / "2027.csv"
    csv_file.write_bytes("date,kind,name\n2027-01-01,休,元旦\n2027-01-09,班,元旦\n".encode("gbk"))
    days = service.read_year_file(csv_file)
    assert [(d.day, d.kind, d.name) for d in days] == [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 1, 9), "workday", "元旦"),
    ]
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "kind", "name"])
    sheet.append([date(2027, 1, 1), "holiday", "元旦"])
    book.save(tmp_path / "2027.xlsx")
    assert service.read_year_file(tmp_path / "2027.xlsx")[0].day == date(2027, 1, 1)

    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-13-01,holiday,x\n2027-01-02,maybe,x\n", encoding="utf-8")
    try:
        service.read_year_file(bad)
    except DomainError as exc:
        assert [p.code for p in exc.problems] == ["INVALID_DATE", "INVALID_KIND"]
    else:
        raise AssertionError("a bad file was read")
    (tmp_path / "headers.csv").write_text("day,type\n", encoding="utf-8")
    try:
        service.read_year_file(tmp_path / "headers.csv")
    except DomainError as exc:
        assert exc.code == "BAD_HEADERS"
    else:
        raise AssertionError("a file without the headers was read")


async def test_rule_deadline_uses_the_tenants_stricter_rule(client, demo):
    city = await login(client, "mz.admin")
    tightened = await edit(client, city, "441400", rules__contract_publication=1)
    assert tightened["errors"] == []
    token = await login(client, "xn.purchaser")
    start = {"rule": "contract_publication", "start": "2026-09-29"}
    # The county inherits Meizhou's 1 working day: 30 Sep, not 8 Oct.
    county = (await gql(client, RULE_DEADLINE, start, token=token))["data"]["ruleDeadline"]
    assert county["due"] == "2026-09-30"
    assert "edit:441400@v1 requires 1" in county["steps"][0]
    province = await login(client, "gd.admin")
    law = await gql(client, RULE_DEADLINE, {**start, "tenant": "440000"}, token=province)
    assert law["data"]["ruleDeadline"]["due"] == "2026-10-08"  # 2 wd over National Day
    # The batch (analytics) agrees with the single computation, override and steps included.
    starts = [(date(2026, 9, 29), "441481"), (date(2026, 9, 29), "440000")]
    starts.append((date(2026, 9, 30), "440000"))
    with all_tenants("test: deadlines of several tenants"):
        batch = await rule_deadlines("contract_publication", starts)
        for start, tenant in starts:
            assert batch[(start, tenant)] == await rule_deadline(
                "contract_publication", start, tenant
            )
        assert [batch[s].due for s in starts] == [
            date(2026, 9, 30),
            date(2026, 10, 8),
            date(2026, 10, 9),
        ]
        try:
            await rule_deadlines("no_such_rule", starts)
        except DomainError as exc:
            assert exc.code == "UNKNOWN_RULE"
        else:
            raise AssertionError("an unknown rule gave deadlines")
        assert await rule_deadlines("contract_publication", []) == {}


async def test_tenants_cannot_loosen_a_rule_or_override_a_fixed_one(client, demo):
    province = await login(client, "gd.admin")
    looser = await edit(client, province, "440000", rules__contract_publication=3)
    assert [e["code"] for e in looser["errors"]] == ["CONFIG_INVALID"]
    city = await login(client, "mz.admin")
    assert (await edit(client, city, "441400", rules__intention_lead=40))["errors"] == []
    county = await login(client, "xn.admin")
    below_city = await edit(client, county, "441481", rules__intention_lead=35)
    assert [e["code"] for e in below_city["errors"]] == ["CONFIG_LOOSENS_PARENT"]
    unknown = await edit(client, province, "440000", rules__no_such_rule=1)
    assert unknown["errors"]


async def test_effective_rules_by_date_and_within_the_region(client, demo):
    token = await login(client, "xn.admin")
    rules = await gql(client, EFFECTIVE, {"on": "2021-06-01"}, token=token)
    found = {r["rule"]["key"]: r for r in rules["data"]["effectiveRules"]}
    assert found["sme_price_deduction_max"]["value"] == "10"
    assert found["sme_price_deduction_max"]["rule"]["version"] == "2020.1"
    now = await gql(client, EFFECTIVE, {}, token=token)
    found = {r["rule"]["key"]: r for r in now["data"]["effectiveRules"]}
    assert found["sme_price_deduction_max"]["value"] == "20"
    assert found["intention_lead"]["overriddenBy"] is None
    other = await gql(client, EFFECTIVE, {"tenant": "441400"}, token=token)
    assert error_codes(other) == ["NOT_FOUND"]
