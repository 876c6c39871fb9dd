"""The abuse suite's shared check: a hostile request is refused while the platform stays alive.

`refused_while_alive` sends the hostile request and, while it is being handled, `{ __typename }`
on the same app; the second must answer within LIVENESS seconds, plus ten times what the same
probe took just before (on a loaded machine every request is slower, and a starving request
holds the probe for its whole run: seconds, not a multiple of a probe). It is a liveness check
(does one request starve the others?), not a benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx

LIVENESS = 1.0  # seconds for `{ __typename }` while the hostile request is handled
HOSTILE = 30.0  # a hostile request not answered by then has failed the test anyway


async def refused_while_alive(
    client: httpx.AsyncClient, send: Callable[[], Awaitable[httpx.Response]]
) -> httpx.Response:
    started = time.perf_counter()
    await client.post("/graphql", json={"query": "{ __typename }"})
    baseline = time.perf_counter() - started
    hostile = asyncio.ensure_future(send())
    await asyncio.sleep(0)  # let it start
    started = time.perf_counter()
    probe = await client.post("/graphql", json={"query": "{ __typename }"})
    answered = time.perf_counter() - started
    try:
        response = await asyncio.wait_for(hostile, HOSTILE)
    except TimeoutError:
        raise AssertionError(f"the hostile request was not answered within {HOSTILE} s") from None
    assert probe.json() == {"data": {"__typename": "Query"}}, probe.text
    bound = LIVENESS + 10 * baseline
    assert answered < bound, (
        f"{{ __typename }} took {answered:.2f} s during the request ({baseline:.3f} s before)"
    )
    return response


async def hostile_query(
    client: httpx.AsyncClient, query: str, variables: dict | None = None, token: str | None = None
) -> httpx.Response:
    """POST a GraphQL document as the hostile request of `refused_while_alive`."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await refused_while_alive(
        client,
        lambda: client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        ),
    )


def refusal(response: httpx.Response) -> dict:
    """The one GraphQL error of a refused request (status 200, no data)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None and len(body["errors"]) == 1, body
    return body["errors"][0]


@contextlib.asynccontextmanager
async def serving(app) -> AsyncIterator[str]:
    """`app` behind a real uvicorn server on a free port, in this event loop: its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
