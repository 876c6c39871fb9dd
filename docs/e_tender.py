"""An open tender with sealed electronic bids as one GraphQL session: filed plan -> entrustment
-> procurement documents -> tender announcement with a deadline instant -> documents obtained,
a question answered -> five sealed bids from five suppliers (one late) -> the deadline, closed
by the scheduler -> the opening hall (one bidder never unseals) -> the opening record,
confirmed, objected to, answered and signed. For 兴宁市第一中学 in Xingning (441481), run by the
Meizhou agency, with suppliers of Xingning, Meizhou and Guangzhou.

    uv run python docs/e_tender.py           # run it and print the session
    uv run python docs/e_tender.py --write   # run it and rewrite docs/e-tender.md

It runs like docs/closed_loop.py (a throwaway deployment, the demo data, the app through its
ASGI interface), with the platform's clock set to each step's instant (time-machine, not
ticking: legal dates and the deadline instant are the ones shown). Bids are sealed on the
bidder's side with the reference client (gpcloud.transaction.sealing, docs/sealed-bids.md):
the platform never sees a content key before the bidder unseals. The scheduler's tick at the
deadline and at the window's end is the one thing that is not a GraphQL call. A competitive
negotiation follows: sealed responses, the opening, a quote round and the final quote. Three of the
five suppliers are registered for the walk (the demo has two). tests/e2e/test_e_tender.py runs
the same walk.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
            import json

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
            body = await self._post(query, variables, await self._token(user), files)
        self.transcript.append(
            {
                "day": instant.isoformat(timespec="milliseconds"),
                "user": user,
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
    prices = {
        "xn.supplier": "4380000.00",
        "mz.supplier": "4420000.00",
        "gz.supplier": "4290000.00",
        "sg.supplier": "4460000.00",
        "zh.supplier": "4300000.00",
    }
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
QUOTE = (
    "mutation($id: ID!, $price: Decimal!) { submitQuote(roundId: $id, price: $price) "
    "{ quote { price revision submittedAt } errors { code message } } }"
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
        transport = httpx.ASGITransport(app=create_app(run_worker=False))
        with time_machine.travel(at("2026-09-01T08:00:00"), tick=False) as traveller:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gpcloud.local"
            ) as http:
                session = Session(http, traveller, drain)
                await negotiation(session, await walk(session))
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
            "# An open tender with sealed bids, then a negotiation with quote rounds",
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
