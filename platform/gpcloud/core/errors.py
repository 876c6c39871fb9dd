"""Errors a user can cause: a stable code, a clear message and, when it is about input, the field.

Services raise them; GraphQL mutations turn them into payload `errors`, queries into GraphQL
errors whose `extensions.code` is the code (graphql-core copies `extensions` from the original
exception).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None


class DomainError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.problems = [Problem(code, message, field)]

    @classmethod
    def many(cls, problems: list[Problem]) -> DomainError:
        first = problems[0]
        error = cls(first.code, first.message, first.field)
        error.problems = list(problems)
        return error

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def extensions(self) -> dict:
        first = self.problems[0]
        return {"code": first.code, **({"field": first.field} if first.field else {})}


class NotFound(DomainError):
    def __init__(self, what: str, key: object):
        super().__init__("NOT_FOUND", f"{what} {key} not found")
