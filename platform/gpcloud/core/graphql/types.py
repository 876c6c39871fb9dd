"""Shared GraphQL types: user errors, page info, connections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.i18n import translate
from gpcloud.core.pagination import Page, encode_cursor

T = TypeVar("T")
# run_mutation returns at most this many errors; other lists of UserError are as short.
MAX_USER_ERRORS = 100


@strawberry.type(
    description="A problem with the input of a mutation; nothing was changed.",
    directives=[ListSize(max=MAX_USER_ERRORS)],
)
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    code: str = strawberry.field(description="Stable code, e.g. DUPLICATE_USERNAME.")
    message: str = strawberry.field(
        description="What was wrong, for a person, in the request's language (Accept-Language; "
        "Chinese by default)."
    )

    @classmethod
    def of(cls, problem: Problem) -> UserError:
        return cls(
            field=problem.field,
            code=problem.code,
            message=translate(problem.code, problem.message),
        )


# A connection's edges: as many as the `first` of the field that returned it.
PAGE = ListSize(slicing_argument="first")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of results; pass pageInfo.endCursor as `after` for the next.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(directives=[PAGE])
    page_info: PageInfo


def connection(page: Page, to_node: Callable[[Any], T], key: str = "id") -> Connection[T]:
    return Connection(
        edges=[Edge(cursor=encode_cursor(row[key]), node=to_node(row)) for row in page.rows],
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
    )


def parse_base64(value: str, field: str) -> bytes:
    """Bytes sent as standard base64 (files, ciphertexts, keys); anything else is INVALID_BASE64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("INVALID_BASE64", f"{field} in base64", field) from None


def parse_id(value: str, what: str) -> int:
    """A database id from a GraphQL ID; anything else is simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("NOT_FOUND", f"{what} {value} not found", "id") from None
    if not 0 < number < 2**31:
        raise DomainError("NOT_FOUND", f"{what} {value} not found", "id")
    return number
