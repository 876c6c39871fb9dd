"""What is scheduled for an object (on the domain types that have timers), and, for admins, the
scheduler's health."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.scheduler import service
from gpcloud.core.workflow.machine import StateMachine


@strawberry.type(description="A transition the platform takes by itself when its time comes.")
class ScheduledEvent:
    action: str = strawberry.field(description="What the platform will do, e.g. lapse, close.")
    due_at: datetime = strawberry.field(description="When it falls due.")
    rule: str = strawberry.field(description="The rule that sets the time (config/rules).")


@strawberry.type(description="When the scheduler looks at the object next, and for what.")
class Schedule:
    next_check: datetime | None = strawberry.field(
        description="The earliest of the events; null when nothing waits."
    )
    events: list[ScheduledEvent] = strawberry.field(
        directives=[ListSize(max=20)], description="Every timed step still ahead, soonest first."
    )


def schedule_of(machine: StateMachine, row: dict) -> Schedule:
    events = [ScheduledEvent(action=t.action, due_at=at, rule=t.rule) for at, t in machine.due(row)]
    return Schedule(next_check=events[0].due_at if events else None, events=events)


@strawberry.type(description="The scheduler across all workers.")
class SchedulerHealth:
    leader: str | None = strawberry.field(description="The worker that holds the lease now.")
    lease_expires_at: datetime | None = strawberry.field(
        description="When the leader's lease runs out unless renewed."
    )
    backlog: int = strawberry.field(description="Objects due now and not yet run.")
    lag_seconds: float = strawberry.field(description="How long the oldest of them has waited.")


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.SCHEDULER_READ)),
        description="Whether the scheduler runs: its leader, backlog and lag.",
    )
    async def scheduler_health(self) -> SchedulerHealth:
        found = await service.health()
        return SchedulerHealth(
            leader=found.leader,
            lease_expires_at=found.lease_expires_at,
            backlog=found.backlog,
            lag_seconds=found.lag_seconds,
        )
