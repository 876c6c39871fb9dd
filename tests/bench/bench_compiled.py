"""CPU per execution of the peer query, strawberry against the compiled path, without HTTP.

    GPCLOUD_DB=postgresql://postgres@127.0.0.1:5432/gpcloud_bench_NNN GPCLOUD_REDIS=redis://... \\
        uv run python -m tests.bench.bench_compiled [--runs 300]

On a database kept by `python -m tests.bench.bench_portal --keep`. Reports, per request, the
process CPU time of: the notices SQL alone (service.find), the resolver's body, the resolver
as strawberry wraps it (permission classes, argument conversion), strawberry's whole
Schema.execute and compiled.execute; each twice, interleaved (the machine is shared, read the
lower of each pair).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path

QUERY = (Path(__file__).parent / "peer" / "gpcloud.graphql").read_text(encoding="utf-8")
VARIABLES = {"city": "441400", "type": "TENDER", "first": 20}


async def run(runs: int) -> None:
    from graphql.execution.executor import Executor
    from graphql.execution.values import get_argument_values
    from graphql.pyutils import Path as ResponsePath
    from strawberry.types.graphql import OperationType

    from gpcloud.core.db import close_pool, open_pool
    from gpcloud.core.graphql import compiled
    from gpcloud.core.graphql.context import Context
    from gpcloud.core.graphql.dataloaders import Loaders
    from gpcloud.core.graphql.schema import schema
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.portal import graphql as portal
    from gpcloud.portal import service
    from gpcloud.settings import get_settings
    from graphql import parse

    settings = get_settings()
    await open_pool(settings.db_pool_min, settings.db_pool_max)
    allowed = {OperationType.QUERY}

    async def context() -> Context:
        return Context(loaders=Loaders(), tree=await tenant_tree())

    document = parse(QUERY)
    executor = Executor.build(schema._schema, document, raw_variable_values=VARIABLES)
    field = schema._schema.query_type.fields["notices"]
    node = document.definitions[0].selection_set.selections[0]
    info = executor.build_resolve_info(
        field, [node], schema._schema.query_type, ResponsePath(None, "notices", "Query")
    )
    wanted = service.NoticeFilter(region="441400", kinds=("tender",))

    async def sql() -> None:
        await service.find(wanted, 20, None)

    async def body() -> None:
        flt = portal.NoticeFilter(region="441400", kinds=[portal.NoticeKind("tender")])
        await portal.Queries.notices(None, flt, 20, None)

    async def wrapped() -> None:
        await field.resolve(
            None, info, **get_argument_values(field, node, executor.variable_values)
        )

    async def strawberry() -> None:
        result = await schema.execute(QUERY, VARIABLES, await context(), None, None, allowed)
        assert not result.errors, result.errors

    async def plan() -> None:
        result = await compiled.execute(
            schema, QUERY, VARIABLES, None, await context(), None, allowed
        )
        assert result is not None

    cases = {
        "notices SQL (service.find)": sql,
        "resolver body": body,
        "resolver as strawberry wraps it": wrapped,
        "strawberry Schema.execute": strawberry,
        "compiled.execute": plan,
    }
    print(f"CPU per execution, ms ({runs} runs each, twice):")
    for name, case in (*cases.items(), *cases.items()):
        for _ in range(20):
            await case()
        started = time.process_time()
        for _ in range(runs):
            await case()
        print(f"  {name:34} {1000 * (time.process_time() - started) / runs:6.3f}")
    await close_pool()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # one request line per operation would be measured too
    asyncio.run(run(args.runs))


if __name__ == "__main__":
    main()
