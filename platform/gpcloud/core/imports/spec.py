"""How a registry describes its import file: its columns, its rows, how a batch is written.
The cell parsers its columns use are in columns.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.i18n import SOURCE, language, translate
from gpcloud.core.imports.columns import Parser


class Reason(str):
    """Why a row is rejected: reads as the English text (`column: message`), and carries the
    stable code and the message so that the reject report words it from the catalogue
    (core/i18n.py) in the reader's language, naming the column by its label."""

    code: str
    message: str
    column: str
    show_code: bool

    def words(self, label: str = "") -> str:
        said = translate(self.code, self.message) if self.code else self.message
        said += f" ({self.code})" if self.show_code else ""
        column = label or self.column
        colon = ": " if language.get() == SOURCE else "："
        return f"{column}{colon}{said}" if column else said


def reason(code: str, message: str, column: str = "", show_code: bool = False) -> Reason:
    """`show_code`: the code follows the message (a rule of the registry's own service)."""
    said = f"{message} ({code})" if show_code else message
    made = Reason(f"{column}: {said}" if column else said)
    made.code, made.message, made.column, made.show_code = code, message, column, show_code
    return made


@dataclass(frozen=True)
class Column:
    name: str  # header in English (snake_case); the Chinese label is accepted too
    label: str
    required: bool
    parse: Parser
    example: str
    description: str = ""


@dataclass
class ImportRow:
    """One data row: what the file said, what it means, and what became of it."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any]
    reasons: list[str] = field(default_factory=list)  # Reason where the code is known
    outcome: str | None = None  # created | updated | unchanged | rejected | invalid

    def reject(self, why: str) -> None:
        self.reasons.append(why)
        self.outcome = "rejected"

    @property
    def ok(self) -> bool:
        return self.outcome != "rejected" and self.outcome != "invalid"


@dataclass(frozen=True)
class BulkPath:
    """How a registry's rows that match nothing in the database are written on PostgreSQL:
    streamed with COPY into the job's staging table, then one set-based statement.

    `record(row)` gives a valid row's staging values in the order of `columns` (None: the row
    takes `apply_batch`, e.g. it provisions an account), of the types staging.copy_field
    writes (text, numbers, dates, lists for arrays, None). `insert` is that statement, run in
    the batch's transaction with `{stage}` naming the staging table (column `n` holds the row
    number): it writes the staged rows that need no decision against the database (no record
    with their key, every lookup found and acceptable) whole, and returns the numbers of the
    rows it wrote as one integer array. Every other row goes to `apply_batch`, which finds and
    words its problems: the statement decides nothing a clerk would read, so a registry's
    rules keep one home (apply_batch), and SQLite runs apply_batch alone. `screen(rows)`
    (optional) returns the rows that may be staged, on what Python already knows (the region
    tree); it rejects nothing.
    """

    columns: tuple[tuple[str, str], ...]  # (name, PostgreSQL type) after n
    record: Callable[[ImportRow], tuple | None]
    insert: str
    screen: Callable[[list[ImportRow]], Awaitable[list[ImportRow]]] | None = None
    batch_size: int = 5000


@dataclass(frozen=True)
class ImportSpec:
    """A registry's file format and how its rows are written.

    `apply_batch(rows, tenant)` runs inside one transaction per batch: it checks the rows
    against the database, rejects what cannot be written (row.reject), writes the rest in bulk
    and sets each written row's outcome (created / updated / unchanged). `key` names the column
    that identifies a record, for duplicates within the file and for upserts. `invalid` (optional)
    tells a row the old system marked invalid: it is reported and not migrated (seed, 二.1).
    `bulk` (optional) lets PostgreSQL write new records set-based (BulkPath).
    """

    registry: str
    title: str
    columns: tuple[Column, ...]
    key: str
    apply_batch: Callable[[list[ImportRow], str], Awaitable[None]]
    permission: Perm  # what starting this import needs
    tenant_owned: bool
    check_row: Callable[[ImportRow], None] | None = None
    invalid: Callable[[ImportRow], bool] | None = None
    batch_size: int = 1000
    bulk: BulkPath | None = None  # PostgreSQL's set-based path for new records

    def column(self, header: str) -> Column | None:
        header = header.strip().lower().replace(" ", "_")
        for column in self.columns:
            if header in (column.name, column.label.lower()):
                return column
        return None
