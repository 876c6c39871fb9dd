"""The closed loop as one GraphQL session: budget indicator -> intention -> plan -> project ->
contract -> acceptance -> payment, for 兴宁市第一中学 in Xingning (441481), on the 2026 calendar.

    uv run python docs/closed_loop.py           # run it and print the session
    uv run python docs/closed_loop.py --write   # run it and rewrite docs/closed-loop.md

It runs on a throwaway deployment of its own (SQLite and embedded Redis in a temporary folder)
with the demo data, talking to the real app through its ASGI interface. Each step runs on the
day it names (`today()` pinned with clock.on_day), so the weeks a procurement takes pass in
seconds; every deadline is checked against the dates the rules and the calendar give. The test
suite runs the same walk on SQLite and PostgreSQL (tests/e2e/test_closed_loop.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSWORD = "Gpcloud#2021"


@dataclass
class Session:
    """Calls the API as demo users on given days and keeps the transcript."""

    client: object
    drain_jobs: object
    tokens: dict[str, str] = field(default_factory=dict)
    transcript: list[dict] = field(default_factory=list)

    async def _token(self, username: str) -> str:
        if username not in self.tokens:
            body = await self._post(
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
                "{ token errors { code } } }",
                {"u": username, "p": PASSWORD},
                None,
            )
            self.tokens[username] = body["data"]["login"]["token"]
        return self.tokens[username]

    async def _post(self, query: str, variables: dict | None, token: str | None, files=None):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        if files is None:
            response = await self.client.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
        else:
            operations = {"query": query, "variables": {**(variables or {}), "file": None}}
            response = await self.client.post(
                "/graphql",
                data={
                    "operations": json.dumps(operations),
                    "map": json.dumps({"0": ["variables.file"]}),
                },
                files={"0": files},
                headers=headers,
            )
        return response.json()

    async def step(
        self, day: date, user: str, title: str, query: str, variables=None, files=None
    ) -> dict:
        from gpcloud.core.clock import on_day

        with on_day(day):
            body = await self._post(query, variables, await self._token(user), files)
        self.transcript.append(
            {
                "day": day,
                "user": user,
                "title": title,
                "query": query.strip(),
                "variables": variables,
                "response": body,
            }
        )
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def jobs(self, day: date) -> None:
        from gpcloud.core.clock import on_day

        with on_day(day):
            await self.drain_jobs()


def ok(payload: dict) -> dict:
    assert payload["errors"] == [], payload["errors"]
    return payload


def refused(payload: dict, code: str) -> None:
    assert [e["code"] for e in payload["errors"]] == [code], payload["errors"]


INDICATORS = (
    "code,budget_unit_code,fiscal_year,name,amount,funding_source\n"
    "ZB2026-441481-0001,441481311,2026,教学设备购置,5000000.00,一般公共预算\n"
)


async def walk(s: Session) -> dict:
    """Every step of one procurement; returns what the checks need."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    d = date
    # 1. Budget: digital_finance's indicator file, imported by the county's admin.
    started = await s.step(
        d(2026, 8, 31),
        "xn.admin",
        "Import the budget indicator file from digital_finance",
        'mutation($file: Upload!) { startImport(registry: "budget_indicators", file: $file) '
        "{ job { id status } errors { code message } } }",
        files=("indicators.csv", INDICATORS.encode(), "text/csv"),
    )
    await s.jobs(d(2026, 8, 31))
    job = await s.step(
        d(2026, 8, 31),
        "xn.admin",
        "The import job's result",
        "query($id: ID!) { job(id: $id) { status counts } }",
        {"id": ok(started["startImport"])["job"]["id"]},
    )
    assert job["job"]["counts"] == {"rows": 1, "created": 1}
    lines = await s.step(
        d(2026, 8, 31),
        "xn.purchaser",
        "The school sees its budget line",
        "{ budgetIndicators { edges { node { id code amount balance } } } }",
    )
    indicator = lines["budgetIndicators"]["edges"][0]["node"]
    assert indicator["balance"] == "5000000.00"

    # 2. Intention, published at least 30 days before the procurement starts.
    created = await s.step(
        d(2026, 9, 1),
        "xn.purchaser",
        "Draft the procurement intention",
        "mutation($input: IntentionInput!) { createProcurementIntention(input: $input) "
        "{ intention { id status } errors { code message } } }",
        {
            "input": {
                "projectName": "兴宁市第一中学多媒体教室设备采购",
                "requirementSummary": "多媒体教室交互式显示设备及配套音响 40 套",
                "budget": "4500000.00",
                "objectType": "GOODS",
                "expectedStart": "2026-10-12",
            }
        },
    )
    intention = ok(created["createProcurementIntention"])["intention"]["id"]
    published = await s.step(
        d(2026, 9, 1),
        "xn.purchaser",
        "Publish it: the earliest start is computed and explained",
        "mutation($id: ID!) { publishProcurementIntention(id: $id) "
        "{ intention { status earliestStart deadlineSteps } errors { code message } } }",
        {"id": intention},
    )
    assert (
        ok(published["publishProcurementIntention"])["intention"]["earliestStart"] == "2026-10-08"
    )

    # 3. Plan against the indicator: reserves the amount; filed by the county's supervisor.
    created = await s.step(
        d(2026, 9, 2),
        "xn.purchaser",
        "Declare the plan (open tender: at or above 4,000,000)",
        "mutation($input: PlanInput!) { createProcurementPlan(input: $input) "
        "{ plan { id status amount } errors { code message } } }",
        {
            "input": {
                "title": "多媒体教室设备采购",
                "objectType": "GOODS",
                "method": "OPEN_TENDER",
                "intentionId": intention,
                "lines": [{"indicatorId": indicator["id"], "amount": "4500000.00"}],
            }
        },
    )
    plan = ok(created["createProcurementPlan"])["plan"]["id"]
    submitted = await s.step(
        d(2026, 9, 2),
        "xn.purchaser",
        "Submit it: the indicator reserves 4,500,000.00",
        "mutation($id: ID!) { submitProcurementPlan(id: $id) "
        "{ plan { status } errors { code message } } }",
        {"id": plan},
    )
    assert ok(submitted["submitProcurementPlan"])["plan"]["status"] == "SUBMITTED"
    filed = await s.step(
        d(2026, 9, 3),
        "xn.supervisor",
        "The supervisor files (备案) the plan",
        "mutation($id: ID!) { fileProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    assert ok(filed["fileProcurementPlan"])["plan"]["status"] == "FILED"

    # 4. Entrustment and the simplified flow's announcements.
    agencies = await s.step(
        d(2026, 9, 4),
        "xn.purchaser",
        "Find an approved agency working in Xingning",
        '{ agencies(filter: {worksIn: "441481"}) { edges { node { id name } } } }',
    )
    agency = next(
        e["node"]["id"]
        for e in agencies["agencies"]["edges"]
        if e["node"]["name"] == "梅州嘉应招标代理有限公司"
    )
    entrusted = await s.step(
        d(2026, 9, 4),
        "xn.purchaser",
        "Entrust the filed plan to it",
        "mutation($plan: ID!, $agency: ID!) { entrustProcurementPlan(planId: $plan, agencyId: $agency) "
        "{ project { id status } errors { code message } } }",
        {"plan": plan, "agency": agency},
    )
    project = ok(entrusted["entrustProcurementPlan"])["project"]["id"]
    tender = (
        "mutation($id: ID!, $deadline: Date!) { publishTenderAnnouncement(projectId: $id, "
        'title: "兴宁市第一中学多媒体教室设备采购项目招标公告", body: "详见招标文件。", '
        "bidDeadline: $deadline) { project { status bidDeadline announcements { kind periodEnd "
        "steps } } errors { code message } } }"
    )
    early = await s.step(
        d(2026, 9, 30),
        "mz.agency",
        "Too early: the intention allows a start on 8 Oct",
        tender,
        {"id": project, "deadline": "2026-10-28"},
    )
    refused(early["publishTenderAnnouncement"], "INTENTION_LEAD_NOT_MET")
    short = await s.step(
        d(2026, 10, 8),
        "mz.agency",
        "A bid deadline 19 days out is refused (20 d)",
        tender,
        {"id": project, "deadline": "2026-10-27"},
    )
    refused(short["publishTenderAnnouncement"], "PERIOD_TOO_SHORT")
    published = await s.step(
        d(2026, 10, 8),
        "mz.agency",
        "Published with the deadline on 28 Oct",
        tender,
        {"id": project, "deadline": "2026-10-28"},
    )
    announcement = ok(published["publishTenderAnnouncement"])["project"]["announcements"][0]
    assert announcement["periodEnd"] == "2026-10-14"  # 5 wd, Saturday 10 Oct worked
    correction = (
        "mutation($id: ID!, $deadline: Date) { publishCorrectionAnnouncement(projectId: $id, "
        'title: "更正公告", body: "技术参数第3项更正。", affectsBids: true, '
        "newBidDeadline: $deadline) { project { bidDeadline } errors { code message } } }"
    )
    late = await s.step(
        d(2026, 10, 16),
        "mz.agency",
        "A correction affecting bids 12 days before the deadline",
        correction,
        {"id": project, "deadline": None},
    )
    refused(late["publishCorrectionAnnouncement"], "CORRECTION_TOO_LATE")
    moved = await s.step(
        d(2026, 10, 16),
        "mz.agency",
        "... so the deadline moves to 2 Nov (15 d, off a Saturday)",
        correction,
        {"id": project, "deadline": "2026-11-02"},
    )
    assert ok(moved["publishCorrectionAnnouncement"])["project"]["bidDeadline"] == "2026-11-02"
    supplier = await s.step(
        d(2026, 11, 2),
        "xn.supplier",
        "The winning supplier's registration",
        "{ mySupplier { organisationId uscc name } }",
    )
    winner = supplier["mySupplier"]
    result = await s.step(
        d(2026, 11, 2),
        "mz.agency",
        "Publish the result: the winner and the amount",
        "mutation($id: ID!, $uscc: String!) { publishResultAnnouncement(projectId: $id, "
        'title: "中标结果公告", body: "评标委员会推荐，采购人确认。", '
        'awards: [{supplierUscc: $uscc, amount: "4380000.00"}]) '
        "{ project { status awards { supplierName amount } } errors { code message } } }",
        {"id": project, "uscc": winner["uscc"]},
    )
    assert ok(result["publishResultAnnouncement"])["project"]["status"] == "AWARDED"

    # 5. The contract, signed online by both parties with their own keys.
    created = await s.step(
        d(2026, 11, 5),
        "xn.purchaser",
        "Draft the contract (sign by 2 Dec: 30 d)",
        "mutation($project: ID!, $supplier: ID!) { createContract(projectId: $project, "
        'supplierId: $supplier, input: {title: "多媒体教室设备采购合同", '
        'terms: "交付期：合同签订后30日内；验收合格后支付。", amount: "4380000.00"}) '
        "{ contract { id digest signDue status } errors { code message } } }",
        {"project": project, "supplier": winner["organisationId"]},
    )
    contract = ok(created["createContract"])["contract"]
    assert contract["signDue"] == "2026-12-02"
    keys = {}
    for user in ("xn.purchaser", "xn.supplier"):
        keys[user] = Ed25519PrivateKey.generate()
        public = keys[user].public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        registered = await s.step(
            d(2026, 11, 9),
            user,
            "Register the organisation's public key (Ed25519)",
            "mutation($key: String!) { registerSigningKey(publicKey: $key) "
            "{ key { id status } errors { code message } } }",
            {"key": public},
        )
        ok(registered["registerSigningKey"])
    message = b"gpcloud-contract-v1:" + contract["digest"].encode()
    for user in ("xn.purchaser", "xn.supplier"):
        signed = await s.step(
            d(2026, 11, 10),
            user,
            "Sign b'gpcloud-contract-v1:' + digest, client-side",
            "mutation($id: ID!, $sig: String!) { signContract(id: $id, signature: $sig) "
            "{ contract { status signedOn publicationDue } errors { code message } } }",
            {"id": contract["id"], "sig": keys[user].sign(message).hex()},
        )
    signed = ok(signed["signContract"])["contract"]
    assert (signed["status"], signed["publicationDue"]) == ("SIGNED", "2026-11-12")  # 2 wd
    published = await s.step(
        d(2026, 11, 12),
        "xn.purchaser",
        "Publish the contract on its last day",
        "mutation($id: ID!) { publishContract(id: $id) { contract { status publishedOn } "
        "errors { code } } }",
        {"id": contract["id"]},
    )
    ok(published["publishContract"])
    filed = await s.step(
        d(2026, 11, 13),
        "xn.supervisor",
        "The supervisor files the contract",
        "mutation($id: ID!) { fileContract(id: $id) { contract { status } errors { code } } }",
        {"id": contract["id"]},
    )
    assert ok(filed["fileContract"])["contract"]["status"] == "FILED"

    # 6. Acceptance and payment.
    pay = (
        "mutation($id: ID!, $line: ID!, $amount: Decimal!) { requestPayment(contractId: $id, "
        "indicatorId: $line, amount: $amount, final: true) { payment { id status amount } "
        "errors { code message } } }"
    )
    early = await s.step(
        d(2026, 11, 16),
        "xn.purchaser",
        "The final payment before acceptance is refused",
        pay,
        {"id": contract["id"], "line": indicator["id"], "amount": "4380000.00"},
    )
    refused(early["requestPayment"], "NOT_ACCEPTED")
    accepted = await s.step(
        d(2026, 11, 20),
        "xn.purchaser",
        "Publish the final acceptance report",
        'mutation($id: ID!) { publishAcceptanceReport(contractId: $id, input: {kind: "final", '
        'title: "多媒体教室设备履约验收报告", findings: "40 套设备到货安装调试完毕，功能符合合同。", '
        'passed: true, acceptedOn: "2026-11-20"}) { report { kind passed } errors { code } } }',
        {"id": contract["id"]},
    )
    ok(accepted["publishAcceptanceReport"])
    over = await s.step(
        d(2026, 11, 23),
        "xn.purchaser",
        "More than the contract is refused",
        pay,
        {"id": contract["id"], "line": indicator["id"], "amount": "4380000.01"},
    )
    refused(over["requestPayment"], "OVER_CONTRACT")
    paid = await s.step(
        d(2026, 11, 23),
        "xn.purchaser",
        "The final payment",
        pay,
        {"id": contract["id"], "line": indicator["id"], "amount": "4380000.00"},
    )
    ok(paid["requestPayment"])
    exchange = await s.step(
        d(2026, 11, 24),
        "xn.admin",
        "Send requested payments to digital_finance (file mode)",
        "mutation { exchangePayments { job { id } errors { code } } }",
    )
    await s.jobs(d(2026, 11, 24))
    job = await s.step(
        d(2026, 11, 24),
        "xn.admin",
        "The payment file is ready",
        "query($id: ID!) { job(id: $id) { status counts files { name } } }",
        {"id": ok(exchange["exchangePayments"])["job"]["id"]},
    )
    assert job["job"]["counts"] == {"exported": 1}

    # 7. What anyone can check afterwards.
    final = await s.step(
        d(2026, 11, 25),
        "xn.supervisor",
        "The contract's signatures still verify",
        "query($id: ID!) { contract(id: $id) { status verification { valid digestMatches "
        "signatures { signer valid } } payments { amount status } acceptanceReports { kind } } }",
        {"id": contract["id"]},
    )
    assert final["contract"]["verification"]["valid"]
    line = await s.step(
        d(2026, 11, 25),
        "xn.purchaser",
        "The budget line: paid, and what the plan still holds",
        "query($id: ID!) { budgetIndicator(id: $id) { amount reserved paid balance } }",
        {"id": indicator["id"]},
    )
    assert line["budgetIndicator"] == {
        "amount": "5000000.00",
        "reserved": "120000.00",
        "paid": "4380000.00",
        "balance": "500000.00",
    }
    return {"contract": contract["id"], "indicator": indicator["id"]}


def markdown(transcript: list[dict]) -> str:
    out = [
        "# The closed loop as a GraphQL session",
        "",
        "Generated by `uv run python docs/closed_loop.py --write` (see its docstring): every",
        "request as sent by the demo user on the day shown, and the response the API gave.",
        "",
    ]
    for n, entry in enumerate(transcript, 1):
        out += [
            f"## {n}. {entry['day']} · {entry['user']}: {entry['title']}",
            "",
            "```graphql",
            entry["query"],
            "```",
        ]
        if entry["variables"]:
            out += [
                "",
                "```json",
                json.dumps(entry["variables"], ensure_ascii=False, indent=2),
                "```",
            ]
        out += [
            "",
            "```json",
            json.dumps(entry["response"], ensure_ascii=False, indent=2),
            "```",
            "",
        ]
    return "\n".join(out)


async def run_standalone() -> Session:
    import httpx

    from gpcloud.app import create_app
    from gpcloud.core import redis as redis_module
    from gpcloud.core.db import close_pool, open_pool
    from gpcloud.core.migrations import migrate
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.demo import seed_demo
    from gpcloud.settings import get_settings
    from gpcloud.worker import drain

    settings = get_settings()
    await migrate()
    await open_pool(settings.db_pool_min, settings.db_pool_max)
    try:
        with all_tenants("closed-loop walk: set up the demo"):
            await apply_tenant_files(settings.tenants_dir)
        await seed_demo()

        transport = httpx.ASGITransport(app=create_app(run_worker=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://gpcloud.local") as http:
            session = Session(http, drain)
            await walk(session)
        return session
    finally:
        await close_pool()
        redis_module.stop_embedded()


def main() -> None:
    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-walk-")
    os.environ.pop("GPCLOUD_DB", None)
    os.environ.pop("GPCLOUD_REDIS", None)
    os.environ.setdefault("GPCLOUD_TENANTS_DIR", str(HERE.parent / "tenants"))
    import logging

    logging.disable(logging.INFO)
    session = asyncio.run(run_standalone())
    text = markdown(session.transcript)
    if "--write" in sys.argv:
        (HERE / "closed-loop.md").write_text(text + "\n", encoding="utf-8")
        print(f"wrote docs/closed-loop.md ({len(session.transcript)} steps)")
    else:
        print(text)


if __name__ == "__main__":
    main()
