"""The API's evolution: what changed since the last release, and whether a client can break.

`docs/api/released.graphql` is the schema of the last release. A change that can break a
client written against it (graphql-core's breaking changes: a field, argument, enum value or
type removed, a type changed, a required argument added) is refused, unless what went was
`@deprecated` with a reason in that release: fields are deprecated for at least one release
before they go (expand/contract, as the migrations do). At a release, `gpcloud api-changes
--release VERSION` adds the changes to docs/api/CHANGELOG.md and makes the current schema the
released one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graphql.utilities.find_schema_changes import (
    BreakingChange,
    BreakingChangeType,
    DangerousChange,
    SafeChangeType,
    find_schema_changes,
)

from gpcloud.core.graphql.schema import schema
from gpcloud.settings import PROJECT_ROOT
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
)

RELEASED = PROJECT_ROOT / "docs" / "api" / "released.graphql"
CHANGELOG = PROJECT_ROOT / "docs" / "api" / "CHANGELOG.md"
FIELD = re.compile(r"^Field (\w+)\.(\w+) was removed\.$")
VALUE = re.compile(r"^Enum value (\w+)\.(\w+) was removed\.$")
ARG = re.compile(r"^Argument (\w+)\.(\w+)\((\w+):\) was removed\.$")
TYPE = re.compile(r"^(\w+) was removed\.$")


@dataclass(frozen=True)
class Changes:
    refused: list[str]  # breaking and not deprecated in the release
    retired: list[str]  # breaking, but deprecated for a release first
    dangerous: list[str]
    safe: list[str]

    @property
    def ok(self) -> bool:
        return not self.refused


def _fields(schema: GraphQLSchema, type_name: str) -> dict:
    kind = schema.type_map.get(type_name)
    if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        return kind.fields
    return {}


def _uses(schema: GraphQLSchema, type_name: str):
    """Every field, input field and argument of `schema` whose type is `type_name`."""
    for kind in schema.type_map.values():
        if kind.name.startswith("__"):
            continue
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field in kind.fields.values():
                if get_named_type(field.type).name == type_name:
                    yield field
                for arg in getattr(field, "args", {}).values():
                    if get_named_type(arg.type).name == type_name:
                        yield arg


def deprecated_first(old: GraphQLSchema, change: BreakingChange) -> bool:
    """Whether what `change` removes was deprecated, with a reason, in `old`."""
    text = change.description
    if change.type is BreakingChangeType.FIELD_REMOVED and (m := FIELD.match(text)):
        field = _fields(old, m[1]).get(m[2])
        return bool(field is not None and field.deprecation_reason)
    if change.type is BreakingChangeType.VALUE_REMOVED_FROM_ENUM and (m := VALUE.match(text)):
        kind = old.type_map.get(m[1])
        value = kind.values.get(m[2]) if isinstance(kind, GraphQLEnumType) else None
        return bool(value is not None and value.deprecation_reason)
    if change.type is BreakingChangeType.ARG_REMOVED and (m := ARG.match(text)):
        field = _fields(old, m[1]).get(m[2])
        arg = field.args.get(m[3]) if field is not None else None
        return bool(arg is not None and arg.deprecation_reason)
    if change.type is BreakingChangeType.TYPE_REMOVED and (m := TYPE.match(text)):
        # A type goes with the last deprecated field that returned it.
        return all(use.deprecation_reason for use in _uses(old, m[1]))
    return False


def compare(old_sdl: str, new_sdl: str) -> Changes:
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    refused, retired, dangerous, safe = [], [], [], []
    for change in find_schema_changes(old, new):
        if isinstance(change, BreakingChange):
            (retired if deprecated_first(old, change) else refused).append(change.description)
        elif isinstance(change, DangerousChange):
            dangerous.append(change.description)
        elif change.type is not SafeChangeType.DESCRIPTION_CHANGED:
            safe.append(change.description)
    return Changes(refused, retired, dangerous, safe)


def markdown(changes: Changes, title: str) -> str:
    lines = [f"## {title}", ""]
    for heading, items in (
        ("Breaking (refused unless deprecated first)", changes.refused),
        ("Removed after a release of deprecation", changes.retired),
        ("May affect clients (new enum values, optional arguments, defaults)", changes.dangerous),
        ("Added", changes.safe),
    ):
        if items:
            lines += [f"### {heading}", "", *(f"- {item}" for item in items), ""]
    if len(lines) == 2:
        lines += ["No API changes.", ""]
    return "\n".join(lines)


def current_sdl() -> str:
    return schema.as_str() + "\n"


def release(version: str, released: Path = RELEASED, changelog: Path = CHANGELOG) -> Changes:
    """Record a release: its changes on top of the changelog, its schema as the released one."""
    sdl = current_sdl()
    changes = compare(released.read_text(encoding="utf-8"), sdl)
    if not changes.ok:
        return changes
    text = changelog.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n## ")
    section = markdown(changes, version)
    changelog.write_text(f"{head}\n{section}\n## {rest}" if rest else f"{text}\n{section}", "utf-8")
    released.write_text(sdl, encoding="utf-8")
    return changes
