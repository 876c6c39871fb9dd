"""A subject's credit profile: its records as the caller may see them, and whether an active
record bars it today."""

from __future__ import annotations

from dataclasses import dataclass

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.credit.service import records


@dataclass(frozen=True)
class Profile:
    subject_kind: str
    subject_id: int
    name: str
    barred: bool
    records: list[dict]


def _counts(row: dict) -> bool:
    on = today()
    return (
        row["status"] == "active"
        and row["bars"]
        and row["starts_on"] <= on
        and (row["ends_on"] is None or row["ends_on"] >= on)
    )


async def profile(
    actor: CurrentUser, organisation_id: int | None, expert_id: int | None
) -> Profile:
    """Credit readers and the subject see every record; others the public ones."""
    if (organisation_id is None) == (expert_id is None):
        raise DomainError("INVALID_SUBJECT", "name an organisation or an expert", "organisationId")
    if expert_id is not None:
        who = await records.subject("expert", expert_id)
        kind, own = "expert", who["user_id"] == actor.id
    else:
        org = await Organisation.select().where(Organisation.id == organisation_id).first()
        if org is None:
            raise NotFound("organisation", organisation_id)
        who = {"name": org["name"]}
        kind = org["kind"] if org["kind"] in records.SUBJECT_KINDS else "supplier"
        own = organisation_id == actor.organisation_id
    rows = await records.of_subject(organisation_id, expert_id)
    if not (own or actor.can(Perm.CREDIT_READ)):
        rows = [r for r in rows if r["public"]]
    return Profile(
        kind,
        expert_id or organisation_id,
        who["name"],
        any(_counts(r) for r in rows),
        rows,
    )
