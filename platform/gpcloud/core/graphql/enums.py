"""GraphQL enums from the values the code already declares (one source for each set of values)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import strawberry

from gpcloud.core.workflow.machine import StateMachine


def values_enum(name: str, values: Iterable[str], description: str | None = None) -> type:
    """An enum whose members are the values upper-cased (draft -> DRAFT)."""
    return strawberry.enum(Enum(name, {v.upper(): v for v in values}), description=description)


def state_enum(name: str, machine: StateMachine) -> type:
    """The states of `machine`, as its declaration lists them."""
    return values_enum(
        name, machine.states, f"Where the {machine.noun} stands (its state machine)."
    )
