"""Audited writes under concurrency: the audit log's cost, against auditing switched off in the
same run.

    GPCLOUD_DB=postgresql://postgres:postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.bench_audit [--clients 50] [--seconds 8] [--rounds 3]

Creates a database of its own on that server (dropped at the end; with no GPCLOUD_DB it uses
SQLite in a temporary folder), one purchaser in each shipped tenant (30), and runs `--clients`
concurrent clients for `--seconds`, each updating the purchaser of its tenant through the
purchasers service (reads, two updates, one audit entry, one transaction), client i in tenant
i mod 30. Modes, interleaved for `--rounds` rounds (the best round of each is reported):

- off:  `audit.record` replaced by a no-op (the ceiling);
- on:   the audit log as shipped;
- lock: the audit log with the province-wide lock the log took until it was sequenced after
        commit (`pg_advisory_xact_lock` at each record, held to commit, and the read of the
        chain's last entry), kept here only to measure it.

Then the sequencer integrates what the runs wrote (entries/s) and `verify` recomputes the log.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from tests.bench.bench_registries import configure, drop


async def setup() -> list[tuple[object, object, int]]:
    """(scope, tenant admin, purchaser id) for each shipped tenant."""
    from gpcloud.core.auth.roles import TENANT_ADMIN
    from gpcloud.core.auth.service import CurrentUser
    from gpcloud.core.db import open_pool, transaction
    from gpcloud.core.migrations import migrate
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants, use_scope
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.registries.purchasers import service as purchasers
    from gpcloud.settings import get_settings

    settings = get_settings()
    await migrate()
    await open_pool(settings.db_pool_min, settings.db_pool_max)
    with all_tenants("bench: tenants"):
        await apply_tenant_files(settings.tenants_dir)
    tree = await tenant_tree(fresh=True)
    clients = []
    active = sorted(code for code, node in tree.nodes.items() if node.status == "active")
    for number, code in enumerate(active, 1):
        actor = CurrentUser(
            id=1000 + number,
            username=f"bench.{code}",
            tenant=code,
            organisation_id=0,
            roles=frozenset({TENANT_ADMIN}),
            must_change_password=False,
            missing_profile=(),
            region=tree.scope_for(code).visible,
        )
        scope = tree.scope_for(code, user_id=actor.id)
        with use_scope(scope):
            async with transaction():
                row = await purchasers.create(
                    actor,
                    code,
                    purchasers.PurchaserInput(
                        name=f"基准测试单位{code}", budget_unit_code=f"B{code}"
                    ),
                )
        clients.append((scope, actor, row["id"]))
    return clients


async def run_mode(targets, clients: int, seconds: float) -> float:
    """Mutations per second with `clients` concurrent clients."""
    from gpcloud.core.db import transaction
    from gpcloud.core.tenancy.scope import use_scope
    from gpcloud.registries.purchasers import service as purchasers

    done = 0
    deadline = time.perf_counter() + seconds

    async def client(i: int) -> None:
        nonlocal done
        scope, actor, purchaser = targets[i % len(targets)]
        n = 0
        with use_scope(scope):
            while time.perf_counter() < deadline:
                n += 1
                async with transaction():
                    await purchasers.update(
                        actor,
                        purchaser,
                        purchasers.PurchaserInput(contact_name=f"联系人{i}-{n}"),
                    )
                done += 1

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return done / (time.perf_counter() - start)


def modes():
    """name -> a context switching audit.record for the run."""
    import contextlib

    from gpcloud.core.audit import service as audit
    from gpcloud.core.audit.tables import AuditEntry
    from gpcloud.core.db import serialize_writes
    from gpcloud.core.tenancy.scope import all_tenants

    real = audit.record

    async def nothing(*args, **kwargs) -> dict:
        return {}

    async def with_lock(*args, **kwargs) -> dict:
        await serialize_writes("audit_chain")
        with all_tenants("bench: the chain's last entry"):
            await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id, ascending=False).first()
        return await real(*args, **kwargs)

    @contextlib.contextmanager
    def patched(fn):
        audit.record = fn
        try:
            yield
        finally:
            audit.record = real

    return {"off": patched(nothing), "on": contextlib.nullcontext(), "lock": patched(with_lock)}


async def sequence_all() -> tuple[int, float]:
    from gpcloud.core.audit import sequencer

    start = time.perf_counter()
    heads = await sequencer.sequence()
    size = heads[-1].tree_size if heads else 0
    return size, time.perf_counter() - start


async def main(clients: int, seconds: float, rounds: int) -> None:
    from gpcloud.core.audit import service as audit
    from gpcloud.core.db import close_pool, is_sqlite

    targets = await setup()
    best: dict[str, float] = {}
    for r in range(rounds):
        for name, switch in modes().items():
            with switch:
                rate = await run_mode(targets, clients, seconds)
            best[name] = max(best.get(name, 0.0), rate)
            print(f"round {r + 1} {name:<4} {rate:8.1f} mutations/s", flush=True)
    engine = "SQLite" if is_sqlite() else "PostgreSQL"
    print(
        f"\n{clients} concurrent clients over {len(targets)} tenants, {engine}, best of {rounds}:"
    )
    for name in best:
        ratio = best[name] / best["off"]
        print(f"  audit {name:<4} {best[name]:8.1f} mutations/s  {ratio:5.2f}x of audit off")
    size, took = await sequence_all()
    result = await audit.verify()
    print(
        f"sequenced {size} entries in {took:.2f} s ({size / took:,.0f} entries/s); verify: {result}"
    )
    await close_pool()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    admin_url = configure(pool_max=args.clients + 5)
    try:
        asyncio.run(main(args.clients, args.seconds, args.rounds))
    finally:
        drop(admin_url)


if __name__ == "__main__":
    cli()
