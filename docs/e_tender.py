"""An open tender with sealed electronic bids as one GraphQL session: filed plan -> entrustment
-> procurement documents -> tender announcement with a deadline instant -> documents obtained,
a question answered -> five sealed bids from five suppliers (one late) -> the deadline, closed
by the scheduler -> the opening hall (one bidder never unseals) -> the opening record,
confirmed, objected to, answered and signed -> (after a negotiation, below) the evaluation: the
committee's verifiable expert draw, the experts' confirmations, face check-in, reviews, scores,
the report signed by every member, the winner confirmed, each bidder's own result, the result
announcement naming the experts, the draw recomputed by `gpcloud experts verify-draw`, the
contract, the experts rated, their fees and the agency's monthly bill of face and signature
charges. For
兴宁市第一中学 in Xingning (441481), run by the Meizhou agency, with suppliers of Xingning,
Meizhou and Guangzhou.

    uv run python docs/e_tender.py           # run it and print the session
    uv run python docs/e_tender.py --write   # run it and rewrite docs/e-tender.md

It runs like docs/closed_loop.py (a throwaway deployment, the demo data, the app through its
ASGI interface), with the platform's clock set to each step's instant (time-machine, not
ticking: legal dates and the deadline instant are the ones shown). Bids are sealed on the
bidder's side with the reference client (gpcloud.transaction.sealing, docs/sealed-bids.md):
the platform never sees a content key before the bidder unseals. A competitive
negotiation follows: sealed responses, the opening, a quote round and the final quote. Three of the
five suppliers are registered for the walk (the demo has two), and the demo experts get accounts
(the demo links two). Three steps are not GraphQL calls: the scheduler's ticks, who received an
expert invitation (the experts' phones), and the auditor's CLI. tests/e2e/test_e_tender.py runs
the same walk.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from closed_loop import INDICATORS, PASSWORD, markdown, ok, refused  # noqa: E402

BEIJING = "+08:00"
EXTRA = ("gz", "sg", "zh")  # three more suppliers, of Guangzhou, Shaoguan and Zhuhai


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + BEIJING)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class Session:
    """Calls the API as given users at given instants and keeps the transcript."""

    client: object
    traveller: object
    drain_jobs: object
    tokens: dict[str, str] = field(default_factory=dict)
    transcript: list[dict] = field(default_factory=list)
    now: datetime | None = None

    def move(self, instant: datetime) -> None:
        self.traveller.move_to(instant)
        if self.now is None or instant - self.now > timedelta(hours=1):
            self.tokens = {}  # tokens expire: log in again after a jump
        self.now = instant

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

    async def step(self, instant, user, title, query, variables=None, files=None) -> dict:
        from gpcloud.core.clock import LEGAL_TZ, on_day

        self.move(instant)
        with on_day(instant.astimezone(LEGAL_TZ).date()):
            token = None if user is None else await self._token(user)
            body = await self._post(query, variables, token, files)
        self.transcript.append(
            {
                "day": instant.isoformat(timespec="milliseconds"),
                "user": user or "(anonymous)",
                "title": title,
                "query": query.strip(),
                "variables": _short(variables),
                "response": _short(body),
            }
        )
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def scheduler(self, instant: datetime, title: str) -> list:
        """The scheduler's tick at `instant` (a worker runs it every second)."""
        from gpcloud.core.clock import LEGAL_TZ, on_day
        from gpcloud.core.scheduler import service as scheduler

        self.move(instant)
        with on_day(instant.astimezone(LEGAL_TZ).date()):
            ran = await scheduler.run_once(instant)
        self.transcript.append(
            {
                "day": instant.isoformat(timespec="milliseconds"),
                "user": "scheduler",
                "title": title,
                "query": "# not a GraphQL call: the scheduler's tick",
                "variables": None,
                "response": [
                    {
                        "action": d.action,
                        "due_at": d.due_at.isoformat(),
                        "ran_at": d.ran_at.isoformat(),
                    }
                    for d in ran
                ],
            }
        )
        return ran


def _short(value):
    """Long base64 values (ciphertexts) shortened in the transcript."""
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value]
    if isinstance(value, str) and len(value) > 120:
        return value[:60] + f"...({len(value)} characters)"
    return value


async def extra_suppliers() -> None:
    """Three more suppliers with one account each, registered for the province (set-up)."""
    from gpcloud.core.auth import passwords
    from gpcloud.core.auth.tables import Organisation, User, UserRole
    from gpcloud.core.db import transaction
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.core.validation import uscc_check_char

    regions = {"gz": ("440100", "广州"), "sg": ("440200", "韶关"), "zh": ("440400", "珠海")}
    with all_tenants("e-tender walk: three more suppliers"):
        async with transaction():
            for n, key in enumerate(EXTRA, 1):
                region, city = regions[key]
                uscc17 = f"91{region}MA4X{n:05d}"[:17]
                org = Organisation(
                    name=f"{city}智教科技有限公司",
                    kind="supplier",
                    region=region,
                    uscc=uscc17 + uscc_check_char(uscc17),
                )
                await org.save()
                user = User(
                    tenant_id=region,
                    organisation=org.id,
                    username=f"{key}.supplier",
                    password_hash=await passwords.hash_password(PASSWORD),
                    display_name="投标专员",
                    mobile="13800000000",
                    email=f"{key}.supplier@demo.example.com",
                    must_change_password=False,
                )
                await user.save()
                await UserRole.insert(UserRole(tenant_id=region, user=user.id, role="supplier"))


SUBMIT = (
    "mutation($input: SubmitBidInput!) { submitBid(input: $input) { bid { id status "
    "receivedAt } receipt { digest receivedAt signature } errors { field code message } } }"
)
UNSEAL = (
    "mutation($input: UnsealBidInput!) { unsealBid(input: $input) { bid { id status price "
    "form } errors { code message } } }"
)


PRICES = {
    "xn.supplier": "4380000.00",
    "mz.supplier": "4420000.00",
    "gz.supplier": "4290000.00",
    "sg.supplier": "4460000.00",
    "zh.supplier": "4300000.00",
}


async def walk(s: Session) -> dict:
    from gpcloud.transaction import sealing

    # 1. The filed plan (budget line, plan, filing), as in the closed loop.
    started = await s.step(
        at("2026-09-01T09:00:00"),
        "xn.admin",
        "Import the budget indicator file",
        'mutation($file: Upload!) { startImport(registry: "budget_indicators", file: $file) '
        "{ job { id } errors { code message } } }",
        files=("indicators.csv", INDICATORS.encode(), "text/csv"),
    )
    ok(started["startImport"])
    await s.drain_jobs()
    lines = await s.step(
        at("2026-09-01T09:10:00"),
        "xn.purchaser",
        "The school's budget line",
        "{ budgetIndicators { edges { node { id balance } } } }",
    )
    indicator = lines["budgetIndicators"]["edges"][0]["node"]["id"]
    created = await s.step(
        at("2026-09-01T09:20:00"),
        "xn.purchaser",
        "Declare the open-tender plan (urgent: no intention)",
        "mutation($input: PlanInput!) { createProcurementPlan(input: $input) "
        "{ plan { id } errors { code message } } }",
        {
            "input": {
                "title": "多媒体教室设备采购",
                "objectType": "GOODS",
                "method": "OPEN_TENDER",
                "intentionExemption": "URGENT",
                "lines": [{"indicatorId": indicator, "amount": "4500000.00"}],
            }
        },
    )
    plan = ok(created["createProcurementPlan"])["plan"]["id"]
    await s.step(
        at("2026-09-01T09:30:00"),
        "xn.purchaser",
        "Submit it",
        "mutation($id: ID!) { submitProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    filed = await s.step(
        at("2026-09-02T10:00:00"),
        "xn.supervisor",
        "The supervisor files it",
        "mutation($id: ID!) { fileProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    assert ok(filed["fileProcurementPlan"])["plan"]["status"] == "FILED"
    agencies = await s.step(
        at("2026-09-03T09:00:00"),
        "xn.purchaser",
        "Find the agency",
        '{ agencies(filter: {worksIn: "441481"}) { edges { node { id name } } } }',
    )
    agency = next(
        e["node"]["id"]
        for e in agencies["agencies"]["edges"]
        if e["node"]["name"] == "梅州嘉应招标代理有限公司"
    )
    entrusted = await s.step(
        at("2026-09-03T09:10:00"),
        "xn.purchaser",
        "Entrust the plan to the Meizhou agency",
        "mutation($plan: ID!, $agency: ID!) { entrustProcurementPlan(planId: $plan, "
        "agencyId: $agency) { project { id status methodConfig { minimumBidders "
        "pricesReadAtOpening source } } errors { code message } } }",
        {"plan": plan, "agency": agency},
    )
    project = ok(entrusted["entrustProcurementPlan"])["project"]["id"]

    # 2. Documents as structured data, then the tender with its deadline instant.
    documents = (
        "mutation($input: ProcurementDocumentInput!) { publishProcurementDocuments(input: "
        "$input) { document { version priceWeight availableUntil files { name sha256 } } "
        "errors { field code message } } }"
    )
    terms = {
        "projectId": project,
        "summary": "招标文件（首版）",
        "requirements": [{"item": "交互式教学一体机", "quantity": 40, "spec": "86英寸"}],
        "qualification": [{"item": "营业执照"}, {"item": "无重大违法记录声明"}],
        "compliance": [{"item": "交货期不超过30日"}, {"item": "投标保证金或电子保函"}],
        "criteria": [{"name": "技术", "weight": 60}, {"name": "服务", "weight": 20}],
        "priceWeight": 20,
        "bidSecurityRequired": True,
        "files": [{"name": "招标文件.txt", "content": b64("第一章 投标邀请……".encode())}],
    }
    low = await s.step(
        at("2026-09-21T09:00:00"),
        "mz.agency",
        "Price weighs 20%: below the 30% goods minimum",
        documents,
        {"input": terms},
    )
    refused(low["publishProcurementDocuments"], "PRICE_WEIGHT_TOO_LOW")
    terms |= {
        "priceWeight": 30,
        "criteria": [{"name": "技术", "weight": 50}, {"name": "服务", "weight": 20}],
    }
    published = await s.step(
        at("2026-09-21T09:05:00"),
        "mz.agency",
        "Publish the documents (available 5 working days)",
        documents,
        {"input": terms},
    )
    assert ok(published["publishProcurementDocuments"])["document"]["version"] == 1
    deadline = at("2026-10-12T09:30:00")
    tender = await s.step(
        at("2026-09-21T09:10:00"),
        "mz.agency",
        "Publish the tender: sealed bids until 12 Oct 09:30",
        "mutation($id: ID!, $at: DateTime!) { publishTenderAnnouncement(projectId: $id, "
        'title: "兴宁市第一中学多媒体教室设备采购项目招标公告", body: "详见招标文件。", '
        "bidDeadlineAt: $at) { project { status bidDeadline bidDeadlineAt } "
        "errors { code message } } }",
        {"id": project, "at": deadline.isoformat()},
    )
    assert ok(tender["publishTenderAnnouncement"])["project"]["status"] == "TENDERING"

    # 3. Five suppliers: keys, the documents, a question.
    suppliers = ["xn.supplier", "mz.supplier", *(f"{k}.supplier" for k in EXTRA)]
    keys = {}
    for n, user in enumerate(suppliers):
        signing, sealing_key = sealing.generate_signing_key(), sealing.generate_sealing_key()
        keys[user] = (signing, sealing_key)
        for purpose, key in (("Signing", signing), ("Sealing", sealing_key)):
            done = await s.step(
                at(f"2026-09-22T10:{n:02d}:00"),
                user,
                f"Register the organisation's {purpose.lower()} public key",
                f"mutation($key: String!) {{ register{purpose}Key(publicKey: $key) "
                "{ key { id status } errors { code message } } }",
                {"key": b64(sealing.raw_public(key))},
            )
            ok(done[f"register{purpose}Key"])
        got = await s.step(
            at(f"2026-09-22T11:{n:02d}:00"),
            user,
            "Obtain the documents (recorded)",
            "mutation($id: ID!) { obtainProcurementDocuments(projectId: $id) "
            "{ document { version availableUntil } errors { code message } } }",
            {"id": project},
        )
        ok(got["obtainProcurementDocuments"])
    asked = await s.step(
        at("2026-09-23T15:00:00"),
        "gz.supplier",
        "A question (answered within 3 working days)",
        'mutation($id: ID!) { askQuestion(projectId: $id, text: "是否接受国产同等品牌？") '
        "{ question { id answerDue } errors { code message } } }",
        {"id": project},
    )
    question = ok(asked["askQuestion"])["question"]
    assert question["answerDue"] == "2026-09-29"  # 24, 28, 29 Sep: Mid-autumn 25-27 Sep
    answered = await s.step(
        at("2026-09-24T10:00:00"),
        "mz.agency",
        "The agency answers; the supplier is told",
        'mutation($id: ID!) { answerQuestion(questionId: $id, answer: "接受，须满足全部技术参数。") '
        "{ question { answer answeredAt } errors { code } } }",
        {"id": question["id"]},
    )
    ok(answered["answerQuestion"])

    # 4. Five sealed bids; the last one a millisecond late.
    prices = PRICES
    content_keys, bid_ids = {}, {}
    times = {
        "xn.supplier": at("2026-10-10T16:00:00"),
        "mz.supplier": at("2026-10-11T11:00:00"),
        "gz.supplier": at("2026-10-12T08:59:00"),
        "sg.supplier": at("2026-10-12T09:29:59.999"),
        "zh.supplier": deadline + timedelta(milliseconds=1),
    }
    for user, price in prices.items():
        signing, sealing_key = keys[user]
        content_keys[user] = os.urandom(32)
        package = sealing.BidPackage(
            form={"price": price, "discount": "无", "delivery": "合同签订后30日内", "sme": True},
            files=[sealing.BidFile("技术响应.txt", "逐条响应……".encode())],
        )
        sealed = sealing.seal(
            package,
            project_id=int(project),
            lot="1",
            signing_key=signing,
            sealing_public_key=sealing_key.public_key(),
            content_key=content_keys[user],
        )
        late = user == "zh.supplier"
        sent = await s.step(
            times[user],
            user,
            "A bid a millisecond after the deadline: refused" if late else "Submit a sealed bid",
            SUBMIT,
            {
                "input": {
                    "projectId": project,
                    "lot": "1",
                    "ciphertext": b64(sealed.ciphertext),
                    "wrappedKey": b64(sealed.wrapped_key),
                    "signature": b64(sealed.signature),
                    "security": f"电子保函 GD-2026-{len(bid_ids) + 1:04d}",
                }
            },
        )
        if late:
            refused(sent["submitBid"], "BID_LATE")
            continue
        payload = ok(sent["submitBid"])
        assert payload["receipt"]["digest"] == sealed.digest
        bid_ids[user] = payload["bid"]["id"]
    before = await s.step(
        at("2026-10-12T09:00:00"),
        "mz.agency",
        "Before the deadline the agency sees who bid, not what",
        "query($id: ID!) { project(id: $id) { status opening { status bids } "
        "bids { supplierName receivedAt status form price } } }",
        {"id": project},
    )
    assert all(b["form"] is None for b in before["project"]["bids"])
    early = await s.step(
        at("2026-10-12T09:05:00"),
        "gz.supplier",
        "Unsealing before the deadline is refused",
        UNSEAL,
        {
            "input": {
                "bidId": bid_ids["gz.supplier"],
                "contentKey": b64(content_keys["gz.supplier"]),
            }
        },
    )
    refused(early["unsealBid"], "OPENING_NOT_STARTED")

    # 5. The deadline: the scheduler closes bidding and opens the hall (30 minutes).
    closed = await s.scheduler(
        deadline + timedelta(milliseconds=400), "The deadline: bidding closed, the hall opens"
    )
    assert [d.action for d in closed] == ["end_period", "close_bidding"]  # tender notice too
    for user in ("xn.supplier", "mz.supplier", "gz.supplier"):  # sg.supplier never unseals
        opened = await s.step(
            at("2026-10-12T09:40:00"),
            user,
            "Unseal the bid with its content key",
            UNSEAL,
            {"input": {"bidId": bid_ids[user], "contentKey": b64(content_keys[user])}},
        )
        assert ok(opened["unsealBid"])["bid"]["status"] == "UNSEALED"
    [ended] = await s.scheduler(
        deadline + timedelta(minutes=30, seconds=1), "The window ends: sg.supplier's bid revoked"
    )
    assert ended.action == "end_unsealing"

    # 6. The opening record: confirmed, objected to, answered, signed.
    record_query = (
        "query($id: ID!) { openingRecord(projectId: $id) { status entries { bidderName "
        "result price discount security } responses { kind text answer } } }"
    )
    record = await s.step(
        at("2026-10-12T10:05:00"),
        "xn.supplier",
        "The opening record",
        record_query,
        {"id": project},
    )
    results = {e["bidderName"]: e["result"] for e in record["openingRecord"]["entries"]}
    assert sorted(results.values()) == ["opened", "opened", "opened", "revoked"]
    respond = (
        "mutation($id: ID!, $objection: String) { respondToOpeningRecord(projectId: $id, "
        "objection: $objection) { response { id kind } errors { code message } } }"
    )
    for user in ("xn.supplier", "mz.supplier"):
        ok(
            (
                await s.step(
                    at("2026-10-12T10:10:00"),
                    user,
                    "Confirm the record",
                    respond,
                    {"id": project, "objection": None},
                )
            )["respondToOpeningRecord"]
        )
    objection = await s.step(
        at("2026-10-12T10:12:00"),
        "sg.supplier",
        "Object: the bid was revoked",
        respond,
        {"id": project, "objection": "我方未能在解密时限内解密，请说明处理依据。"},
    )
    response = ok(objection["respondToOpeningRecord"])["response"]["id"]
    early_sign = await s.step(
        at("2026-10-12T10:15:00"),
        "mz.agency",
        "Signing waits for the answer",
        "mutation($id: ID!) { signOpeningRecord(projectId: $id) { openingRecord { status } "
        "errors { code message } } }",
        {"id": project},
    )
    refused(early_sign["signOpeningRecord"], "OBJECTIONS_OPEN")
    await s.step(
        at("2026-10-12T10:20:00"),
        "mz.agency",
        "Answer the objection",
        "mutation($id: ID!) { answerOpeningObjection(responseId: $id, answer: "
        '"依据《电子招标投标办法》第三十一条，因投标人原因未解密的视为撤销投标文件。") '
        "{ response { answer } errors { code } } }",
        {"id": response},
    )
    signed = await s.step(
        at("2026-10-12T10:25:00"),
        "mz.agency",
        "Sign the opening record",
        "mutation($id: ID!) { signOpeningRecord(projectId: $id) { openingRecord { status "
        "signedAt } errors { code message } } }",
        {"id": project},
    )
    assert ok(signed["signOpeningRecord"])["openingRecord"]["status"] == "SIGNED"
    after = await s.step(
        at("2026-10-12T10:30:00"),
        "mz.agency",
        "After the opening the agency reads the opened bids",
        "query($id: ID!) { project(id: $id) { status bids { supplierName status price "
        "unsealAttempts { outcome cause } } } }",
        {"id": project},
    )
    assert after["project"]["status"] == "OPENED"
    return {"project": project, "bids": bid_ids, "keys": keys, "indicator": indicator}


ROUNDS = (
    "query($id: ID!) { quoteRounds(projectId: $id) { id number final status invited "
    "quotes { supplierName price revision } } }"
)


async def negotiation(s: Session, tender: dict) -> dict:
    """A competitive negotiation of the same school after the tender: sealed responses, the
    opening, then a round of quotes and the final quote (最后报价, Law art. 38(5)), each quote
    sealed in the bid format (docs/sealed-bids.md) and unsealed by its supplier once its round
    has closed."""
    from gpcloud.transaction import sealing

    sealed_quote = (
        "mutation($id: ID!, $c: String!, $k: String!, $s: String!) { submitQuote(roundId: $id, "
        "ciphertext: $c, wrappedKey: $k, signature: $s) { quote { id price unsealed revision "
        "digest submittedAt } errors { code message } } }"
    )
    unseal_quote = (
        "mutation($id: ID!, $key: String!) { unsealQuote(quoteId: $id, contentKey: $key) "
        "{ quote { supplierName price unsealed unsealedAt } errors { code message } } }"
    )
    quote_keys: dict[tuple[str, str], bytes] = {}  # (round, user) -> the content key kept

    def quote_vars(round_id: str, user: str, price: str, keep: bool = True) -> dict:
        """A quote form sealed by `user`'s client: its content key stays with the supplier
        (kept for the unsealing unless `keep` is false: a quote that will be refused)."""
        signing, sealing_key = tender["keys"][user]
        content_key = os.urandom(32)
        if keep:
            quote_keys[(round_id, user)] = content_key
        sealed = sealing.seal(
            sealing.BidPackage(form={"round": int(round_id), "price": price}, files=[]),
            project_id=int(project),
            lot="1",
            signing_key=signing,
            sealing_public_key=sealing_key.public_key(),
            content_key=content_key,
        )
        return {
            "id": round_id,
            "c": b64(sealed.ciphertext),
            "k": b64(sealed.wrapped_key),
            "s": b64(sealed.signature),
        }

    created = await s.step(
        at("2026-10-13T09:00:00"),
        "xn.purchaser",
        "Declare a competitive-negotiation plan (below the tender threshold)",
        "mutation($input: PlanInput!) { createProcurementPlan(input: $input) "
        "{ plan { id } errors { code message } } }",
        {
            "input": {
                "title": "多媒体教室安装调试服务",
                "objectType": "SERVICES",
                "method": "COMPETITIVE_NEGOTIATION",
                "intentionExemption": "URGENT",
                "lines": [{"indicatorId": tender["indicator"], "amount": "400000.00"}],
            }
        },
    )
    plan = ok(created["createProcurementPlan"])["plan"]["id"]
    await s.step(
        at("2026-10-13T09:10:00"),
        "xn.purchaser",
        "Submit it",
        "mutation($id: ID!) { submitProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    await s.step(
        at("2026-10-13T09:20:00"),
        "xn.supervisor",
        "The supervisor files it",
        "mutation($id: ID!) { fileProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    agencies = await s.step(
        at("2026-10-13T09:25:00"),
        "xn.purchaser",
        "Find the agency",
        '{ agencies(filter: {worksIn: "441481"}) { edges { node { id name } } } }',
    )
    agency = next(
        e["node"]["id"]
        for e in agencies["agencies"]["edges"]
        if e["node"]["name"] == "梅州嘉应招标代理有限公司"
    )
    entrusted = await s.step(
        at("2026-10-13T09:30:00"),
        "xn.purchaser",
        "Entrust it: two quote rounds, prices not read at the opening",
        "mutation($plan: ID!, $agency: ID!) { entrustProcurementPlan(planId: $plan, "
        "agencyId: $agency) { project { id methodConfig { quoteRounds pricesReadAtOpening } } "
        "errors { code message } } }",
        {"plan": plan, "agency": agency},
    )
    project = ok(entrusted["entrustProcurementPlan"])["project"]["id"]
    deadline = at("2026-10-19T09:30:00")
    announced = await s.step(
        at("2026-10-13T10:00:00"),
        "mz.agency",
        "Publish the negotiation (3 working days to the first response)",
        "mutation($id: ID!, $at: DateTime!) { publishTenderAnnouncement(projectId: $id, "
        'title: "兴宁市第一中学多媒体教室安装调试服务竞争性谈判公告", body: "详见谈判文件。", '
        "bidDeadlineAt: $at) { project { status bidDeadlineAt } errors { code message } } }",
        {"id": project, "at": deadline.isoformat()},
    )
    ok(announced["publishTenderAnnouncement"])
    suppliers = ["xn.supplier", "mz.supplier", "gz.supplier"]
    content_keys, bid_ids = {}, {}
    for n, user in enumerate(suppliers):
        signing, sealing_key = tender["keys"][user]
        content_keys[user] = os.urandom(32)
        sealed = sealing.seal(
            sealing.BidPackage(
                form={"price": f"{390000 - n * 5000}.00", "delivery": "15日"}, files=[]
            ),
            project_id=int(project),
            lot="1",
            signing_key=signing,
            sealing_public_key=sealing_key.public_key(),
            content_key=content_keys[user],
        )
        sent = await s.step(
            at(f"2026-10-16T1{n}:00:00"),
            user,
            "Submit a sealed response",
            SUBMIT,
            {
                "input": {
                    "projectId": project,
                    "lot": "1",
                    "ciphertext": b64(sealed.ciphertext),
                    "wrappedKey": b64(sealed.wrapped_key),
                    "signature": b64(sealed.signature),
                }
            },
        )
        bid_ids[user] = ok(sent["submitBid"])["bid"]["id"]
    await s.scheduler(deadline + timedelta(milliseconds=400), "The deadline: the hall opens")
    for user in suppliers:
        opened = await s.step(
            at("2026-10-19T09:40:00"),
            user,
            "Unseal the response",
            UNSEAL,
            {"input": {"bidId": bid_ids[user], "contentKey": b64(content_keys[user])}},
        )
        assert ok(opened["unsealBid"])["bid"]["status"] == "UNSEALED"
    await s.scheduler(deadline + timedelta(minutes=30, seconds=1), "The window ends: opened")

    round_deadline = at("2026-10-19T11:30:00")
    first = await s.step(
        at("2026-10-19T10:30:00"),
        "mz.agency",
        "After negotiating, the panel asks for new quotes until 11:30",
        "mutation($id: ID!, $at: DateTime!) { openQuoteRound(projectId: $id, deadlineAt: $at) "
        "{ round { id number final invited status deadlineAt } errors { code message } } }",
        {"id": project, "at": round_deadline.isoformat()},
    )
    first = ok(first["openQuoteRound"])["round"]
    quote_ids = {}
    for n, (user, price) in enumerate(
        (("xn.supplier", "372000.00"), ("mz.supplier", "368000.00"), ("gz.supplier", "371000.00"))
    ):
        sent = ok(
            (
                await s.step(
                    at(f"2026-10-19T10:4{n}:00"),
                    user,
                    "Quote, sealed by the supplier's client (the platform keeps no price)",
                    sealed_quote,
                    quote_vars(first["id"], user, price),
                )
            )["submitQuote"]
        )
        assert sent["quote"]["price"] is None and not sent["quote"]["unsealed"]
        quote_ids[user] = sent["quote"]["id"]
    revised = await s.step(
        at("2026-10-19T11:10:00"),
        "xn.supplier",
        "Revise the quote before the deadline (the last one counts)",
        sealed_quote,
        quote_vars(first["id"], "xn.supplier", "366000.00"),
    )
    assert ok(revised["submitQuote"])["quote"]["revision"] == 1
    sealed_view = await s.step(
        at("2026-10-19T11:20:00"),
        "mz.agency",
        "Before the round closes the agency reads no quote",
        ROUNDS,
        {"id": project},
    )
    assert sealed_view["quoteRounds"][0]["quotes"] == []
    await s.scheduler(round_deadline + timedelta(milliseconds=500), "The round closes")
    for n, user in enumerate(("xn.supplier", "mz.supplier", "gz.supplier")):
        opened = await s.step(
            at(f"2026-10-19T11:3{n + 1}:00"),
            user,
            "Unseal the quote with its content key, now that the round has closed",
            unseal_quote,
            {"id": quote_ids[user], "key": b64(quote_keys[(first["id"], user)])},
        )
        assert ok(opened["unsealQuote"])["quote"]["unsealed"]
    read = await s.step(
        at("2026-10-19T11:35:00"),
        "mz.agency",
        "The quotes of the closed round, as unsealed",
        ROUNDS,
        {"id": project},
    )
    assert len(read["quoteRounds"][0]["quotes"]) == 3

    final_deadline = at("2026-10-19T14:00:00")
    final = await s.step(
        at("2026-10-19T13:00:00"),
        "mz.agency",
        "The final quote (最后报价) from the two the panel keeps, until 14:00",
        "mutation($id: ID!, $at: DateTime!, $who: [ID!]) { openQuoteRound(projectId: $id, "
        "deadlineAt: $at, supplierIds: $who) { round { id number final invited } "
        "errors { code message } } }",
        {"id": project, "at": final_deadline.isoformat(), "who": first["invited"][:2]},
    )
    final = ok(final["openQuoteRound"])["round"]
    assert final["final"]
    invited = {"xn.supplier", "mz.supplier"}  # the demo's two suppliers were registered first
    final_ids = {}
    for user, price in (("xn.supplier", "362000.00"), ("mz.supplier", "365000.00")):
        final_ids[user] = ok(
            (
                await s.step(
                    at("2026-10-19T13:30:00"),
                    user,
                    "Final quote, sealed",
                    sealed_quote,
                    quote_vars(final["id"], user, price),
                )
            )["submitQuote"]
        )["quote"]["id"]
    late = await s.step(
        final_deadline + timedelta(milliseconds=1),
        sorted(invited)[0],
        "A final quote a millisecond late: refused",
        sealed_quote,
        quote_vars(final["id"], sorted(invited)[0], "360000.00", keep=False),
    )
    refused(late["submitQuote"], "QUOTE_LATE")
    await s.scheduler(final_deadline + timedelta(seconds=1), "The final round closes")
    for user in ("xn.supplier", "mz.supplier"):
        opened = await s.step(
            at("2026-10-19T14:02:00"),
            user,
            "Unseal the final quote",
            unseal_quote,
            {"id": final_ids[user], "key": b64(quote_keys[(final["id"], user)])},
        )
        assert ok(opened["unsealQuote"])["quote"]["unsealed"]
    finals = await s.step(
        at("2026-10-19T14:05:00"),
        "mz.agency",
        "The final quote per supplier",
        'query($id: ID!) { finalQuotes(projectId: $id, lot: "1") { supplierOrganisationId '
        "quote { supplierName price } } }",
        {"id": project},
    )
    assert sorted(f["quote"]["price"] for f in finals["finalQuotes"]) == ["362000.00", "365000.00"]
    return {"project": project}


async def expert_accounts() -> None:
    """An account for each demo expert that has none (the demo links two), as the registry's
    experts would have: the drawn ones confirm, check in, score and sign themselves (set-up)."""
    from gpcloud.core.auth import passwords
    from gpcloud.core.auth.tables import Organisation, User, UserRole
    from gpcloud.core.db import transaction
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.registries.experts.tables import Expert

    with all_tenants("e-tender walk: the experts' accounts"):
        async with transaction():
            hashed = await passwords.hash_password(PASSWORD)
            rows = await Expert.select(Expert.id, Expert.name, Expert.employer).where(
                Expert.user_id.is_null()
            )
            for row in rows:
                org = (
                    await Organisation.select(Organisation.id)
                    .where(Organisation.name == row["employer"])
                    .first()
                )
                if org is None:
                    made = Organisation(name=row["employer"], kind="other", region="441400")
                    await made.save()
                    org = {"id": made.id}
                user = User(
                    tenant_id="441400",
                    organisation=org["id"],
                    username=expert_username(row["name"]),
                    password_hash=hashed,
                    display_name=row["name"],
                    mobile="13800000000",
                    email=f"{expert_username(row['name'])}@demo.example.com",
                    must_change_password=False,
                )
                await user.save()
                await UserRole.insert(UserRole(tenant_id="441400", user=user.id, role="expert"))
                await Expert.update({Expert.user_id: user.id}).where(Expert.id == row["id"])


def expert_username(name: str) -> str:
    return f"expert{name[-2:]}"  # 示例专家07 -> expert07


async def invited_experts(s: Session, instant: datetime, title: str) -> dict[str, int]:
    """Who was just invited, as each invited expert's phone learns it (SMS and inbox): the
    walk's stand-in for the experts themselves; username -> expert id. Not a GraphQL call:
    nobody but the expert may learn who was drawn."""
    from gpcloud.core.auth.tables import User
    from gpcloud.core.notifications.tables import Notification
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.registries.experts.tables import Expert

    s.move(instant)
    with all_tenants("e-tender walk: the invitations sent"):
        sent = await Notification.select(Notification.recipient, Notification.id).where(
            (Notification.kind == "expert_draw.invited") & Notification.read_at.is_null()
        )
        users = [r["recipient"] for r in sent]
        named = await User.select(User.id, User.username).where(User.id.is_in(users or [0]))
        experts = await Expert.select(Expert.id, Expert.user_id).where(
            Expert.user_id.is_in(users or [0])
        )
    username = {u["id"]: u["username"] for u in named}
    found = {username[e["user_id"]]: e["id"] for e in experts}
    s.transcript.append(
        {
            "day": instant.isoformat(timespec="milliseconds"),
            "user": "(the invited experts' phones)",
            "title": title,
            "query": "# not a GraphQL call: who received the invitation (SMS and inbox)",
            "variables": None,
            "response": sorted(found),
        }
    )
    return found


async def verify_draw_cli(s: Session, instant: datetime, draw: str) -> str:
    """`gpcloud experts verify-draw` in a process of its own, on this deployment's database."""
    import subprocess

    s.move(instant)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "gpcloud", "experts", "verify-draw", draw],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    s.transcript.append(
        {
            "day": instant.isoformat(timespec="milliseconds"),
            "user": "(an auditor's shell)",
            "title": "Recompute the draw from its revealed seed and frozen list",
            "query": f"# not a GraphQL call: gpcloud experts verify-draw {draw}",
            "variables": None,
            "response": done.stdout.strip().splitlines(),
        }
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


COMMITTEE = (
    "query($id: ID!) { evaluationCommittee(id: $id) { status evaluationAt counts { invited "
    "confirmed waiting declined } seats { position backup status expert { name } } "
    "draw { status eligible seedHash snapshotDigest resultDigest seed } } }"
)
MY_ASSIGNMENTS = "{ myExpertAssignments { id committeeId position backup status confirmBy } }"
CONFIRM_SEAT = (
    "mutation($id: ID!) { confirmExpertAssignment(assignmentId: $id) { assignment { status } "
    "errors { code message } } }"
)
CHECK_IN = (
    "mutation($e: ID!, $s: String!, $a: String!) { checkInToEvaluation(evaluationId: $e, "
    "sample: $s, attempt: $a) { member { status faceAttempts checkedInAt } errors { code } } }"
)
SCORES = {  # technical and service points per bidder: the same from every member but one
    "xn.supplier": ("46", "18"),
    "gz.supplier": ("42", "16"),
    "mz.supplier": ("40", "15"),
}


async def evaluation(s: Session, tender: dict) -> dict:
    """The tender's evaluation after the negotiation: the committee and its verifiable expert
    draw, the experts' confirmations (one declines, a backup takes the seat), face check-in,
    the reviews, independent scores, the report signed by every member and sent, the winner
    confirmed, each bidder's own result, the result announcement with the experts' names, the
    draw recomputed by the CLI, the contract, the experts rated, their fees and the agency's
    monthly bill."""
    from gpcloud.transaction import sealing
    from gpcloud.usage import development

    project = tender["project"]
    rooms = await s.step(
        at("2026-10-19T14:55:00"),
        "mz.agency",
        "The agency's evaluation rooms (its registered rooms)",
        "{ myAgency { rooms { id kind name computers cameraResolution tenant { regionCode } } } }",
    )
    [room] = [
        r["id"]
        for r in rooms["myAgency"]["rooms"]
        if r["kind"] == "EVALUATION" and r["tenant"]["regionCode"] == "441481"
    ]
    formed = await s.step(
        at("2026-10-19T15:00:00"),
        "mz.agency",
        "Form the evaluation committee: 5 drawn experts, 21 Oct 09:00 in the Xingning room",
        "mutation($input: EvaluationCommitteeInput!) { formEvaluationCommittee(input: $input) "
        "{ committee { id status members expertSeats backups specialtyCodes roomId } "
        "errors { code message } } }",
        {
            "input": {
                "projectId": project,
                "members": 5,
                "evaluationAt": at("2026-10-21T09:00:00").isoformat(),
                "specialtyCodes": ["A02010104"],
                "backups": 2,
                "roomId": room,
            }
        },
    )
    committee = ok(formed["formEvaluationCommittee"])["committee"]["id"]
    committed = await s.step(
        at("2026-10-19T15:05:00"),
        "mz.agency",
        "Commit the draw: the seed's sha256 is audited before anyone is drawn",
        "mutation($id: ID!) { commitExpertDraw(committeeId: $id, drawType: REVIEW) "
        "{ draw { id status seedHash seed } errors { code message } } }",
        {"id": committee},
    )
    draw = ok(committed["commitExpertDraw"])["draw"]
    assert draw["seed"] is None  # secret until the evaluation starts
    ran = await s.step(
        at("2026-10-19T15:10:00"),
        "mz.agency",
        "Run it (2 working days before the evaluation): seats invited, backups in order",
        "mutation($id: ID!) { runExpertDraw(drawId: $id) { draw { status eligible "
        "excludedForRecusal snapshotDigest resultDigest } errors { code message } } }",
        {"id": draw["id"]},
    )
    assert ok(ran["runExpertDraw"])["draw"]["status"] == "DRAWN"
    sealed = await s.step(
        at("2026-10-19T15:15:00"),
        "mz.agency",
        "The agency sees counts and states, not names",
        COMMITTEE,
        {"id": committee},
    )
    assert all(seat["expert"] is None for seat in sealed["evaluationCommittee"]["seats"])
    invited = await invited_experts(s, at("2026-10-19T15:15:00"), "The five drawn experts")
    assert len(invited) == 5
    names = sorted(invited)
    for n, user in enumerate(names):
        [seat] = (
            await s.step(
                at(f"2026-10-19T15:{30 + n:02d}:00"),
                user,
                "The expert's invitation",
                MY_ASSIGNMENTS,
            )
        )["myExpertAssignments"]
        if n == len(names) - 1:
            declined = await s.step(
                at(f"2026-10-19T15:{30 + n:02d}:30"),
                user,
                "Decline (away that day): the first backup is invited",
                "mutation($id: ID!) { declineExpertAssignment(assignmentId: $id, "
                'reason: "当日外出公干") { assignment { status } errors { code } } }',
                {"id": seat["id"]},
            )
            assert ok(declined["declineExpertAssignment"])["assignment"]["status"] == "DECLINED"
            continue
        confirmed = await s.step(
            at(f"2026-10-19T15:{30 + n:02d}:30"),
            user,
            "Confirm the seat (recusal checked again)",
            CONFIRM_SEAT,
            {"id": seat["id"]},
        )
        assert ok(confirmed["confirmExpertAssignment"])["assignment"]["status"] == "CONFIRMED"
    backup = await invited_experts(s, at("2026-10-19T16:00:00"), "The backup invited")
    [(backup_user, _)] = [(u, e) for u, e in backup.items() if u not in invited]
    [seat] = [
        a
        for a in (
            await s.step(
                at("2026-10-19T16:10:00"), backup_user, "The backup's invitation", MY_ASSIGNMENTS
            )
        )["myExpertAssignments"]
        if a["status"] == "INVITED"
    ]
    ok(
        (
            await s.step(
                at("2026-10-19T16:11:00"),
                backup_user,
                "The backup confirms: the committee is complete",
                CONFIRM_SEAT,
                {"id": seat["id"]},
            )
        )["confirmExpertAssignment"]
    )
    members = {u: e for u, e in {**invited, **backup}.items() if u != names[-1]}

    # The evaluation day: names unsealed, the chair, the members check in by face.
    started = await s.step(
        at("2026-10-21T08:30:00"),
        "mz.agency",
        "Start the evaluation: the names are unsealed and the seed revealed",
        "mutation($id: ID!) { startEvaluation(committeeId: $id) { committee { status "
        "seats { id position status expert { expertId name } } } errors { code message } } }",
        {"id": committee},
    )
    seats = ok(started["startEvaluation"])["committee"]["seats"]
    confirmed_seats = [seat for seat in seats if seat["status"] == "CONFIRMED"]
    assert len(confirmed_seats) == 5 and all(seat["expert"] for seat in confirmed_seats)
    ok(
        (
            await s.step(
                at("2026-10-21T08:35:00"),
                "mz.agency",
                "Record the chair the members elected",
                "mutation($c: ID!, $s: ID!) { chooseCommitteeChair(committeeId: $c, seatId: $s) "
                "{ committee { chairSeatId } errors { code message } } }",
                {"c": committee, "s": confirmed_seats[0]["id"]},
            )
        )["chooseCommitteeChair"]
    )
    opened = await s.step(
        at("2026-10-21T08:40:00"),
        "mz.agency",
        "Open the evaluation: the documents' criteria, the members, the unsealed bids",
        "mutation($id: ID!) { openEvaluation(committeeId: $id) { evaluation { id method "
        "priceWeight criteria { key maxPoints } qualificationItems complianceItems "
        "bids { id supplierName price } } errors { code message } } }",
        {"id": committee},
    )
    evaluation_row = ok(opened["openEvaluation"])["evaluation"]
    eid = evaluation_row["id"]
    by_price = {Decimal(price): user for user, price in PRICES.items()}
    bids = {by_price[Decimal(b["price"])]: b["id"] for b in evaluation_row["bids"]}
    assert sorted(bids) == ["gz.supplier", "mz.supplier", "xn.supplier"]  # sg's was revoked
    chair_expert = int(confirmed_seats[0]["expert"]["expertId"])
    chair = next(user for user, expert in members.items() if expert == chair_expert)
    own = (
        "query($id: ID!) { evaluation(id: $id) { members { expertId status } "
        "bids { supplierName } } }"
    )
    before = await s.step(
        at("2026-10-21T08:50:00"), chair, "Before check-in: its own seat, no bids", own, {"id": eid}
    )
    assert before["evaluation"]["bids"] == []
    failed = await s.step(
        at("2026-10-21T08:55:00"),
        chair,
        "A face that does not match: reported (and billed)",
        CHECK_IN,
        {"e": eid, "s": b64(b"a blurred capture"), "a": "chair-1"},
    )
    refused(failed["checkInToEvaluation"], "FACE_NOT_MATCHED")
    for n, (user, expert) in enumerate(sorted(members.items())):
        face = development.face_sample(f"expert:{expert}")
        checked = await s.step(
            at(f"2026-10-21T09:0{n}:00"),
            user,
            "Check in by face verification (development provider)",
            CHECK_IN,
            {"e": eid, "s": b64(face), "a": f"{user}-1"},
        )
        assert ok(checked["checkInToEvaluation"])["member"]["status"] == "PRESENT"

    # Reviews, then each member's scores, private until submitted.
    qualify = " ".join(
        f'q{i}: recordQualification(evaluationId: $e, bidId: $b, item: "{item}", passed: true) '
        "{ finding { item passed } errors { code } }"
        for i, item in enumerate(("营业执照", "无重大违法记录声明"))
    )
    comply = " ".join(
        f'c{i}: recordCompliance(evaluationId: $e, bidId: $b, item: "{item}", passed: true) '
        "{ finding { item passed } errors { code } }"
        for i, item in enumerate(("交货期不超过30日", "投标保证金或电子保函"))
    )
    for n, bid in enumerate(bids.values()):
        await s.step(
            at(f"2026-10-21T09:{20 + n}:00"),
            "mz.agency",
            "Qualification review (the agency): every item passed",
            f"mutation($e: ID!, $b: ID!) {{ {qualify} }}",
            {"e": eid, "b": bid},
        )
    for n, bid in enumerate(bids.values()):
        await s.step(
            at(f"2026-10-21T09:{30 + n}:00"),
            chair,
            "Compliance review (the committee): every item passed",
            f"mutation($e: ID!, $b: ID!) {{ {comply} }}",
            {"e": eid, "b": bid},
        )
    record = " ".join(
        f"s{i}: recordScores(evaluationId: $e, bidId: $b{i}, points: $p{i}) "
        "{ scores { criterion points } errors { code message } }"
        for i in range(len(bids))
    )
    score_doc = (
        "mutation($e: ID!, "
        + ", ".join(f"$b{i}: ID!, $p{i}: [PointsInput!]!" for i in range(len(bids)))
        + f") {{ {record} }}"
    )
    for n, user in enumerate(sorted(members)):
        variables: dict = {"e": eid}
        for i, (supplier, bid) in enumerate(bids.items()):
            technical, service = SCORES[supplier]
            if n == 4 and supplier == "gz.supplier":
                technical = "45"  # one member rates gz's technical offer higher: an outlier
            variables |= {
                f"b{i}": bid,
                f"p{i}": [
                    {"criterion": "技术", "points": technical},
                    {"criterion": "服务", "points": service},
                ],
            }
        scored = await s.step(
            at(f"2026-10-21T10:{n * 10:02d}:00"),
            user,
            "Score every bid on the documents' criteria",
            score_doc,
            variables,
        )
        assert all(p["errors"] == [] for p in scored.values())
        submitted = await s.step(
            at(f"2026-10-21T10:{n * 10 + 5:02d}:00"),
            user,
            "Submit the scores (final; the others' are visible only now)",
            "mutation($e: ID!) { submitScores(evaluationId: $e) { member { status scoredAt } "
            "errors { code message } } }",
            {"e": eid},
        )
        ok(submitted["submitScores"])

    flagged = await s.step(
        at("2026-10-21T10:50:00"),
        chair,
        "The chair is told of an outlier score (which bidder, not whose)",
        "{ notifications(kinds: [EVALUATION_OUTLIERS]) { edges { node { subject body } } } }",
    )
    [told] = flagged["notifications"]["edges"]
    assert "偏离其他成员" in told["node"]["body"]

    # The report: frozen, signed by every member (one with dissent), sent, confirmed.
    frozen = await s.step(
        at("2026-10-21T11:00:00"),
        "mz.agency",
        "Freeze the evaluation report: ranking, scores, the committee",
        "mutation($e: ID!) { freezeEvaluationReport(evaluationId: $e) { report { status digest "
        "content } errors { code message } } }",
        {"e": eid},
    )
    report = ok(frozen["freezeEvaluationReport"])["report"]
    ranking = json.loads(report["content"])["ranking"]
    assert [by_price[Decimal(r["bid_price"])] for r in ranking] == [
        "xn.supplier",
        "gz.supplier",
        "mz.supplier",
    ]
    for n, user in enumerate(sorted(members)):
        dissent = "认为广州智教科技有限公司的技术方案评分偏低。" if n == 4 else ""
        signed = await s.step(
            at(f"2026-10-21T11:{10 + n}:00"),
            user,
            "Sign the report by e-signature" + (", with dissent" if dissent else ""),
            "mutation($e: ID!, $c: String!, $d: String!) { signEvaluationReport(evaluationId: $e, "
            "confirmation: $c, dissent: $d) { member { status signedAt dissent } "
            "errors { code message } } }",
            {"e": eid, "c": development.CONFIRMATION, "d": dissent},
        )
        ok(signed["signEvaluationReport"])
    sent = await s.step(
        at("2026-10-21T14:00:00"),
        "mz.agency",
        "Send the signed report to the purchaser (within 2 working days)",
        "mutation($e: ID!) { sendEvaluationReport(evaluationId: $e) { report { status sentAt "
        "sendBy confirmBy } errors { code message } } }",
        {"e": eid},
    )
    assert ok(sent["sendEvaluationReport"])["report"]["status"] == "SENT"
    winner = await s.step(
        at("2026-10-22T10:00:00"),
        "xn.purchaser",
        "Confirm the winner: the first of the ranking",
        "mutation($e: ID!, $b: ID!) { confirmEvaluationWinner(evaluationId: $e, bidId: $b) "
        "{ report { status winnerBidId confirmedAt } errors { code message } } }",
        {"e": eid, "b": str(ranking[0]["bid"])},
    )
    assert ok(winner["confirmEvaluationWinner"])["report"]["status"] == "CONFIRMED"
    for user in ("xn.supplier", "gz.supplier", "mz.supplier"):
        mine = await s.step(
            at("2026-10-22T10:30:00"),
            user,
            "The bidder's own result (its award notice), nothing about the others",
            "query($e: ID!) { myEvaluationResult(evaluationId: $e) { won rank total "
            "evaluatedPrice invalidReason } notifications(kinds: [EVALUATION_RESULT]) { edges { node "
            "{ subject body } } } }",
            {"e": eid},
        )
        assert mine["myEvaluationResult"]["won"] == (user == "xn.supplier")
        [notice] = mine["notifications"]["edges"]
        assert ("贵单位为中标" in notice["node"]["body"]) == (user == "xn.supplier")

    # The result announcement, the draw recomputed, the contract, the bills.
    supplier = await s.step(
        at("2026-10-23T09:00:00"),
        "xn.supplier",
        "The winner's registration",
        "{ mySupplier { organisationId uscc name } }",
    )
    registered = supplier["mySupplier"]
    result = await s.step(
        at("2026-10-23T09:10:00"),
        "mz.agency",
        "Publish the result: the confirmed winner at its price, the experts named",
        "mutation($id: ID!, $uscc: String!) { publishResultAnnouncement(projectId: $id, "
        'title: "兴宁市第一中学多媒体教室设备采购项目中标结果公告", body: "评标委员会评审，采购人确认。", '
        'awards: [{supplierUscc: $uscc, amount: "4380000.00"}]) '
        "{ project { status awards { supplierName amount } } errors { code message } } }",
        {"id": project, "uscc": registered["uscc"]},
    )
    assert ok(result["publishResultAnnouncement"])["project"]["status"] == "AWARDED"
    notice = await s.step(
        at("2026-10-23T09:30:00"),
        None,
        "On the portal: the result with the committee's names (anonymous)",
        '{ notices(filter: {kinds: [RESULT], region: "441481"}, first: 1) { edges { node { '
        "title amount suppliers { name amount } experts evaluations { method supplierName "
        "evaluatedPrice total validBids invalidBids } } } } }",
    )
    [edge] = notice["notices"]["edges"]
    assert len(edge["node"]["experts"]) == 5
    [evaluated] = edge["node"]["evaluations"]
    assert (evaluated["total"], evaluated["validBids"]) == (ranking[0]["total"], 3)
    verified = await s.step(
        at("2026-10-23T09:40:00"),
        "mz.agency",
        "The draw verifies (the seed is revealed)",
        "query($id: ID!) { evaluationCommittee(id: $id) { draw { seed verification { "
        "verified checks { what ok } } } } }",
        {"id": committee},
    )
    assert verified["evaluationCommittee"]["draw"]["verification"]["verified"]
    await verify_draw_cli(s, at("2026-10-23T09:45:00"), draw["id"])
    created = await s.step(
        at("2026-10-26T09:00:00"),
        "xn.purchaser",
        "Draft the contract with the winner",
        "mutation($project: ID!, $supplier: ID!) { createContract(projectId: $project, "
        'supplierId: $supplier, input: {title: "多媒体教室设备采购合同", '
        'terms: "交付期：合同签订后30日内；验收合格后支付。", amount: "4380000.00"}) '
        "{ contract { id digest signDue status } errors { code message } } }",
        {"project": project, "supplier": registered["organisationId"]},
    )
    contract = ok(created["createContract"])["contract"]
    purchaser_key = sealing.generate_signing_key()
    ok(
        (
            await s.step(
                at("2026-10-26T09:10:00"),
                "xn.purchaser",
                "Register the school's signing key",
                "mutation($key: String!) { registerSigningKey(publicKey: $key) "
                "{ key { id status } errors { code message } } }",
                {"key": b64(sealing.raw_public(purchaser_key))},
            )
        )["registerSigningKey"]
    )
    message = b"gpcloud-contract-v1:" + contract["digest"].encode()
    signers = {"xn.purchaser": purchaser_key, "xn.supplier": tender["keys"]["xn.supplier"][0]}
    for n, (user, key) in enumerate(signers.items()):
        signed = await s.step(
            at(f"2026-10-27T1{n}:00:00"),
            user,
            "Sign the contract, client-side",
            "mutation($id: ID!, $sig: String!) { signContract(id: $id, signature: $sig) "
            "{ contract { status signedOn publicationDue } errors { code message } } }",
            {"id": contract["id"], "sig": key.sign(message).hex()},
        )
    assert ok(signed["signContract"])["contract"]["status"] == "SIGNED"
    published = await s.step(
        at("2026-10-28T09:00:00"),
        "xn.purchaser",
        "Publish the contract",
        "mutation($id: ID!) { publishContract(id: $id) { contract { status publishedOn } "
        "errors { code } } }",
        {"id": contract["id"]},
    )
    ok(published["publishContract"])
    criteria = await s.step(
        at("2026-10-28T10:30:00"),
        "mz.agency",
        "The criteria the agency rates its experts on",
        "{ creditCriteria(subjectKind: EXPERT) { criteria { key title max } source } }",
    )
    points = [{"key": c["key"], "points": c["max"]} for c in criteria["creditCriteria"]["criteria"]]
    rate = " ".join(
        f"r{n}: rateExpert(expertId: $e{n}, projectId: $p, scores: $s) "
        "{ rating { expertId total } errors { code message } }"
        for n in range(len(members))
    )
    rated = await s.step(
        at("2026-10-28T10:40:00"),
        "mz.agency",
        "Rate each expert who sat (within 5 working days; feeds credit)",
        "mutation($p: ID!, $s: [CreditScoreInput!]!, "
        + ", ".join(f"$e{n}: ID!" for n in range(len(members)))
        + f") {{ {rate} }}",
        {"p": project, "s": points} | {f"e{n}": str(e) for n, e in enumerate(members.values())},
    )
    assert all(r["errors"] == [] for r in rated.values())
    fees = await s.step(
        at("2026-10-28T11:00:00"),
        "mz.agency",
        "The experts' fees (Guangdong standard)",
        "query($id: ID!) { expertFeeStatement(committeeId: $id) { final total "
        "lines { position expertName basis amount } } }",
        {"id": committee},
    )
    assert fees["expertFeeStatement"]["total"] != "0"
    bill = await s.step(
        at("2026-11-02T09:00:00"),
        "mz.agency",
        "October's bill: every face verification and e-signature of the agency",
        '{ usageStatements(month: "2026-10") { edges { node { month count total '
        "lines { kind count unitPrice amount } } } } }",
    )
    [statement] = bill["usageStatements"]["edges"]
    kinds = {line["kind"]: line["count"] for line in statement["node"]["lines"]}
    assert kinds == {"FACE_VERIFICATION": 6, "E_SIGNATURE": 5}, kinds
    return {"committee": committee, "evaluation": eid, "contract": contract["id"]}


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
        with all_tenants("e-tender walk: set up the demo"):
            await apply_tenant_files(settings.tenants_dir)
        await seed_demo()
        await extra_suppliers()
        await expert_accounts()
        transport = httpx.ASGITransport(app=create_app(run_worker=False))
        with time_machine.travel(at("2026-09-01T08:00:00"), tick=False) as traveller:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gpcloud.local"
            ) as http:
                session = Session(http, traveller, drain)
                tender = await walk(session)
                await negotiation(session, tender)
                await evaluation(session, tender)
        return session
    finally:
        await close_pool()
        redis_module.stop_embedded()


def main() -> None:
    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-e-tender-")
    os.environ.pop("GPCLOUD_DB", None)
    os.environ.pop("GPCLOUD_REDIS", None)
    os.environ.setdefault("GPCLOUD_TENANTS_DIR", str(HERE.parent / "tenants"))
    import logging

    logging.disable(logging.INFO)
    session = asyncio.run(run_standalone())
    text = (
        markdown(session.transcript)
        .replace(
            "# The closed loop as a GraphQL session",
            "# An open tender with sealed bids, a negotiation with quote rounds, then the "
            "tender's evaluation to the contract",
        )
        .replace("docs/closed_loop.py --write", "docs/e_tender.py --write")
    )
    if "--write" in sys.argv:
        (HERE / "e-tender.md").write_text(text + "\n", encoding="utf-8")
        print(f"wrote docs/e-tender.md ({len(session.transcript)} steps)")
    else:
        print(text)


if __name__ == "__main__":
    main()
