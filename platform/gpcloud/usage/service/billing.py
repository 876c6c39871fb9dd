"""Billable uses: face verification and e-signatures through their providers, each use written
to the usage ledger in the transaction of the use (seed 四(二): 按次计价，由代理机构支付).

Other domains call `verify_face` and `sign_document` (or `record_use` for a use they made
themselves) inside their own transaction: when theirs rolls back, the charge goes with it. The
`idempotency_key` names one attempt: a retried call with the same key gets the recorded answer
and the same charge, never a second one (the ledger's unique key decides a race; the loser
reads the winner's row). Callers check who may act (an agency on its own project); these
functions bill, they do not authorise.

Billed: every face comparison the service made (matched or not: the service charges for the
comparison), every signature made (a refused confirmation signs nothing and bills nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.service import organisations_by_id
from gpcloud.core.clock import now, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.money import to_fen
from gpcloud.core.plugins.hooks import collect, tenant_context
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import maybe_scope, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.usage.tables import KINDS, UsageCharge

FACE, SIGNATURE = KINDS
# The tenant config keys (section `fees`) of each kind's unit price, in yuan.
PRICE_KEYS = {FACE: "face_verification_per_use", SIGNATURE: "e_signature_per_use"}
DEVELOPMENT = "builtin:development"


@dataclass(frozen=True)
class Use:
    """Who pays for a use and for what: the project's tenant (where the charge belongs), the
    agency's organisation, the project ("project:12") and the attempt's idempotency key."""

    tenant: str
    agency: int
    project: str
    idempotency_key: str


@dataclass(frozen=True)
class Outcome:
    """A use's answer: the provider's (as recorded), the charge (None when nothing was billed),
    and whether this call replayed an earlier one with the same key."""

    answer: dict
    charge: dict | None
    replayed: bool

    @property
    def ok(self) -> bool:
        return bool(self.answer.get("matched") or self.answer.get("signed"))


def _check(use: Use) -> None:
    if not 1 <= len(use.idempotency_key) <= 128:
        raise DomainError("INVALID_IDEMPOTENCY_KEY", "1-128 characters", "idempotencyKey")
    if not 1 <= len(use.project) <= 64:
        raise DomainError("INVALID_PROJECT_REFERENCE", "a project reference", "project")


async def _billable(use: Use, kind: str) -> int:
    """The unit price, once the use is known to be billable: checked before a provider is
    asked, so that no service is used that could not be billed."""
    _check(use)
    await _agency(use.agency)
    return await unit_price_fen(use.tenant, kind)


async def unit_price_fen(tenant: str, kind: str) -> int:
    """The tenant's price of one use (config `fees`, inherited from the province)."""
    price = (await effective_config(tenant)).values.get("fees", {}).get(PRICE_KEYS[kind])
    if price is None:
        raise DomainError(
            "USAGE_PRICE_MISSING", f"租户 {tenant} 未配置 fees.{PRICE_KEYS[kind]}，无法计费"
        )
    return to_fen(Decimal(str(price)).quantize(Decimal("0.01")), f"fees.{PRICE_KEYS[kind]}")


async def _tenant_scope(tenant: str):
    """The project tenant's scope (where the charge belongs), whoever calls: an agency of
    another region acts on the project where it is."""
    scope = maybe_scope()
    if scope is not None and scope.tenant == tenant:
        return scope
    return (await tenant_tree()).scope_for(tenant, scope.user_id if scope else None)


async def _existing(use: Use) -> dict | None:
    return (
        await UsageCharge.select()
        .where(
            (UsageCharge.tenant_id == use.tenant)
            & (UsageCharge.idempotency_key == use.idempotency_key)
        )
        .output(load_json=True)
        .first()
    )


def _same(row: dict, use: Use, kind: str, subject: str) -> dict:
    """A key names one attempt: reused for another use it is refused, not replayed."""
    mine = (use.agency, use.project, kind, subject)
    if (row["agency"], row["project_reference"], row["kind"], row["subject_reference"]) != mine:
        raise DomainError(
            "IDEMPOTENCY_KEY_REUSED",
            f"idempotency key {use.idempotency_key} was used for another use",
            "idempotencyKey",
        )
    return row


async def _agency(organisation: int) -> None:
    [row] = await organisations_by_id([organisation])
    if row is None or row["kind"] != "agency":
        raise DomainError(
            "NOT_AN_AGENCY", f"organisation {organisation} is not an agency", "agency"
        )


async def record_use(
    use: Use,
    kind: str,
    subject: str,
    provider: str,
    provider_reference: str,
    outcome: str,
    evidence: dict[str, Any],
) -> tuple[dict, bool]:
    """Bill one use unless its key is billed already: (the charge, whether this call wrote it).
    Joins the caller's transaction."""
    if kind not in KINDS:
        raise DomainError("INVALID_USAGE_KIND", f"kind one of {KINDS}", "kind")
    price = await _billable(use, kind)
    with use_scope(await _tenant_scope(use.tenant)):
        async with transaction():
            found = await _existing(use)
            if found is not None:
                return _same(found, use, kind, subject), False
            row = UsageCharge(
                tenant_id=use.tenant,
                agency=use.agency,
                project_reference=use.project,
                kind=kind,
                subject_reference=subject,
                unit_price_fen=price,
                provider=provider[:128],
                provider_reference=provider_reference[:128],
                outcome=outcome,
                evidence=evidence,
                idempotency_key=use.idempotency_key,
                month=today().strftime("%Y-%m"),  # the legal day's month
                used_at=now(),
            )
            inserted = await UsageCharge.insert(row).on_conflict(
                target=(UsageCharge.tenant_id, UsageCharge.idempotency_key), action="DO NOTHING"
            )
            if not inserted:  # a concurrent call with the same key billed it first
                found = await _existing(use)
                assert found is not None
                return _same(found, use, kind, subject), False
            charge = (
                await UsageCharge.select()
                .where(UsageCharge.id == inserted[0]["id"])
                .output(load_json=True)
                .first()
            )
            await audit.record(
                "usage_charge.record",
                "usage_charge",
                charge["id"],
                None,
                {k: charge[k] for k in ("agency", "project_reference", "kind", "unit_price_fen")},
                tenant=use.tenant,
            )
            return charge, True


async def _provider_answer(use: Use, hook: str, **kwargs: Any) -> tuple[str, dict]:
    """The tenant's approved provider plugin's answer where one answers, else the built-in
    development provider's."""
    context = await tenant_context(use.tenant)
    answers = await collect(
        use.tenant, hook, tenant=context, idempotency_key=use.idempotency_key, **kwargs
    )
    plugins = [a for a in answers if not a.plugin.startswith("builtin:")]
    chosen = plugins[0] if plugins else next((a for a in answers if a.plugin == DEVELOPMENT), None)
    if chosen is None or not isinstance(chosen.value, dict):
        raise DomainError("NO_PROVIDER", f"no provider answered {hook} for {use.tenant}")
    return chosen.plugin, chosen.value


async def _replay(use: Use, kind: str, subject: str) -> Outcome | None:
    with use_scope(await _tenant_scope(use.tenant)):
        found = await _existing(use)
    if found is None:
        return None
    return Outcome(_same(found, use, kind, subject)["evidence"], found, True)


async def verify_face(use: Use, subject: dict, sample: bytes, purpose: str) -> Outcome:
    """Verify `subject`'s face (subject: {"reference", "name", "id_number"}) and bill it."""
    await _billable(use, FACE)
    reference = str(subject.get("reference", ""))
    replayed = await _replay(use, FACE, reference)
    if replayed is not None:
        return replayed
    provider, answer = await _provider_answer(
        use, "gpcloud_verify_face", subject=subject, sample=sample, purpose=purpose
    )
    answer = {**answer, "provider_plugin": provider}
    outcome = "matched" if answer.get("matched") else "not_matched"
    charge, created = await record_use(
        use, FACE, reference, provider, str(answer.get("reference", "")), outcome, answer
    )
    return Outcome(charge["evidence"], charge, not created)


async def sign_document(use: Use, signer: dict, document: dict, confirmation: str) -> Outcome:
    """Sign `document` ({"reference", "title", "digest"}) for `signer` and bill the signature."""
    await _billable(use, SIGNATURE)
    reference = str(signer.get("reference", ""))
    replayed = await _replay(use, SIGNATURE, reference)
    if replayed is not None:
        return replayed
    provider, answer = await _provider_answer(
        use, "gpcloud_sign_document", signer=signer, document=document, confirmation=confirmation
    )
    answer = {**answer, "provider_plugin": provider, "document": document}
    if not answer.get("signed"):
        return Outcome(answer, None, False)
    charge, created = await record_use(
        use, SIGNATURE, reference, provider, str(answer.get("reference", "")), "signed", answer
    )
    return Outcome(charge["evidence"], charge, not created)
