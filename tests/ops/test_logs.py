"""One log line per request: operation, tenant, user id, duration, outcome; JSON in production;
no personal data beyond ids."""

import json
import logging

from gpcloud.core.ops.logs import JsonFormatter
from tests.support import gql, login


def _lines(caplog):
    return [r for r in caplog.records if r.name == "gpcloud.request"]


async def test_each_operation_leaves_one_line_with_ids_only(client, demo, caplog):
    token = await login(client, "xn.admin")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="gpcloud.request"):
        await gql(client, "query Who { me { user { username } } }", token=token)
        await gql(client, "{ notAField }")
        await client.get("/health/live")
        # whatever the compiled read path does with them, one line each
        await gql(client, "# a comment first\nmutation { logout { ok } }", token=token)
        await gql(client, "query Bad($n: Int!) { notices(first: $n) { edges { cursor } } }")
    me, bad, live, mutation, refused = _lines(caplog)
    assert (mutation.request["operation_type"], refused.request["outcome"]) == (
        "mutation",
        "error",
    )
    assert me.request | {"duration_ms": 0} == {
        "operation_type": "query",
        "field": "me",
        "operation_name": "Who",
        "tenant": "441481",
        "user_id": me.request["user_id"],
        "duration_ms": 0,
        "outcome": "ok",
        "codes": [],
    }
    assert isinstance(me.request["user_id"], int) and me.request["duration_ms"] > 0
    assert bad.request["outcome"] == "error" and bad.request["tenant"] is None
    assert bad.request["field"] == "unknown" and bad.request["codes"] == ["GRAPHQL_ERROR"]
    assert live.request["route"] == "/health/live" and live.request["status"] == 200

    line = json.loads(JsonFormatter().format(me))
    assert line["logger"] == "gpcloud.request" and line["level"] == "INFO"
    assert line["field"] == "me" and line["tenant"] == "441481"
    assert "xn.admin" not in JsonFormatter().format(me)


async def test_the_app_leaves_the_configured_json_lines_alone(deployment, capsys):
    """`gpcloud serve` configures JSON lines, then builds the app: Litestar's default logging
    config replaced the root handler (Litestar's text format, level DEBUG)."""
    import httpx

    from gpcloud.app import create_app
    from gpcloud.core.ops import logs

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure("json")
        app = create_app(run_worker=False)
        assert root.level == logging.INFO
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gpcloud.test"
        ) as http:
            await http.post("/graphql", json={"query": "query Probe { __typename }"})
        logs._stop()  # the writer thread has written everything queued
    finally:
        logs._stop()
        root.handlers[:], root.level = saved
    lines = [json.loads(t) for t in capsys.readouterr().err.splitlines() if "gpcloud.request" in t]
    assert [(line["logger"], line["operation_name"]) for line in lines] == [
        ("gpcloud.request", "Probe")
    ]


def test_lines_go_on_after_uvicorn_configures_its_loggers(capsys):
    """uvicorn's dictConfig closes every handler there is, the writer's included, then `serve`
    goes on logging through it (a writer that stopped on close wrote nothing more)."""
    import logging.config

    from uvicorn.config import LOGGING_CONFIG

    from gpcloud.core.ops import logs

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure("json")
        logs.request_line("before", step="before")
        logging.config.dictConfig(LOGGING_CONFIG)
        logs.request_line("after", step="after")
        logs._stop()
    finally:
        logs._stop()
        root.handlers[:], root.level = saved
    lines = [json.loads(t) for t in capsys.readouterr().err.splitlines() if "gpcloud.request" in t]
    assert [line["step"] for line in lines] == ["before", "after"]


def test_a_line_that_cannot_be_formatted_costs_only_itself(capsys):
    """The writer formats what came and writes it at once: a record that fails to format is
    reported (as logging reports it) and the lines around it are written, in order."""
    from gpcloud.core.ops import logs

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure("text")
        logs.request_line("first")
        logging.getLogger("gpcloud.request").info("broken %d", "not a number")
        logs.request_line("third")
        logs._stop()
    finally:
        logs._stop()
        root.handlers[:], root.level = saved
    err = capsys.readouterr().err
    lines = [t for t in err.splitlines() if t.startswith("INFO gpcloud.request")]
    assert lines == ["INFO gpcloud.request: first", "INFO gpcloud.request: third"]
    assert "--- Logging error ---" in err
