"""One transaction per mutation; user errors come back in the payload, never half-written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.types import MAX_USER_ERRORS, UserError

P = TypeVar("P")


async def run_mutation(payload: Callable[..., P], work: Callable[[], Awaitable[P]]) -> P:
    """Run `work` in one transaction. A DomainError rolls it back and becomes `payload(errors=...)`."""
    try:
        async with transaction():
            return await work()
    except DomainError as exc:
        return payload(errors=[UserError.of(p) for p in exc.problems[:MAX_USER_ERRORS]])


async def run_payload(payload: Callable[..., P], field: str, convert, work) -> P:
    """run_mutation for the common case: the payload's `field` is `convert(await work())`."""

    async def run() -> P:
        return payload(**{field: convert(await work())})

    return await run_mutation(payload, run)
