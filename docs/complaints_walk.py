"""A challenge and a complaint as one GraphQL session, after the open tender of docs/e_tender.py
(sealed bids, opened on 12 Oct 2026): the result is published; a losing bidder of Guangzhou
challenges it; the contract cannot be signed (CHALLENGE_PENDING); the agency's answer period
ends unanswered (the scheduler marks it missed: overdue shown) and the agency answers late; the
bidder complains to the Xingning finance department, which accepts it and suspends the
procurement (PROCUREMENT_SUSPENDED: the contract still cannot be signed), sends the copy, hears
the agency, pauses the decision period for an expert review, and decides to redo the
evaluation; the decision is public and carried out with it: the project goes back to `redo`, the
draft contract is void, and the agency publishes the re-evaluated result. The contract step is
blocked throughout.

    uv run python docs/complaints_walk.py           # run it and print the session
    uv run python docs/complaints_walk.py --write   # run it and rewrite docs/complaints-walk.md
    uv run python docs/complaints_walk.py --postgres postgresql://u:p@host:5432/postgres
        # the same on PostgreSQL: in a scratch database created on that server, dropped after

It runs like docs/e_tender.py (whose walk it runs first), with the platform's clock set to each
step's instant. tests/e2e/test_complaints_walk.py runs the same walk.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from closed_loop import markdown, ok, refused  # noqa: E402
from e_tender import Session, at, extra_suppliers  # noqa: E402
from e_tender import walk as tender_walk  # noqa: E402

SIGN = (
    "mutation($id: ID!, $sig: String!) { signContract(id: $id, signature: $sig) "
    "{ contract { status } errors { code message } } }"
)
CHALLENGE = (
    "query($id: ID!) { challenge(id: $id) { status overdue answerDue answeredLate "
    "complaintUntil clocks { name dueOn status } } }"
)


async def walk(s: Session) -> dict:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    project = (await tender_walk(s))["project"]

    # 1. The result, and the contract drafted with both parties' keys.
    winner = (
        await s.step(
            at("2026-10-16T09:00:00"),
            "xn.supplier",
            "The winner's registration",
            "{ mySupplier { organisationId uscc } }",
        )
    )["mySupplier"]
    result = await s.step(
        at("2026-10-16T10:00:00"),
        "mz.agency",
        "Publish the result (notice period 1 wd: to 19 Oct)",
        "mutation($id: ID!, $uscc: String!) { publishResultAnnouncement(projectId: $id, "
        'title: "中标结果公告", body: "评标委员会推荐，采购人确认。", '
        'awards: [{supplierUscc: $uscc, amount: "4380000.00"}]) '
        "{ project { status } errors { code message } } }",
        {"id": project, "uscc": winner["uscc"]},
    )
    assert ok(result["publishResultAnnouncement"])["project"]["status"] == "AWARDED"
    created = await s.step(
        at("2026-10-19T09:00:00"),
        "xn.purchaser",
        "Draft the contract",
        "mutation($project: ID!, $supplier: ID!) { createContract(projectId: $project, "
        'supplierId: $supplier, input: {title: "多媒体教室设备采购合同", '
        'terms: "交付期：合同签订后30日内；验收合格后支付。", amount: "4380000.00"}) '
        "{ contract { id digest status } errors { code message } } }",
        {"project": project, "supplier": winner["organisationId"]},
    )
    contract = ok(created["createContract"])["contract"]
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    ok(
        (
            await s.step(
                at("2026-10-19T09:10:00"),
                "xn.purchaser",
                "Register the purchaser's signing key",
                "mutation($key: String!) { registerSigningKey(publicKey: $key) "
                "{ key { id } errors { code message } } }",
                {"key": public},
            )
        )["registerSigningKey"]
    )
    signature = key.sign(b"gpcloud-contract-v1:" + contract["digest"].encode()).hex()

    # 2. A losing bidder challenges the result; the contract waits.
    filed = await s.step(
        at("2026-10-20T09:00:00"),
        "gz.supplier",
        "Challenge the result (should have known: 19 Oct, end of its notice period)",
        "mutation($id: ID!) { fileChallenge(projectId: $id, target: RESULT, items: ["
        '{claim: "中标人技术分计算有误", facts: "评分表第3项重复计分", request: "重新评审"}]) '
        "{ challenge { id knownOn windowEnd answerDue complaintUntil } errors { code } } }",
        {"id": project},
    )
    challenge = ok(filed["fileChallenge"])["challenge"]
    assert (challenge["knownOn"], challenge["windowEnd"]) == ("2026-10-19", "2026-10-28")
    assert challenge["answerDue"] == "2026-10-29"
    blocked = await s.step(
        at("2026-10-21T09:00:00"),
        "xn.purchaser",
        "Sign the contract: refused while the challenge is unanswered (art. 54)",
        SIGN,
        {"id": contract["id"], "sig": signature},
    )
    refused(blocked["signContract"], "CHALLENGE_PENDING")
    await s.scheduler(at("2026-10-30T00:00:01"), "The answer period ended on 29 Oct")
    overdue = (
        await s.step(
            at("2026-10-30T09:00:00"),
            "xn.supervisor",
            "The department sees the challenge overdue",
            CHALLENGE,
            {"id": challenge["id"]},
        )
    )["challenge"]
    assert overdue["overdue"] is True
    assert ("answer", "MISSED") in {(c["name"], c["status"]) for c in overdue["clocks"]}
    answered = await s.step(
        at("2026-11-02T09:00:00"),
        "mz.agency",
        "The agency answers, late, to every bidder",
        'mutation($id: ID!) { answerChallenge(id: $id, text: "经复核，评分无误。") '
        "{ challenge { status answeredLate } errors { code } } }",
        {"id": challenge["id"]},
    )
    assert ok(answered["answerChallenge"])["challenge"]["answeredLate"] is True

    # 3. The complaint: accepted, the procurement suspended, decided.
    complained = await s.step(
        at("2026-11-02T14:00:00"),
        "gz.supplier",
        "Complain to the finance department on the challenged item",
        "mutation($id: ID!) { fileComplaint(challengeId: $id, items: [{item: 0, "
        'request: "责令重新评审"}]) { complaint { id departmentRegion reviewDue decisionDue '
        "status } errors { code } } }",
        {"id": challenge["id"]},
    )
    complaint = ok(complained["fileComplaint"])["complaint"]
    assert complaint["departmentRegion"] == "441481"
    cid = {"id": complaint["id"]}
    handle = "mutation($id: ID!) {{ {0}(id: $id{1}) {{ complaint {{ status decisionDue pausedDays }} errors {{ code }} }} }}"
    ok(
        (
            await s.step(
                at("2026-11-03T09:00:00"),
                "xn.supervisor",
                "Accept it (受理)",
                handle.format("acceptComplaint", ""),
                cid,
            )
        )["acceptComplaint"]
    )
    suspended = await s.step(
        at("2026-11-03T09:10:00"),
        "xn.supervisor",
        "Suspend the procurement for 30 days (Law art. 57)",
        "mutation($id: ID!) { suspendProcurement(complaintId: $id, days: 30, "
        'reason: "投诉处理期间暂停采购活动") { suspension { id startsOn endsOn status } '
        "errors { code } } }",
        cid,
    )
    assert ok(suspended["suspendProcurement"])["suspension"]["endsOn"] == "2026-12-02"
    blocked = await s.step(
        at("2026-11-03T10:00:00"),
        "xn.purchaser",
        "Sign the contract: refused while suspended",
        SIGN,
        {"id": contract["id"], "sig": signature},
    )
    refused(blocked["signContract"], "PROCUREMENT_SUSPENDED")
    ok(
        (
            await s.step(
                at("2026-11-04T09:00:00"),
                "xn.supervisor",
                "Send the copy to the respondents",
                handle.format("serveComplaint", ""),
                cid,
            )
        )["serveComplaint"]
    )
    ok(
        (
            await s.step(
                at("2026-11-06T09:00:00"),
                "mz.agency",
                "The agency answers the complaint",
                handle.format("respondToComplaint", ', statement: "评审程序合规，附评分表。"'),
                cid,
            )
        )["respondToComplaint"]
    )
    ok(
        (
            await s.step(
                at("2026-11-09T09:00:00"),
                "xn.supervisor",
                "Pause for an expert review (not counted)",
                handle.format("pauseComplaint", ', reason: "组织专家复核评分"'),
                cid,
            )
        )["pauseComplaint"]
    )
    resumed = await s.step(
        at("2026-11-13T09:00:00"),
        "xn.supervisor",
        "Resume: the decision period runs on",
        handle.format("resumeComplaint", ""),
        cid,
    )
    resumed = ok(resumed["resumeComplaint"])["complaint"]
    assert resumed["pausedDays"] == 4  # 10, 11, 12, 13 Nov
    decided = await s.step(
        at("2026-11-20T09:00:00"),
        "xn.supervisor",
        "Decide: upheld, redo the evaluation; published",
        "mutation($id: ID!) { decideComplaint(id: $id, input: {outcome: UPHELD, "
        'reasons: "评分表第3项重复计分，影响中标结果。", document: "兴财采决〔2026〕1号", '
        "remedy: REDO_STEP, step: EVALUATION}) { decision { outcome remedy step "
        "carriedOut { object objectId before after } } errors { code } } }",
        cid,
    )
    moved = ok(decided["decideComplaint"])["decision"]["carriedOut"]
    assert [(m["object"], m["before"], m["after"]) for m in moved] == [
        ("project", "awarded", "redo"),
        ("contract", "draft", "void"),
    ]
    redo = await s.step(
        at("2026-11-20T09:30:00"),
        "mz.agency",
        "The remedy is carried out: the project is back to redo, the draft contract void",
        "query($id: ID!) { project(id: $id) { status } }",
        {"id": project},
    )
    assert redo["project"]["status"] == "REDO"
    gone = await s.step(
        at("2026-11-20T09:40:00"),
        "xn.purchaser",
        "Sign the void contract: refused",
        SIGN,
        {"id": contract["id"], "sig": signature},
    )
    assert gone["signContract"]["errors"]
    again = await s.step(
        at("2026-11-27T10:00:00"),
        "mz.agency",
        "Re-evaluated: the new result is published (redo -> awarded)",
        "mutation($id: ID!, $uscc: String!) { publishResultAnnouncement(projectId: $id, "
        'title: "中标结果公告（重新评审）", body: "依投诉处理决定重新评审。", '
        'awards: [{supplierUscc: $uscc, amount: "4380000.00"}]) '
        "{ project { status } errors { code message } } }",
        {"id": project, "uscc": winner["uscc"]},
    )
    assert ok(again["publishResultAnnouncement"])["project"]["status"] == "AWARDED"
    public = await s.step(
        at("2026-11-20T10:00:00"),
        "xn.supplier",
        "Anyone reads the decision",
        "{ complaintDecisions { edges { node { outcome remedy step document } } } "
        "suspensions { edges { node { status } } } }",
    )
    assert len(public["complaintDecisions"]["edges"]) == 1
    return {"project": project, "complaint": complaint["id"]}


async def run_standalone() -> Session:
    import httpx
    import time_machine

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
        with all_tenants("complaints walk: set up the demo"):
            await apply_tenant_files(settings.tenants_dir)
        await seed_demo()
        await extra_suppliers()
        transport = httpx.ASGITransport(app=create_app(run_worker=False))
        with time_machine.travel(at("2026-09-01T08:00:00"), tick=False) as traveller:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gpcloud.local"
            ) as http:
                session = Session(http, traveller, drain)
                await walk(session)
        return session
    finally:
        await close_pool()
        redis_module.stop_embedded()


def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def main() -> None:
    from urllib.parse import urlsplit, urlunsplit

    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-complaints-")
    os.environ.pop("GPCLOUD_DB", None)
    os.environ.pop("GPCLOUD_REDIS", None)
    admin = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
    scratch = f"gpcloud_walk_{os.getpid()}"
    if admin:
        _pg_admin(admin, f'CREATE DATABASE "{scratch}"')
        os.environ["GPCLOUD_DB"] = urlunsplit(urlsplit(admin)._replace(path=f"/{scratch}"))
        try:
            _run()
        finally:
            _pg_admin(admin, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        return
    _run()


def _run() -> None:
    os.environ.setdefault("GPCLOUD_TENANTS_DIR", str(HERE.parent / "tenants"))
    import logging

    logging.disable(logging.INFO)
    session = asyncio.run(run_standalone())
    text = (
        markdown(session.transcript)
        .replace("# The closed loop as a GraphQL session", "# A challenge and a complaint")
        .replace("docs/closed_loop.py --write", "docs/complaints_walk.py --write")
    )
    if "--write" in sys.argv:
        (HERE / "complaints-walk.md").write_text(text + "\n", encoding="utf-8")
        print(f"wrote docs/complaints-walk.md ({len(session.transcript)} steps)")
    else:
        print(text)


if __name__ == "__main__":
    main()
