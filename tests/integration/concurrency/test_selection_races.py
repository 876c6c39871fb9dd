"""Prequalification, the invitation draw and quote rounds raced: N identical requests at once, each in its own task,
transaction and connection; one wins, the others lose cleanly, and what the winner did (the
audit entry, the row) happens once. Three schedulers at a deadline close it once.

On PostgreSQL the requests really interleave; on SQLite they queue on the write lock."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import invitations, prequalification, quotes
from gpcloud.transaction.selection_tables import PrequalificationApplication, Quote, QuoteRound
from tests.integration.concurrency.test_transitions import N, one_wins, race
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import MS, PUBLISHED_AT, bidder, seal_quote
from tests.integration.transaction.test_prequalification import (
    DUE_AT,
    NOTICE_AT,
    application,
    entrusted,
    notice,
)
from tests.integration.transaction.test_quote_rounds import opened_negotiation

HOUR = timedelta(hours=1)


@pytest.fixture
async def world(demo):
    return await filed_plan()


async def audited(action: str) -> int:
    with all_tenants("test: the audit log"):
        return await AuditEntry.count().where(AuditEntry.action == action)


async def test_prequalification_races(world):
    with time_machine.travel(NOTICE_AT, tick=False) as traveller:
        project = await entrusted(world)
        published, losses = await race(
            lambda: prequalification.publish(world["agent"], project, notice())
        )
        one_wins(published, [c for c in losses if c != "PREQUALIFICATION_EXISTS"])
        suppliers = [await bidder(n) for n in range(1, 4)]
        applied, failed = await race(
            lambda: prequalification.apply(suppliers[0].user, project, application())
        )
        assert failed == [] and len(applied) == N  # the first applies, the rest replace
        with all_tenants("test"):
            assert await PrequalificationApplication.count() == 1
        for s in suppliers[1:]:
            await prequalification.apply(s.user, project, application())
        apps = await prequalification.applications(project)

        traveller.move_to(DUE_AT + MS)
        ran = await asyncio.gather(*(scheduler.run_once(clock.now()) for _ in range(3)))
        closes = [d for batch in ran for d in batch if d.machine == "prequalification"]
        assert len(closes) == 1 and await audited("prequalification.close") == 1

        wins, losses = await race(
            lambda: prequalification.review(world["agent"], apps[0]["id"], True, "")
        )
        one_wins(wins, losses)
        assert await audited("prequalification_application.qualify") == 1
        for a in apps[1:]:
            await prequalification.review(world["agent"], a["id"], True, "")
        wins, losses = await race(lambda: prequalification.conclude(world["agent"], project))
        assert one_wins(wins, losses)["status"] == "concluded"
        assert await audited("prequalification.conclude") == 1


async def test_invitation_draw_races(world):
    """N agency requests draw the invitees at once: one draw, one audit entry, one set of
    invitations; the others lose on the compare-and-set (or find it drawn)."""
    with time_machine.travel(NOTICE_AT, tick=False) as traveller:
        project = await entrusted(world, "invited_tender")
        await prequalification.publish(world["agent"], project, notice())
        suppliers = [await bidder(n) for n in range(1, 5)]
        for s in suppliers:
            await prequalification.apply(s.user, project, application())
        traveller.move_to(DUE_AT + MS)
        await scheduler.run_once(clock.now())
        for a in await prequalification.applications(project):
            await prequalification.review(world["agent"], a["id"], True, "")
        await prequalification.conclude(world["agent"], project)
        wins, losses = await race(lambda: invitations.draw(world["agent"], project, 3))
        assert one_wins(wins, losses)["status"] == "drawn"
        assert await audited("invitation_draw.draw") == 1


async def test_quote_round_races(world):
    with time_machine.travel(PUBLISHED_AT, tick=False) as traveller:
        project, (a, _, _), _ = await opened_negotiation(world, traveller)
        deadline = clock.now() + HOUR
        wins, losses = await race(lambda: quotes.open_round(world["agent"], project, "1", deadline))
        one_wins(wins, [c for c in losses if c != "ROUND_OPEN"])
        with all_tenants("test"):
            assert await QuoteRound.count() == 1
        [opened] = wins
        sealed, key = seal_quote(a, opened, "3900000")
        quoted, failed = await race(
            lambda: quotes.submit(
                a.user, opened["id"], sealed.ciphertext, sealed.wrapped_key, sealed.signature
            )
        )
        assert failed == [] and len(quoted) == N
        with all_tenants("test"):
            [only] = await Quote.select()
        assert only["revision"] == N - 1  # one quote, revised by each later copy
        assert await audited("quote.submit") == 1 and await audited("quote.revise") == N - 1

        traveller.move_to(deadline + MS)
        ran = await asyncio.gather(*(scheduler.run_once(clock.now()) for _ in range(3)))
        closes = [d for batch in ran for d in batch if d.machine == "quote round"]
        assert len(closes) == 1 and await audited("quote_round.close") == 1
        content_key = base64.b64encode(key).decode()
        wins, losses = await race(lambda: quotes.unseal(a.user, only["id"], content_key))
        assert one_wins(wins, losses)["price_fen"] == 390_000_000
        assert await audited("quote.unseal") == 1
