"""Contract deadlines recomputed when a calendar year is loaded (core/calendar/recompute.py):
a draft's signing due date (from the result's publication) and a signed contract's publication
due date (from its signing day), where the period reaches into the year."""

from __future__ import annotations

from datetime import date

from gpcloud.contracts.tables import Contract
from gpcloud.contracts.workflow import CONTRACT
from gpcloud.core.auth.tables import User
from gpcloud.core.calendar.days import Deadline
from gpcloud.core.calendar.recompute import MovedDeadline, recomputes
from gpcloud.core.clock import now
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import service as projects

# deadline column, the status it is open in, its rule, and which parties must act by it
OPEN = {
    "sign_due": ("draft", "contract_signing", ("purchaser", "supplier")),
    "publication_due": ("signed", "contract_publication", ("purchaser",)),
}
LABELS = {"sign_due": "签订期限", "publication_due": "公告期限"}


@recomputes("contracts")
async def recompute(year: int) -> list[MovedDeadline]:
    moved: list[MovedDeadline] = []
    with all_tenants("calendar: the open contract deadlines of every tenant"):
        for column, (status, rule, parties) in OPEN.items():
            rows = await Contract.select().where(
                (Contract.status == status) & (getattr(Contract, column) >= date(year, 1, 1))
            )
            computed: dict[tuple[date, str], Deadline] = {}
            for row in rows:
                start = await _start(row, column)
                if start is None or start > date(year, 12, 31):
                    continue
                key = (start, row["tenant_id"])
                if key not in computed:
                    computed[key] = await rule_deadline(rule, start, row["tenant_id"])
                due = computed[key]
                if due.due == row[column] or not await _move(row, column, status, due.due):
                    continue
                organisations = [row[f"{party}_organisation"] for party in parties]
                moved.append(
                    MovedDeadline(
                        f"contract.{column}",
                        "contract",
                        str(row["id"]),
                        row["tenant_id"],
                        await _users(organisations),
                        row[column],
                        due.due,
                        due.steps,
                        f"合同《{row['title']}》",
                        LABELS[column],
                    )
                )
    return moved


async def _start(row: dict, column: str) -> date | None:
    """The day the period started from (None when this module does not know how)."""
    if column == "publication_due":
        return row["signed_on"]
    if row["project"] is None:
        return None
    announcements = await projects.announcements(row["project"])
    return next((a["published_on"] for a in announcements if a["kind"] == "result"), None)


async def _move(row: dict, column: str, status: str, due: date) -> bool:
    """Compare-and-set: only while the contract is still open with the date computed before;
    the scheduler then waits for the new date."""
    deadline = getattr(Contract, column)
    updated = (
        await Contract.update({deadline: due, Contract.updated_at: now()})
        .where((Contract.id == row["id"]) & (Contract.status == status) & (deadline == row[column]))
        .returning(*Contract.all_columns())
    )
    if updated:
        await CONTRACT.reschedule(updated[0])
    return bool(updated)


async def _users(organisations: list[int]) -> tuple[int, ...]:
    rows = await User.select(User.id).where(User.organisation.is_in(organisations))
    return tuple(sorted(r["id"] for r in rows))
