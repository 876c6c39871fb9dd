"""Quote rounds of a competitive negotiation after its opening: a round per lot at a time, up to
the method's quote_rounds, the last the final quote (最后报价, Law art. 38(5)); invited suppliers
send sealed quotes (the bid format) and revise them until the deadline instant, a quote a
millisecond late is refused; nobody reads a quote before the round closes, the platform
included (a test greps the tables and the file store); then each supplier unseals its own within
the decryption window and the agency reads them, and the final quote per supplier."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.transaction import opening, quotes
from gpcloud.transaction import service as projects
from gpcloud.transaction.tables import Project
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import (
    DEADLINE,
    MS,
    PUBLISHED_AT,
    bidder,
    project_row,
    quote,
    seal_quote,
    submit,
    tick,
    unseal_quote,
)
from tests.integration.transaction.test_sealed_bids import storage_files

HOUR = timedelta(hours=1)


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(PUBLISHED_AT, tick=False) as t:
        yield t


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def opened_negotiation(world, traveller, method: str = "competitive_negotiation"):
    """A negotiation whose three bids were unsealed at the opening: (project, bidders, late)
    where `late` bid but never unsealed."""
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
    with all_tenants("test: the method the plan's approved change chose"):
        await Project.update({Project.method: method}).where(Project.id == project)
    with use_scope(world["scope"]):
        await projects.publish_tender(
            world["agent"], project, "谈判公告", "正文", None, bid_deadline_at=DEADLINE
        )
    suppliers = [await bidder(n) for n in range(1, 5)]
    traveller.move_to(DEADLINE - HOUR)
    keys = {}
    for n, s in enumerate(suppliers):
        row, _, key = await submit(s, project, f"{4_000_000 + n * 10_000}")
        keys[s.organisation] = (row["id"], key)
    traveller.move_to(DEADLINE + MS)
    await tick()
    traveller.shift(60)
    for s in suppliers[:3]:
        bid, key = keys[s.organisation]
        assert (await opening.unseal(s.user, bid, b64(key))).failure is None
    traveller.move_to((await project_row(project))["opening_ends_at"] + MS)
    await tick()
    assert (await project_row(project))["status"] == "opened"
    return project, suppliers[:3], suppliers[3]


def sealed_parts(sealed) -> tuple[bytes, bytes, bytes]:
    return sealed.ciphertext, sealed.wrapped_key, sealed.signature


async def tables_with(marker: str) -> list[str]:
    """The tables with a row whose text holds the marker (every table, every column)."""
    found = []
    with all_tenants("test: every table"):
        if Project._meta.db.engine_type == "sqlite":
            query = "SELECT name AS t FROM sqlite_master WHERE type = 'table'"
        else:
            query = (
                "SELECT table_name AS t FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        for table in [r["t"] for r in await Project.raw(query)]:
            if any(marker in repr(row) for row in await Project.raw(f'SELECT * FROM "{table}"')):
                found.append(table)
    return found


async def nothing_readable(marker: str) -> None:
    """The marker of a quote form is in no table row and no stored file; the quotes' sealed
    files are there."""
    assert await tables_with(marker) == []
    files = storage_files()
    assert any("quotes" in str(f) for f in files)
    for path in files:
        assert marker.encode() not in path.read_bytes(), path


async def closes() -> list:
    return [d for d in await scheduler.run_once(clock.now()) if d.machine == "quote round"]


async def test_rounds_then_the_final_quote(world, traveller):
    project, (a, b, c), never = await opened_negotiation(world, traveller)
    agent = world["agent"]
    now = clock.now()
    with pytest.raises(DomainError) as info:  # only the suppliers still taking part
        await quotes.open_round(agent, project, "1", now + HOUR, supplier_ids=[never.organisation])
    assert info.value.code == "INVALID_SUPPLIERS"
    with pytest.raises(DomainError) as info:
        await quotes.open_round(a.user, project, "1", now + HOUR)
    assert info.value.code == "FORBIDDEN"
    first = await quotes.open_round(agent, project, "1", now + HOUR)
    assert first["number"] == 1 and not first["final"]
    assert sorted(quotes.invited(first)) == sorted([a.organisation, b.organisation, c.organisation])
    assert first["next_check"] == now + HOUR
    with pytest.raises(DomainError) as info:  # one round at a time
        await quotes.open_round(agent, project, "1", now + 2 * HOUR)
    assert info.value.code == "ROUND_OPEN"

    traveller.shift(600)
    q, _ = await quote(a, first, "3950000.00", "含三年质保 QUOTE-MARKER-5b1e")
    revised, key_a = await quote(a, first, "3940000.00")
    assert revised["id"] == q["id"] and revised["status"] == "submitted"
    assert revised["price_fen"] == 0  # sealed: the price is nowhere on the platform
    assert revised["revision"] == 1 and revised["digest"] != q["digest"]
    _, key_b = await quote(b, first, "3990000")
    c_quote, key_c = await quote(c, first, "-1")  # a bad price is found once unsealed
    with pytest.raises(DomainError) as info:  # not invited: not there
        await quote(never, first, "3000000")
    assert info.value.code == "NOT_FOUND"
    sealed, _ = seal_quote(a, {**first, "lot": "2"}, "3900000")  # another lot's envelope
    with pytest.raises(DomainError) as info:
        await quotes.submit(a.user, first["id"], *sealed_parts(sealed))
    assert info.value.code == "QUOTE_WRONG_LOT"
    sealed, _ = seal_quote(a, first, "3900000")
    with pytest.raises(DomainError) as info:  # signed by somebody else
        await quotes.submit(a.user, first["id"], sealed.ciphertext, sealed.wrapped_key, b"x" * 64)
    assert info.value.code == "BID_SIGNATURE_INVALID"
    with pytest.raises(DomainError) as info:  # a plain quote is refused
        await quotes.submit(a.user, first["id"], b'{"price": "3900000"}', b"k", b"s")
    assert info.value.code == "BID_NOT_SEALED"
    # Nobody reads a quote during the round, the platform included: not in the tables...
    await nothing_readable("QUOTE-MARKER-5b1e")

    # Sealed until the round closes: the agency reads nothing, a supplier its own (sealed).
    proj = await project_row(project)
    assert await quotes.readable(agent, first, proj) == []
    mine = await quotes.readable(b.user, first, proj)
    assert [m["supplier_organisation"] for m in mine] == [b.organisation]
    with pytest.raises(DomainError) as info:  # unsealed once the round has closed
        await unseal_quote(a, revised, key_a)
    assert info.value.code == "ROUND_OPEN"

    traveller.move_to(first["deadline_at"])
    with pytest.raises(DomainError) as info:  # at the deadline instant: late
        await quote(c, first, "3980000")
    assert info.value.code == "QUOTE_LATE"
    assert "after the round's deadline" in str(info.value)
    traveller.shift(0.5)
    [ran] = await closes()
    assert ran.action == "close" and ran.due_at == first["deadline_at"]
    closed = await quotes.get_round(first["id"])
    assert closed["status"] == "closed"
    assert await quotes.readable(agent, closed, proj) == []  # none unsealed yet
    with pytest.raises(DomainError) as info:  # someone else's key
        await unseal_quote(a, revised, key_b)
    assert info.value.code == "BID_KEY_WRONG"
    with pytest.raises(DomainError) as info:  # someone else's quote: not there
        await unseal_quote(b, revised, key_a)
    assert info.value.code == "NOT_FOUND"
    opened = await unseal_quote(a, revised, key_a)
    assert opened["status"] == "unsealed" and opened["price_fen"] == 394_000_000
    assert opened["note"] == ""  # the last revision counts
    with pytest.raises(DomainError) as info:  # once
        await unseal_quote(a, revised, key_a)
    assert info.value.code == "WRONG_STATE"
    await unseal_quote(b, (await quotes.readable(b.user, closed, proj))[0], key_b)
    with pytest.raises(DomainError) as info:
        await unseal_quote(c, c_quote, key_c)
    assert info.value.code == "INVALID_PRICE"
    prices = {
        r["supplier_organisation"]: r["price_fen"]
        for r in await quotes.readable(agent, closed, proj)
    }
    assert prices == {a.organisation: 394_000_000, b.organisation: 399_000_000}
    traveller.move_to(await quotes.unsealing_ends(closed))
    with pytest.raises(DomainError) as info:  # the window is over: c gave none
        await unseal_quote(c, c_quote, key_c)
    assert info.value.code == "UNSEALING_CLOSED"

    # The second round is the last competitive_negotiation allows: the final quote, from the
    # two the panel keeps.
    final = await quotes.open_round(
        agent, project, "1", clock.now() + HOUR, supplier_ids=[a.organisation, c.organisation]
    )
    assert final["number"] == 2 and final["final"]
    with all_tenants("test: the notifications"):
        told = (
            await Notification.select()
            .where(Notification.kind == "project.quote_round_opened")
            .order_by(Notification.id)
        )
    assert [n["recipient"] for n in told] == [
        *sorted([a.user.id, b.user.id, c.user.id]),
        *sorted([a.user.id, c.user.id]),
    ]  # the invited of each round, nobody else
    assert "最后报价" in told[-1]["body"]
    with pytest.raises(DomainError) as info:  # b is out
        await quote(b, final, "3800000")
    assert info.value.code == "NOT_FOUND"
    last, key = await quote(c, final, "3850000.50")
    assert await quotes.final_quotes(project, "1") == []  # not before it closes
    traveller.move_to(final["deadline_at"] + MS)
    await closes()
    assert [f["quote"] for f in await quotes.final_quotes(project, "1")] == [None, None]
    await unseal_quote(c, last, key)
    given = {
        f["supplier_organisation"]: f["quote"]["price_fen"] if f["quote"] else None
        for f in await quotes.final_quotes(project, "1")
    }
    assert given == {a.organisation: None, c.organisation: 385_000_050}
    with pytest.raises(DomainError) as info:
        await quotes.open_round(agent, project, "1", clock.now() + HOUR)
    assert info.value.code == "FINAL_QUOTES_TAKEN"

    with all_tenants("test: the audit log"):
        actions = [
            r["action"]
            for r in await AuditEntry.select(AuditEntry.action)
            .where(AuditEntry.action.like("quote%"))
            .order_by(AuditEntry.id)
        ]
    assert actions == [
        "quote_round.open",
        "quote.submit",
        "quote.revise",
        "quote.submit",
        "quote.submit",
        "quote_round.close",
        "quote.unseal",
        "quote.unseal",
        "quote_round.open",
        "quote.submit",
        "quote_round.close",
        "quote.unseal",
    ]


async def test_a_final_round_declared_early_and_methods_without_rounds(world, traveller):
    project, (a, _, _), _ = await opened_negotiation(world, traveller, "competitive_consultation")
    final = await quotes.open_round(world["agent"], project, "1", clock.now() + HOUR, final=True)
    assert final["number"] == 1 and final["final"]
    given, key = await quote(a, final, "3900000")
    traveller.move_to(final["deadline_at"] + MS)
    await closes()
    await unseal_quote(a, given, key)
    with pytest.raises(DomainError) as info:
        await quotes.open_round(world["agent"], project, "1", clock.now() + HOUR)
    assert info.value.code == "FINAL_QUOTES_TAKEN"
    finals = await quotes.final_quotes(project, "1")
    assert len(finals) == 3
    assert sum(f["quote"] is not None for f in finals) == 1


async def test_an_open_tender_has_no_quote_rounds(world, traveller):
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
    with pytest.raises(DomainError) as info:
        await quotes.open_round(world["agent"], project, "1", clock.now() + HOUR)
    assert info.value.code == "QUOTE_ROUNDS_NOT_ALLOWED"


async def test_a_round_waits_for_the_opening(world, traveller):
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
    with all_tenants("test"):
        await Project.update({Project.method: "competitive_negotiation"}).where(
            Project.id == project
        )
    with pytest.raises(DomainError) as info:
        await quotes.open_round(world["agent"], project, "1", clock.now() + HOUR)
    assert info.value.code == "WRONG_STATE"
