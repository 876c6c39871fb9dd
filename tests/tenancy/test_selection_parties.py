"""Prequalification and quote rounds through the API, party by party: Guangzhou applicants of a
Xingning project see their own application only, and the project from then on; a supplier
that did not apply reads the public notice and nothing else; a purchaser of another region
sees no application (the project's region sees them all). In a round, a quote is read by its supplier only until the round closes,
then by the agency; a supplier not invited sees no round at all."""

from __future__ import annotations

import base64
from datetime import timedelta

import time_machine

from gpcloud.core import clock
from gpcloud.core.scheduler import service as scheduler
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import MS, PUBLISHED_AT, bidder, seal_quote
from tests.integration.transaction.test_prequalification import DUE_AT, NOTICE_AT, entrusted
from tests.integration.transaction.test_quote_rounds import opened_negotiation
from tests.support import data, gql, login

NOTICE = """mutation($input: PrequalificationNoticeInput!) { publishPrequalificationNotice(
  input: $input) { prequalification { id status applicationsDueAt } errors { code message } } }"""
APPLY = """mutation($input: PrequalificationApplicationInput!) { applyForPrequalification(
  input: $input) { application { id status documents { name sha256 } } errors { code } } }"""
READ = """query($id: ID!) { prequalification(projectId: $id) { status requirements
  applications { id supplierName status } } project(id: $id) { id } }"""
REVIEW = """mutation($id: ID!, $ok: Boolean!, $reason: String!) {
  reviewPrequalificationApplication(applicationId: $id, qualified: $ok, reason: $reason) {
  application { status reason } errors { code } } }"""
CONCLUDE = """mutation($id: ID!) { concludePrequalification(projectId: $id) {
  prequalification { status qualified } errors { code } } }"""
OPEN_ROUND = """mutation($id: ID!, $at: DateTime!) { openQuoteRound(projectId: $id,
  deadlineAt: $at) { round { id number final invited status } errors { code } } }"""
QUOTE = """mutation($id: ID!, $c: String!, $k: String!, $s: String!) { submitQuote(roundId: $id,
  ciphertext: $c, wrappedKey: $k, signature: $s) { quote { id price unsealed revision }
  errors { code message } } }"""
UNSEAL_QUOTE = """mutation($id: ID!, $key: String!) { unsealQuote(quoteId: $id, contentKey: $key) {
  quote { price unsealed } errors { code } } }"""
MINE = """query($id: ID!) { quoteRounds(projectId: $id) { id status quotes { supplierName
  price } } }"""
ROUNDS = """query($id: ID!) { quoteRounds(projectId: $id) { id status quotes { supplierName
  price } } finalQuotes(projectId: $id) { supplierOrganisationId quote { price } } }"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


KEYS: dict[int, bytes] = {}


def sealed_quote(b, round_row: dict, price: str) -> dict:
    """The submitQuote variables of a quote sealed by `b` (its content key kept in KEYS)."""
    sealed, key = seal_quote(b, round_row, price)
    KEYS[b.organisation] = key
    return {
        "id": str(round_row["id"]),
        "c": b64(sealed.ciphertext),
        "k": b64(sealed.wrapped_key),
        "s": b64(sealed.signature),
    }


def sealed_key(b) -> str:
    return b64(KEYS[b.organisation])


async def supplier_token(client, b) -> str:
    n = int(b.name.removeprefix("广州投标测试").removesuffix("号有限公司"))
    return await login(client, f"gz.bidder{n}", "x" * 12)


async def test_prequalification_parties(client, demo):
    world = await filed_plan()
    with time_machine.travel(NOTICE_AT, tick=False) as traveller:
        project = str(await entrusted(world))
        agency = await login(client, "mz.agency")
        published = data(
            await gql(
                client,
                NOTICE,
                {
                    "input": {
                        "projectId": project,
                        "title": "资格预审公告",
                        "body": "详见资格预审文件。",
                        "requirements": [{"item": "营业执照"}],
                        "applicationsDueAt": DUE_AT.isoformat(),
                    }
                },
                token=agency,
            )
        )["publishPrequalificationNotice"]
        assert published["errors"] == [] and published["prequalification"]["status"] == "OPEN"
        a, b, stranger = [await bidder(n) for n in (1, 2, 3)]
        tokens = {s.organisation: await supplier_token(client, s) for s in (a, b, stranger)}
        seen = data(await gql(client, READ, {"id": project}, token=tokens[a.organisation]))
        assert seen["project"] is None and seen["prequalification"]["applications"] == []
        ids = {}
        for s in (a, b):
            done = data(
                await gql(
                    client,
                    APPLY,
                    {
                        "input": {
                            "projectId": project,
                            "statement": "满足资格条件",
                            "documents": [{"name": "营业执照.pdf", "content": b64(b"license")}],
                        }
                    },
                    token=tokens[s.organisation],
                )
            )["applyForPrequalification"]
            assert done["errors"] == [] and done["application"]["status"] == "SUBMITTED"
            ids[s.organisation] = done["application"]["id"]
        mine = data(await gql(client, READ, {"id": project}, token=tokens[a.organisation]))
        assert mine["project"] == {"id": project}  # an applicant is a party
        assert [x["supplierName"] for x in mine["prequalification"]["applications"]] == [a.name]
        other = data(await gql(client, READ, {"id": project}, token=tokens[stranger.organisation]))
        assert other["project"] is None and other["prequalification"]["applications"] == []
        everyone = data(await gql(client, READ, {"id": project}, token=agency))
        assert len(everyone["prequalification"]["applications"]) == 2
        # A supplier cannot review, nor read another's application by its id.
        refused = await gql(
            client,
            REVIEW,
            {"id": ids[b.organisation], "ok": True, "reason": ""},
            token=tokens[a.organisation],
        )
        assert "errors" in refused or refused["data"]["reviewPrequalificationApplication"]["errors"]

        traveller.move_to(DUE_AT + MS)
        await scheduler.run_once(clock.now())
        agency = await login(client, "mz.agency")
        for s in (a, b):
            out = data(
                await gql(
                    client,
                    REVIEW,
                    {"id": ids[s.organisation], "ok": s is a, "reason": "证照过期"},
                    token=agency,
                )
            )["reviewPrequalificationApplication"]
            assert out["errors"] == []
        concluded = data(await gql(client, CONCLUDE, {"id": project}, token=agency))
        assert concluded["concludePrequalification"]["prequalification"] == {
            "status": "FAILED",
            "qualified": 1,
        }


async def test_quote_round_parties(client, demo):
    world = await filed_plan()
    with time_machine.travel(PUBLISHED_AT, tick=False) as traveller:
        project, (a, b, _), never = await opened_negotiation(world, traveller)
        pid = str(project)
        agency = await login(client, "mz.agency")
        deadline = clock.now() + timedelta(hours=1)
        opened = data(
            await gql(client, OPEN_ROUND, {"id": pid, "at": deadline.isoformat()}, token=agency)
        )["openQuoteRound"]
        assert opened["errors"] == [] and opened["round"]["number"] == 1
        rid = opened["round"]["id"]
        tokens = {s.organisation: await supplier_token(client, s) for s in (a, b, never)}
        round_row = {"id": int(rid), "project": project, "lot": "1"}
        sent = {}
        for s, price in ((a, "3950000.00"), (b, "3960000.00")):
            out = data(
                await gql(client, QUOTE, sealed_quote(s, round_row, price), tokens[s.organisation])
            )
            assert out["submitQuote"]["errors"] == []
            sent[s.organisation] = out["submitQuote"]["quote"]["id"], sealed_key(s)
        refused = data(
            await gql(
                client, QUOTE, sealed_quote(never, round_row, "1"), tokens[never.organisation]
            )
        )["submitQuote"]
        assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]

        sealed = data(await gql(client, ROUNDS, {"id": pid}, token=agency))
        assert sealed["quoteRounds"][0]["quotes"] == [] and sealed["finalQuotes"] == []
        own = data(await gql(client, MINE, {"id": pid}, token=tokens[a.organisation]))
        assert own["quoteRounds"][0]["quotes"] == [{"supplierName": a.name, "price": None}]
        refused = await gql(client, ROUNDS, {"id": pid}, token=tokens[a.organisation])
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the agency's only
        outsider = data(await gql(client, MINE, {"id": pid}, token=tokens[never.organisation]))
        assert outsider["quoteRounds"] == []

        traveller.move_to(deadline + MS)
        await scheduler.run_once(clock.now())
        agency = await login(client, "mz.agency")
        for s in (a, b):  # each supplier unseals its own, with its key
            quote_id, key = sent[s.organisation]
            other = sent[(b if s is a else a).organisation][0]
            stolen = data(
                await gql(client, UNSEAL_QUOTE, {"id": other, "key": key}, tokens[s.organisation])
            )["unsealQuote"]
            assert [e["code"] for e in stolen["errors"]] == ["NOT_FOUND"]  # not its quote
            out = data(
                await gql(
                    client, UNSEAL_QUOTE, {"id": quote_id, "key": key}, tokens[s.organisation]
                )
            )["unsealQuote"]
            assert out["errors"] == [] and out["quote"]["unsealed"]
        read = data(await gql(client, ROUNDS, {"id": pid}, token=agency))["quoteRounds"][0]
        assert read["status"] == "CLOSED"
        assert sorted(q["price"] for q in read["quotes"]) == ["3950000.00", "3960000.00"]
