"""Whether a process's publications came within their legal time limits (publication <= 2 wd):
the result within `result_publication` working days of the winner's confirmation
(Implementing Regulation art. 43), the contract within `contract_publication` working days of
its signing (art. 50).

One place per rule: the contract's limit is the `publication_due` the contracts domain fixed at
signing (core/rules `rule_deadline`, the tenant's effective rule on the working-day calendar)
and kept when a calendar year moved it; a signed contract left unpublished past it is
`overdue` (its status, set by the scheduler), a late publication too. The result's limit is
stored nowhere (the evaluation records the confirmation, the transaction the publication), so
it is computed here with the same `rule_deadline` arithmetic, batched (`rule_deadlines`).
A result counts once published (a process counts from its award); a contract once published
or overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.db import any_of
from gpcloud.core.errors import DomainError
from gpcloud.core.rules.service import rule_deadline, rule_deadlines
from gpcloud.evaluation.tables import Evaluation, EvaluationReport

MEASURES = ("pub_n", "pub_ok")
RESULT_RULE = "result_publication"


@dataclass
class Publications:
    results: dict = field(default_factory=dict)  # project id -> (confirmed day, due day)


def _day(at: datetime) -> date:
    return at.astimezone(LEGAL_TZ).date()


async def load(projects: list[dict]) -> Publications:
    """The winner's confirmation of each project (its last lot confirmed) and the day its
    result was due, from the evaluation reports."""
    tenant = {p["id"]: p["tenant_id"] for p in projects}
    evaluations = await Evaluation.select(Evaluation.id, Evaluation.project).where(
        any_of(Evaluation.project, sorted(tenant))
    )
    project_of = {e["id"]: e["project"] for e in evaluations}
    reports = await EvaluationReport.select(
        EvaluationReport.evaluation, EvaluationReport.confirmed_at
    ).where(
        any_of(EvaluationReport.evaluation, sorted(project_of))
        & EvaluationReport.confirmed_at.is_not_null()
    )
    confirmed: dict[int, date] = {}
    for r in reports:
        project = project_of[r["evaluation"]]
        day = _day(r["confirmed_at"])
        confirmed[project] = max(day, confirmed.get(project, day))
    starts = {(day, tenant[p]) for p, day in confirmed.items()}
    dues = await _dues(starts)
    return Publications(
        {
            p: (day, dues[(day, tenant[p])])
            for p, day in confirmed.items()
            if (day, tenant[p]) in dues
        }
    )


async def _dues(starts: set[tuple[date, str]]) -> dict[tuple[date, str], date]:
    """Due days by (start, tenant); a start the calendar cannot judge (a year with neither a
    table nor the regulation's holidays) is left out rather than guessed."""
    try:
        return {k: d.due for k, d in (await rule_deadlines(RESULT_RULE, starts)).items()}
    except DomainError:
        out = {}
        for start, tenant in starts:
            try:
                out[(start, tenant)] = (await rule_deadline(RESULT_RULE, start, tenant)).due
            except DomainError:
                continue
        return out


def measure(
    m: dict, src: Publications, project_id: int | None, results: list[date], contracts: list[dict]
) -> None:
    """Add the process's publications to its measures: `pub_n` counted, `pub_ok` on time."""
    if project_id is not None and project_id in src.results:
        confirmed, due = src.results[project_id]
        published = min((d for d in results if d >= confirmed), default=None)
        if published is not None:
            m["pub_n"] += 1
            m["pub_ok"] += int(published <= due)
    for c in contracts:
        due = c["publication_due"]
        if due is None:
            continue  # migrated: no limit was set at signing
        if c["published_on"] is not None:
            m["pub_n"] += 1
            m["pub_ok"] += int(c["published_on"] <= due)
        elif c["status"] == "overdue":
            m["pub_n"] += 1
