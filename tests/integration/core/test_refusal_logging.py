"""Expected refusals are the caller's, not faults (issue 21 item 5): logged at INFO, one line,
no traceback; a real fault keeps its traceback at ERROR."""

import logging

import pytest

from tests.support import gql, login


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def kept():
    handler, root = Kept(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_refusals_are_logged_at_info_without_a_traceback(client, demo, kept):
    anonymous = await gql(client, "{ users(first: 5) { edges { node { username } } } }")
    assert anonymous["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN")
    purchaser = await login(client, "xn.purchaser")
    forbidden = await gql(
        client, "{ users(first: 5) { edges { node { username } } } }", token=purchaser
    )
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    newclerk = await login(client, "xn.newclerk")
    first = await gql(client, "{ users(first: 5) { edges { node { username } } } }", token=newclerk)
    assert first["errors"][0]["extensions"]["code"] == "FIRST_LOGIN_REQUIRED"
    invalid = await gql(
        client, "{ users(first: -5) { edges { node { username } } } }", token=purchaser
    )
    assert invalid["errors"]
    wrong = await gql(client, "{ noSuchField }")
    assert wrong["errors"]
    loud = [r for r in kept if r.levelno >= logging.WARNING or r.exc_info]
    assert loud == [], [(r.name, r.levelname, r.getMessage()) for r in loud]
    codes = [r.getMessage() for r in kept if r.name == "gpcloud.graphql"]
    assert any(m.startswith("FORBIDDEN") for m in codes), codes
    assert any(m.startswith("FIRST_LOGIN_REQUIRED") for m in codes), codes
