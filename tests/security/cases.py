"""The hostile requests of the abuse suite, each with the refusal it must get.

The tests send them in process; `python -m tests.security.probe URL` sends them to a running
server. To add one, append a Case: a GraphQL document (`query`, `variables`, the demo login it
needs) or a raw body, and the status and code the platform must answer with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

CHAIN_BOMB = (
    "{ notices(first:100){ edges{ node{ id chain{ id chain{ id chain{ id chain{ id chain{ id "
    "chain{ id }}}}}} }}}}"
)
TREE_BOMB = (
    '{ tenant(regionCode:"440000"){ children{ parent{ children{ parent{ children{ parent{ '
    "children{ parent{ name }}}}}}}}}}"
)
SEARCH = 'notices(first:100, filter:{search:"采购"}){ edges { node { id title } } }'
NESTED_BY_VARIABLE = """
query($n: Int, $fragmentFirst: Int = 2) {
  notices(first: $n) { edges { node { id chain { id chain { id } } } } }
  ...More
}
fragment More on Query { more: notices(first: $fragmentFirst) { edges { node { id } } } }
"""
MB = 1024 * 1024


def aliases(count: int, field: str) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def fan_out(levels: int, on: str, leaf: str) -> str:
    """Fragments each spreading the next twice: 2**levels copies of `leaf` when expanded."""
    fragments = " ".join(
        f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{fragments} fragment F{levels} on {on} {{ {leaf} }}"


def nested(levels: int) -> str:
    return (
        '{ tenant(regionCode: "441481") { ' + "parent { " * levels + "name" + " }" * levels + " } }"
    )


def padded_query(size: int) -> bytes:
    """A GraphQL request body of about `size` bytes: `{ __typename }` and a comment."""
    return json.dumps({"query": "{ __typename }\n#" + "x" * size}).encode()


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    code: str | None  # extensions.code of the refusal (None: the status says it)
    query: str | None = None
    variables: dict = field(default_factory=dict)
    login: str | None = None  # a demo account (serve --demo) to send it as
    body: bytes | None = None  # sent as is, instead of a GraphQL request
    chunked: bool = False  # the body without Content-Length


CASES = [
    Case("finding 1: nested notice chains", 200, "QUERY_TOO_COSTLY", CHAIN_BOMB),
    Case("finding 1: tenant parent/children ping-pong", 200, "QUERY_TOO_COSTLY", TREE_BOMB),
    Case("finding 4: 1,000 aliased searches", 200, "QUERY_TOO_LARGE", aliases(1000, SEARCH)),
    Case("finding 4: 16 aliased searches", 200, "TOO_MANY_ALIASES", aliases(16, SEARCH)),
    Case(
        "finding 4: 500 aliases of supervisionOverview",
        200,
        "QUERY_TOO_LARGE",
        aliases(500, "supervisionOverview { on }"),
        login="mz.supervisor",
    ),
    Case(
        "finding 4: 16 aliases of supervisionOverview",
        200,
        "TOO_MANY_ALIASES",
        aliases(16, "supervisionOverview { on }"),
        login="mz.supervisor",
    ),
    Case("deep nesting", 200, "QUERY_TOO_DEEP", nested(30)),
    Case("nesting past the parser", 200, "QUERY_TOO_DEEP", nested(600)),
    Case(
        "fragment fan-out at the root",
        200,
        "TOO_MANY_ROOT_FIELDS",
        "query { ...F0 } " + fan_out(40, "Query", "rootTenant { name }"),
    ),
    Case(
        "fragment fan-out in a list",
        200,
        "FIELD_REPEATED",
        "{ notices(first: 100) { edges { node { ...F0 } } } } "
        + fan_out(40, "Notice", "chain { id }"),
    ),
    Case(
        "aliased fragment fan-out",
        200,
        "TOO_MANY_ALIASES",
        "{ notices(first: 100) { edges { node { ...F0 } } } } "
        + fan_out(40, "Notice", "c: chain { id }"),
    ),
    Case("breadth: 16 root fields", 200, "TOO_MANY_ROOT_FIELDS", "{ " + "__typename " * 16 + "}"),
    Case(
        "one field repeated 200 times (quadratic validation)",
        200,
        "FIELD_REPEATED",
        "{ notices { edges { node { " + "chain { chain { id } } " * 200 + "} } } }",
    ),
    Case(
        "page size as a variable",
        200,
        "QUERY_TOO_COSTLY",
        NESTED_BY_VARIABLE,
        variables={"n": 10},
    ),
    Case("10 MB body", 413, "REQUEST_TOO_LARGE", body=padded_query(10 * MB)),
    Case("2 MB body, streamed", 413, "REQUEST_TOO_LARGE", body=padded_query(2 * MB), chunked=True),
    Case("JSON nested 100,000 deep", 400, "BAD_REQUEST", body=b"[" * 100_000 + b"]" * 100_000),
    Case(
        "1,000 batched operations",
        400,
        "BAD_REQUEST",
        body=json.dumps([{"query": "{ __typename }"}] * 1000).encode(),
    ),
]
