"""Sealed-bid tests' setting: an open tender of the Xingning school (filed_plan) run by the
Meizhou agency with a deadline instant, and bidders from Guangzhou (registered once for the
province, outside the project's region) with their keys, sealing with the reference client.

The platform's clock is moved with time-machine (tick=False): every instant in these tests is
one the test chose, whatever day the suite runs on."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from gpcloud.core import clock
from gpcloud.core.auth import passwords
from gpcloud.core.auth.service import CurrentUser, load_current_user
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.keys import service as keys
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.validation import uscc_check_char
from gpcloud.transaction import bids, quotes, sealing
from gpcloud.transaction import service as projects

PUBLISHED_ON = date(2026, 9, 21)  # 20 days end on Sunday 11 Oct: deadline day Monday 12 Oct
PUBLISHED_AT = datetime.fromisoformat("2026-09-21T10:00:00+08:00")
DEADLINE = datetime.fromisoformat("2026-10-12T09:30:00+08:00")
MS = timedelta(milliseconds=1)
MARKER = "MARKER-报价保密-7f3a9c"  # in every bid form: must appear nowhere before the opening


@dataclass
class Bidder:
    user: CurrentUser
    organisation: int
    name: str
    signing_key: Ed25519PrivateKey
    sealing_key: X25519PrivateKey


async def bidder(n: int, region: str = "440100") -> Bidder:
    """A supplier of `region` (default Guangzhou) with one user and its registered signing key."""
    uscc17 = f"914401{n:02d}MA4W0{n:04d}"[:17]
    name = f"广州投标测试{n}号有限公司"
    with all_tenants("test: a supplier registered for the province"):
        async with transaction():
            org = Organisation(
                name=name, kind="supplier", region=region, uscc=uscc17 + uscc_check_char(uscc17)
            )
            await org.save()
            user = User(
                tenant_id=region,
                organisation=org.id,
                username=f"gz.bidder{n}",
                password_hash=await passwords.hash_password("x" * 12),
                display_name=name,
                mobile="13800000000",
                email=f"bidder{n}@example.com",
                must_change_password=False,
            )
            await user.save()
            await UserRole.insert(UserRole(tenant_id=region, user=user.id, role="supplier"))
    actor = await load_current_user(user.id)
    signing = sealing.generate_signing_key()
    with use_scope(None), all_tenants("test"):
        await keys.register_signing_key(actor, sealing.raw_public(signing).hex())
    return Bidder(actor, org.id, name, signing, sealing.generate_sealing_key())


async def demo_bidder(username: str) -> Bidder:
    """A demo supplier (in the supplier registry, so it can be awarded) with a signing key."""
    from tests.integration.procurement import actor

    user = await actor(username)
    with all_tenants("test"):
        org = await Organisation.select().where(Organisation.id == user.organisation_id).first()
    signing = sealing.generate_signing_key()
    with use_scope(None), all_tenants("test"):
        await keys.register_signing_key(user, sealing.raw_public(signing).hex())
    return Bidder(user, org["id"], org["name"], signing, sealing.generate_sealing_key())


def seal(b: Bidder, project: int, price: str, lot: str = "1", key: bytes | None = None):
    """(sealed bid, content key) of a bid form with `price` and the marker."""
    content_key = key or os.urandom(32)
    package = sealing.BidPackage(
        form={"price": price, "discount": "无", "delivery": "30 日", "note": MARKER},
        files=[sealing.BidFile("技术响应.txt", f"{MARKER} 技术方案".encode())],
    )
    sealed = sealing.seal(
        package,
        project_id=project,
        lot=lot,
        signing_key=b.signing_key,
        sealing_public_key=b.sealing_key.public_key(),
        content_key=content_key,
    )
    return sealed, content_key


async def submit(b: Bidder, project: int, price: str, lot: str = "1", security: str | None = None):
    """Seal and submit; (bid row, receipt, content key)."""
    sealed, content_key = seal(b, project, price, lot)
    row, receipt = await bids.submit(
        b.user, project, lot, sealed.ciphertext, sealed.wrapped_key, sealed.signature, security
    )
    return row, receipt, content_key


async def tender(world: dict, traveller, deadline: datetime = DEADLINE) -> int:
    """The plan entrusted and its tender published on 21 Sep 2026 with the deadline instant."""
    traveller.move_to(PUBLISHED_AT)
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
        await projects.publish_tender(
            world["agent"],
            project,
            "招标公告",
            "正文",
            None,
            on=PUBLISHED_ON,
            bid_deadline_at=deadline,
        )
    return project


async def tick() -> list:
    """The scheduler's tick now: what it ran on projects (announcements end their periods too)."""
    return [d for d in await scheduler.run_once(clock.now()) if d.machine == "project"]


async def project_row(project: int) -> dict:
    with all_tenants("test"):
        return await projects.get(project)


def seal_quote(b: Bidder, round_row: dict, price: str, note: str = "", key: bytes | None = None):
    """(sealed quote, content key): the quote form in the bid format (docs/sealed-bids.md)."""
    content_key = key or os.urandom(32)
    sealed = sealing.seal(
        sealing.BidPackage(form={"round": round_row["id"], "price": price, "note": note}, files=[]),
        project_id=round_row["project"],
        lot=round_row["lot"],
        signing_key=b.signing_key,
        sealing_public_key=b.sealing_key.public_key(),
        content_key=content_key,
    )
    return sealed, content_key


async def quote(b: Bidder, round_row: dict, price: str, note: str = ""):
    """Seal and submit a quote; (quote row, content key)."""
    sealed, content_key = seal_quote(b, round_row, price, note)
    row = await quotes.submit(
        b.user, round_row["id"], sealed.ciphertext, sealed.wrapped_key, sealed.signature
    )
    return row, content_key


async def unseal_quote(b: Bidder, row: dict, content_key: bytes) -> dict:
    """The supplier unseals its quote with its content key (after the round closed)."""
    return await quotes.unseal(b.user, row["id"], base64.b64encode(content_key).decode())
