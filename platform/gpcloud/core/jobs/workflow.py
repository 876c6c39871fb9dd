"""The state machine of a job record: a worker that wins `start` runs it; a retry after a crash
starts it again (from running); two workers never run the same attempt."""

from __future__ import annotations

from gpcloud.core.jobs.tables import Job
from gpcloud.core.workflow.machine import StateMachine, transition

JOB = StateMachine(
    "job",
    "job",
    Job,
    states=("queued", "running", "succeeded", "failed"),
    initial="queued",
    transitions=[
        transition("start", ("queued", "running"), "running", None, "a worker takes it"),
        transition("succeed", "running", "succeeded", None),
        transition("fail", ("queued", "running"), "failed", None, "with the error's code"),
    ],
    vetoed=False,
    audited=False,  # the job table is its own record
)
