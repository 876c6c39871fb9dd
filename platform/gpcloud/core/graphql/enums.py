"""GraphQL enums from the values the code already declares (one source for each set of values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

import strawberry

from gpcloud.core.workflow.machine import StateMachine


def values_enum(
    name: str,
    values: Iterable[str],
    description: str | None = None,
    meanings: Mapping[str, str] | None = None,
) -> type:
    """An enum whose members are the values upper-cased (draft -> DRAFT); `meanings` describes
    values (value -> what it means), and may name only values of the enum."""
    values = tuple(values)
    meanings = meanings or {}
    if unknown := set(meanings) - set(values):
        raise ValueError(f"{name}: meanings of no value: {sorted(unknown)}")
    members = {
        v.upper(): strawberry.enum_value(v, description=meanings[v]) if v in meanings else v
        for v in values
    }
    return strawberry.enum(Enum(name, members), description=description)


def state_enum(name: str, machine: StateMachine, meanings: Mapping[str, str] | None = None) -> type:
    """The states of `machine`, as its declaration lists them; `meanings` as in values_enum."""
    return values_enum(
        name, machine.states, f"Where the {machine.noun} stands (its state machine).", meanings
    )
