"""Every type, field, argument and enum value of the API is described (tests/ops/
test_descriptions.py). What follows a convention is described here once, where the schema is
assembled, instead of in every domain: connections, edges and page info, mutation payloads and
their `errors`, the paging arguments, the usual bookkeeping fields. A domain says once what
the fields its types share mean (`field_meanings`: Expert, ExpertInput and ExpertFilter all have
`titleLevel`). Only what has no description in the code gets one; a field's own words always win.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}

FIELDS = {
    "errors": "What was wrong, each with its stable code (docs/errors.md); empty on success. When "
    "not empty, the mutation wrote nothing.",
    "pageInfo": "Whether more items follow, and the cursor to ask for them.",
    "edges": "The items of this page, at most `first`.",
    "cursor": "Pass as `after` for the items after this one.",
    "hasNextPage": "True when another page follows.",
    "endCursor": "Pass as `after` for the next page; null on an empty page.",
    "id": "Its id: stable, to pass back as an `ID` argument.",
    "createdAt": "When it was recorded.",
    "updatedAt": "When it last changed.",
    "tenantCode": "The region code (GB/T 2260) of the tenant it belongs to.",
    "regionCode": "The region code (GB/T 2260): six digits, e.g. 441481 for Xingning.",
}
ARGS = {
    "first": "How many items: 20 when not given, at most 100 (max_page_size).",
    "after": "The `endCursor` of the page before; none for the first page.",
    "filter": "Narrow the list: every condition given must hold.",
    "id": "Its id.",
    "reason": "Why, in words: kept with the change in the audit log.",
    "input": "The values, as the input type describes them.",
    "regionCode": "The region code (GB/T 2260) of a tenant, six digits.",
    "tenant": "The region code (GB/T 2260, six digits) of the tenant it is for.",
    "fiscalYear": "The fiscal year, e.g. 2026.",
    "title": "The title, as it will be published.",
    "body": "The text, as it will be published.",
}


_MEANINGS: dict[str, dict[str, str]] = {}


def field_meanings(type_names: Iterable[str], meanings: Mapping[str, str]) -> None:
    """What the fields (GraphQL names) of a domain's types mean, said once for all of them; a
    type name `Query.goodsItems` names the arguments of that field."""
    for name in type_names:
        _MEANINGS.setdefault(name, {}).update(meanings)


def _argument_description(type_name: str, field_name: str, name: str) -> str | None:
    if said := _MEANINGS.get(f"{type_name}.{field_name}", {}).get(name):
        return said
    if name == "status":
        if type_name == "Mutation":
            return "The status it takes."
        return "Only those in this status."
    if m := re.fullmatch(r"([a-z]\w*?)Id", name):
        return f"The id of the {_words(m[1])} it concerns."
    return ARGS.get(name)


def _words(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r" \1", camel).lower()


def _type_description(name: str) -> str | None:
    if name == "PageInfo":
        return "Where a page of a list ends and whether another follows."
    if m := re.fullmatch(r"(\w+)Connection", name):
        return f"A page of {m[1]} items; pass pageInfo.endCursor as `after` for the next."
    if m := re.fullmatch(r"(\w+)Edge", name):
        return f"One {m[1]} of a page, with the cursor after it."
    if name.endswith("Payload"):
        return "What the mutation returns: its result, or `errors` and no change at all."
    if m := re.fullmatch(r"(\w+)Filter", name):
        return f"Conditions on the {m[1]} list; every one given must hold."
    if name.endswith("Input"):
        return "Values a mutation writes; a bad one comes back in its `errors`, with its field."
    if name == "Query":
        return "Reads. Each field says who may use it (docs/permissions.md)."
    if name == "Mutation":
        return "Writes: each is one transaction, returning a payload with `errors`."
    return None


def _field_description(type_name: str, name: str, siblings) -> str | None:
    if name == "node" and (m := re.fullmatch(r"(\w+)Edge", type_name)):
        return f"The {m[1]}."
    if name.endswith("Count") and name[: -len("Count")] in siblings:
        return f"How many in all; `{name[: -len('Count')]}` shows the first of them."
    return _MEANINGS.get(type_name, {}).get(name) or FIELDS.get(name)


def describe_by_convention(schema: GraphQLSchema) -> None:
    for kind in schema.type_map.values():
        if kind.name.startswith("__") or kind.name in BUILT_IN:
            continue
        if not kind.description:
            kind.description = _type_description(kind.name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for name, field in kind.fields.items():
                if not field.description:
                    field.description = _field_description(kind.name, name, kind.fields)
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        arg.description = _argument_description(kind.name, name, arg_name)


def undescribed(schema: GraphQLSchema) -> Iterator[str]:
    """Schema coordinates (Type, Type.field, Type.field(arg:), Enum.VALUE) without a description."""
    for kind in sorted(schema.type_map.values(), key=lambda k: k.name):
        if kind.name.startswith("__") or kind.name in BUILT_IN:
            continue
        if not kind.description:
            yield kind.name
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for name, field in kind.fields.items():
                if not field.description:
                    yield f"{kind.name}.{name}"
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        yield f"{kind.name}.{name}({arg_name}:)"
        elif isinstance(kind, GraphQLEnumType):
            for name, value in kind.values.items():
                if not value.description:
                    yield f"{kind.name}.{name}"
        elif isinstance(kind, GraphQLScalarType):
            pass
