"""The shape of a GraphQL document, measured from its syntax alone (before validation).

Fragments count wherever they are spread, each measured once, so fragments that spread each
other many times over still measure in linear time (a fragment cycle, which validation
refuses, adds nothing here).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

INTROSPECTION = ("__schema", "__type")


@dataclass(frozen=True)
class Shape:
    depth: int  # fields on the longest path (an introspection subtree counts 1)
    aliases: int  # aliased fields
    root_fields: int  # top-level fields
    introspection: bool  # selects __schema or __type
    # The most times one response name is selected in one selection set, anywhere in the
    # document: graphql-core's overlap check compares such fields pairwise.
    repeats: int


@dataclass
class _Level:
    depth: int = 0
    aliases: int = 0
    repeats: int = 0
    introspection: bool = False
    names: Counter = field(default_factory=Counter)

    def add(self, inner: _Level) -> None:
        """Merge what a fragment spread here selects at this level."""
        self.depth = max(self.depth, inner.depth)
        self.aliases += inner.aliases
        self.repeats = max(self.repeats, inner.repeats)
        self.introspection = self.introspection or inner.introspection
        self.names.update(inner.names)


class _Measure:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]):
        self.fragments = fragments
        self.memo: dict[str, _Level] = {}

    def selections(self, selection_set: SelectionSetNode) -> _Level:
        level = _Level()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(level, selection)
            elif isinstance(selection, FragmentSpreadNode):
                level.add(self.fragment(selection.name.value))
            else:
                level.add(self.selections(selection.selection_set))
        level.repeats = max(level.repeats, max(level.names.values(), default=0))
        return level

    def field(self, level: _Level, node: FieldNode) -> None:
        level.names[(node.alias or node.name).value] += 1
        level.aliases += node.alias is not None
        inner = _Level()
        if node.selection_set is not None:
            inner = self.selections(node.selection_set)
        level.aliases += inner.aliases
        level.repeats = max(level.repeats, inner.repeats)
        if node.name.value in INTROSPECTION:
            level.introspection = True
            level.depth = max(level.depth, 1)  # its nesting is MaxIntrospectionDepthRule's
        else:
            level.introspection = level.introspection or inner.introspection
            level.depth = max(level.depth, 1 + inner.depth)

    def fragment(self, name: str) -> _Level:
        if name not in self.memo:
            self.memo[name] = _Level()
            fragment = self.fragments.get(name)
            if fragment is not None:
                self.memo[name] = self.selections(fragment.selection_set)
        return self.memo[name]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def measure(document: DocumentNode, operation: OperationDefinitionNode) -> Shape:
    """`operation`'s depth, aliases, root fields and introspection; repeats of the whole
    document (validation reads every operation and fragment, executed or not).

    Raises RecursionError for fragments spreading each other hundreds deep."""
    fragments = fragments_of(document)
    measured = _Measure(fragments)
    executed = measured.selections(operation.selection_set)
    repeats = executed.repeats
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            repeats = max(repeats, measured.fragment(definition.name.value).repeats)
        elif isinstance(definition, OperationDefinitionNode) and definition is not operation:
            repeats = max(repeats, measured.selections(definition.selection_set).repeats)
    return Shape(
        depth=executed.depth,
        aliases=executed.aliases,
        root_fields=sum(executed.names.values()),
        introspection=executed.introspection,
        repeats=repeats,
    )
