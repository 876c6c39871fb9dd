"""The state machine of a legacy migration batch: one run at a time; a broken run leaves it
failed with the error and the next run resumes it (also one left running by a crash)."""

from __future__ import annotations

from gpcloud.core.workflow.machine import StateMachine, transition
from gpcloud.portal.tables import LegacyBatch

LEGACY_BATCH = StateMachine(
    "legacy batch",
    "legacy_batch",
    LegacyBatch,
    states=("pending", "running", "completed", "failed"),
    initial="pending",
    transitions=[
        transition("start", ("pending", "running", "failed"), "running", None),
        transition("complete", "running", "completed", None, "its history opens on the portal"),
        transition("fail", "running", "failed", None),
    ],
    tenant=lambda row: "440000",  # the province migrates the old portal for everyone
    vetoed=False,
)
