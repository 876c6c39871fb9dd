"""docs/errors.md, the catalogue of stable error codes, generated from the code.

A code is whatever upper-case constant (`INVALID_AMOUNT`) the platform passes to a call (a
`DomainError`, a `Problem`, a refusal), lists in a mapping (HTTP statuses to codes) or starts a
row of a table with (the query limits): the
source is read, not imported, so a code cannot be raised without appearing here. Each entry
says where it comes from (the domains), what the messages next to it say, and what a frontend
should do: the general codes have their advice below; a code without a line there is about the
input or the state of an object, and the generic advice applies.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[A-Z]{2,}(_[A-Z0-9]+)*$")
# Constants that look like codes but are not: environment variables, defaults of lookups.
NOT_CODES = re.compile(r"^(GPCLOUD|PICCOLO|PROMETHEUS)_|^(ERROR|SPECS)$")
LOOKUPS = {"get", "getenv", "setdefault", "pop"}
MAX_EXAMPLES = 3

# What a frontend does on the general codes (the domain codes take GENERIC).
ADVICE = {
    "UNAUTHENTICATED": "No valid bearer token: send the user to the login page.",
    "TOKEN_EXPIRED": "The token's time is over: log in again (tokens last `token_ttl_minutes`).",
    "TOKEN_INVALID": "The token is not one of this platform's: drop it and log in again.",
    "TOKEN_REVOKED": "The token was revoked (logout, password change): log in again.",
    "INVALID_CREDENTIALS": "Wrong user name or password: say so, without telling which.",
    "TOO_MANY_ATTEMPTS": "Throttled: tell the user to wait (the message says how long).",
    "ACCOUNT_DISABLED": "The account is disabled: the user's administrator can enable it.",
    "FIRST_LOGIN_REQUIRED": "Finish the first-login flow (change password, fill the profile) "
    "before anything else: see `me { firstLoginPending }` (docs/frontend.md).",
    "FORBIDDEN": "The user may not do this: hide or disable the action; do not retry.",
    "NOT_FOUND": "The object does not exist or is outside the user's region: show not found.",
    "CONFLICT": "Someone changed the object first: reload it, show the new state, let the user "
    "decide again. Never retry blindly.",
    "WRONG_STATE": "The object is not in a state that allows this: reload it and show its state.",
    "SUBSYSTEM_NOT_LIVE": "The subsystem has not gone live for this tenant yet: hide the action.",
    "TENANT_NOT_ACTIVE": "The tenant is not on the platform (yet, or any more).",
    "INVALID_CURSOR": "The `after` cursor is not one this list gave: restart from the first page.",
    "PAGE_SIZE_TOO_LARGE": "Ask for at most `max_page_size` (100) items per page.",
    "INVALID_PAGE_SIZE": "`first` must be positive: ask for 1 to 100 items.",
    "QUERY_TOO_LARGE": "The document is too long: split it (limits in README: Security).",
    "QUERY_TOO_DEEP": "Fields nested too deep: select less, or load deeper objects separately.",
    "TOO_MANY_ALIASES": "Too many aliases in one document: split it.",
    "TOO_MANY_ROOT_FIELDS": "Too many top-level fields in one document: split it.",
    "FIELD_REPEATED": "One field selected too often in one place: remove the repeats.",
    "QUERY_TOO_COSTLY": "The document may return too many values: ask for smaller pages "
    "(`extensions.limit` and `actual` give the budget and the cost).",
    "INTROSPECTION_DISABLED": "Introspection is for logged-in users here: log in, or use the "
    "committed schema.graphql.",
    "REQUEST_TOO_LARGE": "The body or upload is over the limit (1 MB JSON, 10 MB uploads).",
    "REQUEST_TIMEOUT": "The request ran out of time (30 s): nothing was written; try again "
    "later or ask for less.",
    "BAD_REQUEST": "Malformed HTTP request: a client bug.",
    "METHOD_NOT_ALLOWED": "Wrong HTTP method for this path: a client bug.",
    "HTTP_ERROR": "Another HTTP error: show the message.",
    "TOO_LARGE": "The request is too large (HTTP 413).",
    "FILE_EXPECTED": "The upload variable must be a file part of a multipart request.",
    "FILE_TOO_LARGE": "The file is over the upload limit: split it.",
    "INTERNAL": "A fault of the platform, logged on the server; nothing was written. Show a "
    "generic apology and let the user try again later.",
    "PLUGIN_FAILED": "A tenant plugin failed; the platform's administrators are told. Try later.",
    "PLUGIN_RULE": "A tenant's approved plugin refused the change: show its message.",
    "TENANT_UNAVAILABLE": "The job's tenant is not available: a job failure, see the job.",
}
GENERIC = (
    "Show `message` to the user (next to the input named by `field`, when there is one); "
    "they correct the input or the situation and send again."
)


@dataclass
class Entry:
    code: str
    domains: set[str] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)  # the templates with … for each value
    templates: list[str] = field(default_factory=list)  # with {0}, {1}: the message catalogue's


HOLE = re.compile(r"\{\d+\}")


def _domain(path: Path, package: Path) -> str:
    parts = path.relative_to(package).with_suffix("").parts
    if parts[0] in ("core", "registries", "integrations") and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0]


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _message(node: ast.expr | None) -> str | None:
    """The message as a template: literal text with {0}, {1} for the values (braces of the
    text doubled, as str.format reads them)."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and not CODE.match(node.value)
    ):
        return _literal(node.value)
    if isinstance(node, ast.JoinedStr):
        holes, parts = 0, []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(_literal(v.value))
            else:
                parts.append(f"{{{holes}}}")
                holes += 1
        return "".join(parts) or None
    return None


def example(template: str) -> str:
    """The template as docs/errors.md shows it: … for each value."""
    return HOLE.sub("…", template).replace("{{", "{").replace("}}", "}")


def _candidates(node: ast.AST):
    """(constant, the expression after it) pairs where a code may stand."""
    if isinstance(node, ast.Call):
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else None
        skip = 1 if callee in LOOKUPS else 0  # a lookup's key is not a code; its default may be
        for i, arg in enumerate(node.args[skip:], skip):
            yield arg, node.args[i + 1] if i + 1 < len(node.args) else None
        for kw in node.keywords:
            if kw.arg and (kw.arg == "code" or kw.arg.endswith("_code")):
                yield kw.value, None
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield value, None
    elif isinstance(node, ast.Tuple) and len(node.elts) > 2:  # ("CODE", "what", ...) rows
        yield node.elts[0], None


def collect(package: Path = PACKAGE) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in sorted(package.rglob("*.py")):
        if "piccolo_migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for value, after in _candidates(node):
                if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                    continue
                code = value.value
                if len(code) < 4 or not CODE.match(code) or NOT_CODES.search(code):
                    continue
                entry = entries.setdefault(code, Entry(code))
                entry.domains.add(_domain(path, package))
                message = _message(after)
                if message and message not in entry.templates:
                    entry.templates.append(message)
                    if example(message) not in entry.examples:
                        entry.examples.append(example(message))
    return dict(sorted(entries.items()))


def nouns(package: Path = PACKAGE) -> list[str]:
    """What `NotFound("noun", key)` calls name: the catalogue translates them in messages."""
    found = set()
    for path in sorted(package.rglob("*.py")):
        if "piccolo_migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "NotFound"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return sorted(found)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(entries: dict[str, Entry] | None = None) -> str:
    entries = collect() if entries is None else entries
    general = [e for e in entries.values() if e.code in ADVICE]
    domain = [e for e in entries.values() if e.code not in ADVICE]
    lines = [
        "# Error codes",
        "",
        "<!-- Generated by `uv run gpcloud export-errors --output docs/errors.md`; "
        "tests/ops/test_error_catalogue.py fails when it is stale. -->",
        "",
        "Programs read the stable `code`; people read the `message`: in Chinese, or in English "
        "when the request's `Accept-Language` prefers it (the message catalogue, "
        "`platform/gpcloud/locale/`, core/i18n.py; the examples below are the English source). "
        "A code reaches a client in one of three places:",
        "",
        "- a mutation's payload: `errors { field code message }` (the mutation wrote nothing);",
        "- a GraphQL error: `errors[].extensions.code` (a query that could not answer, a refused "
        "document: then `data` is null);",
        "- an HTTP error body (`/graphql` refusals before GraphQL runs, `/jobs/...` downloads): "
        '`{"errors": [{"message", "extensions": {"code"}}]}`.',
        "",
        f"{len(entries)} codes. New codes appear here when the code raising them is merged; "
        "a code is never renamed or reused for another meaning.",
        "",
        "## General codes",
        "",
        "Any field or mutation may return these.",
        "",
        "| code | from | what to do |",
        "|---|---|---|",
    ]
    for e in general:
        lines.append(f"| `{e.code}` | {', '.join(sorted(e.domains))} | {_cell(ADVICE[e.code])} |")
    lines += [
        "",
        "## Domain codes",
        "",
        f"What to do, unless a line says otherwise: {GENERIC}",
        "",
        "| code | from | messages (examples; … is a value) |",
        "|---|---|---|",
    ]
    for e in domain:
        examples = "; ".join(f"“{_cell(m)}”" for m in e.examples[:MAX_EXAMPLES])
        lines.append(f"| `{e.code}` | {', '.join(sorted(e.domains))} | {examples} |")
    return "\n".join(lines) + "\n"
