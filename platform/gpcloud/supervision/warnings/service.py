"""Publication warnings: the rules run before a document or announcement is published, and the
overrides an agency asks for.

`check_publication` is called by the publishing domain (transaction) inside the publication's
transaction, once per publish path. It hands the subject to every built-in rule and to the
tenant's approved plugins (gpcloud_check_publication, `collect`), then applies the tenant's
config (publication_warnings): a rule at "block" fails the publication with
PUBLICATION_BLOCKED, one problem per warning; a rule at "warn" fails it with
PUBLICATION_WARNINGS unless the publishing agency asked beforehand to override that rule for
this plan and kind (`request_override`, with a reason). The override is then used, compare-
and-set through the workflow kernel, by this publication, and what the rule matched is recorded
with it and in the audit log: a finance department sees every override of its region
(supervision/views_warnings.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now, today
from gpcloud.core.db import serialize_writes, transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.money import to_yuan
from gpcloud.core.plugins.hooks import collect, tenant_context
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.agencies.service import common as agencies
from gpcloud.supervision import plans
from gpcloud.supervision.tables import PublicationOverride
from gpcloud.supervision.warnings.common import HOOK, KINDS, LEVELS, RULE_CODE, flatten
from gpcloud.supervision.workflow import OVERRIDE

SCOPE = "publication warnings: overrides live in the plan's region, the agency may be elsewhere"
MAX_REASON = 2000


@dataclass(frozen=True)
class Warning:
    rule: str
    article: str
    matched: str
    message: str
    path: str
    plugin: str  # "builtin:<rule>" or the plugin's name
    level: str

    def describe(self) -> str:
        return f"{self.rule}（{self.article}）：「{self.matched}」{self.message}"

    def problem(self, code: str) -> Problem:
        return Problem(code, self.describe(), f"warnings.{self.rule}")


def _texts(kind: str, content: dict) -> list[dict]:
    found = [
        {"path": path, "text": text}
        for key in ("title", "body")
        if content.get(key)
        for path, text in flatten(content[key], key)
    ]
    for key in ("requirements", "qualification", "compliance", "criteria"):
        found += [
            {"path": p, "text": t} for p, t in flatten(content.get(key, []), f"documents.{key}")
        ]
    return found


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


async def subject_of(kind: str, project: dict, on: date, content: dict) -> dict:
    """The subject as gpcloud_check_publication documents it (core/plugins/hookspecs.py)."""
    plan = await plans.get(project["plan"])
    subject = {
        "kind": kind,
        "reference": f"project:{project['id']}:{kind}",
        "on": on.isoformat(),
        "project": {
            "id": project["id"],
            "plan_id": plan["id"],
            "title": project["title"],
            "method": project["method"],
            "object_type": plan["object_type"],
            "category_code": plan["category_code"],
            "budget": str(to_yuan(project["budget_fen"])),
            "purchaser_id": project["purchaser"],
            "status": project["status"],
            "bid_deadline": _day(project.get("bid_deadline")),
        },
        "texts": _texts(kind, content),
    }
    if kind in ("tender", "correction"):
        subject["bid_deadline"] = _day(content.get("bid_deadline"))
        subject["affects_bids"] = bool(content.get("affects_bids"))
    if kind == "documents":
        subject["documents"] = {
            key: content.get(key)
            for key in ("version", "requirements", "qualification", "compliance", "criteria")
        } | {"price_weight": content.get("price_weight")}
    if kind == "result":
        subject["awards"] = [
            {
                "organisation_id": a["organisation_id"],
                "supplier_name": a["supplier_name"],
                "amount": str(to_yuan(a["amount_fen"])),
            }
            for a in content.get("awards", ())
        ]
    return subject


def level_of(config: dict, rule: str) -> str:
    """The tenant's level for `rule` (publication_warnings.levels, else its default)."""
    section = config.get("publication_warnings") or {}
    level = (section.get("levels") or {}).get(rule, section.get("default_level", "warn"))
    return level if level in LEVELS else "warn"


def _warning(plugin: str, value: object, config: dict) -> Warning:
    """A rule's answer as a Warning; a plugin's rule code is prefixed with its name."""
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k), str) for k in ("rule", "article", "matched", "message")
    ):
        raise DomainError(
            "PLUGIN_FAILED", f"{plugin}: a warning is a dict of rule, article, matched, message"
        )
    rule = value["rule"]
    if not plugin.startswith("builtin:") and not rule.startswith(f"{plugin}."):
        rule = f"{plugin}.{rule}"
    if not RULE_CODE.match(rule):
        raise DomainError("PLUGIN_FAILED", f"{plugin}: {rule!r} is not a rule code")
    return Warning(
        rule,
        value["article"] or "unverified",
        value["matched"],
        value["message"],
        str(value.get("path") or ""),
        plugin,
        level_of(config, rule),
    )


async def warnings_for(subject: dict, tenant: str) -> list[Warning]:
    config = await effective_config(tenant)
    context = await tenant_context(tenant, config)
    answers = await collect(tenant, HOOK, subject=subject, tenant=context)
    return [
        _warning(answer.plugin, value, config.values)
        for answer in answers
        for value in answer.value or ()
    ]


async def check_publication(
    actor: CurrentUser | None, kind: str, project: dict, on: date | None = None, **content
) -> list[Warning]:
    """Run the rules on what `actor` is about to publish for `project` (its row) and apply the
    tenant's levels; call inside the publication's transaction. `content` by kind: title, body,
    bid_deadline, affects_bids (announcements); version, requirements, qualification,
    compliance, criteria, price_weight (documents); awards [{organisation_id, supplier_name,
    amount_fen}] (result). Returns the warnings that let it through (overridden ones
    included); raises PUBLICATION_BLOCKED or PUBLICATION_WARNINGS."""
    on = on or today()
    with all_tenants(SCOPE):
        subject = await subject_of(kind, project, on, content)
        found = await warnings_for(subject, project["tenant_id"])
        blocking = [w for w in found if w.level == "block"]
        warned = [w for w in found if w.level == "warn"]
        overrides = await _pending(actor, subject) if warned else {}
        # Everything that stops it, at once: what blocks first (the error's code), then the
        # warnings no override covers.
        problems = [w.problem("PUBLICATION_BLOCKED") for w in blocking] + [
            w.problem("PUBLICATION_WARNINGS") for w in warned if w.rule not in overrides
        ]
        if problems:
            raise DomainError.many(problems)
        for rule in sorted({w.rule for w in warned}):
            await _use(actor, subject, overrides[rule], [w for w in warned if w.rule == rule])
    return [w for w in found if w.level != "off"]


async def _pending(actor: CurrentUser | None, subject: dict) -> dict[str, dict]:
    """The publishing agency's pending overrides of this plan's publication, by rule."""
    rows = (
        await PublicationOverride.select()
        .where(
            (PublicationOverride.plan == subject["project"]["plan_id"])
            & (PublicationOverride.kind == subject["kind"])
            & (PublicationOverride.status == "pending")
            & (PublicationOverride.organisation == (actor.organisation_id if actor else -1))
        )
        .order_by(PublicationOverride.id)
    )
    return {row["rule"]: row for row in rows}


async def _use(actor: CurrentUser | None, subject: dict, row: dict, found: list[Warning]) -> None:
    """The override lets this publication through: compare-and-set, with what it matched."""
    matched = [w.matched for w in found]
    await OVERRIDE.move(
        None,
        row,
        "use",
        {
            PublicationOverride.subject: subject["reference"],
            PublicationOverride.article: found[0].article,
            PublicationOverride.matched: json.dumps(matched, ensure_ascii=False),
            PublicationOverride.used_at: now(),
            PublicationOverride.used_by: actor.id if actor else None,
        },
        {"subject": subject["reference"], "article": found[0].article, "matched": matched},
    )


@requires(Perm.PUBLICATION_OVERRIDE)
async def request_override(
    actor: CurrentUser, plan_id: int, kind: str, rules: list[str], reason: str
) -> list[dict]:
    """The agency asks to publish the plan's next `kind` despite warnings of `rules`, saying
    why; used by that publication (a warning of another rule still stops it)."""
    problems = []
    if kind not in KINDS:
        problems.append(Problem("INVALID_KIND", f"one of {', '.join(KINDS)}", "kind"))
    if not rules or len(set(rules)) != len(rules) or not all(RULE_CODE.match(r) for r in rules):
        problems.append(Problem("INVALID_RULES", "distinct rule codes, at least one", "rules"))
    if not 2 <= len(reason.strip()) <= MAX_REASON:
        problems.append(
            Problem("REASON_REQUIRED", f"say why, in 2 to {MAX_REASON} characters", "reason")
        )
    if problems:
        raise DomainError.many(problems)
    with all_tenants(SCOPE):
        try:
            plan = await plans.get(plan_id)
        except NotFound:
            raise NotFound("plan", plan_id) from None
        agency = await agencies.of_organisation(actor.organisation_id or -1)
        region = {plan["tenant_id"], *(await tenant_tree()).ancestors(plan["tenant_id"])}
        if (
            AGENCY not in actor.roles
            or agency is None
            or not region & set(await agencies.tenant_codes(agency["id"]))
        ):
            raise NotFound("plan", plan_id)
        if plan["status"] != "executing":
            raise DomainError(
                "WRONG_STATE", f"the plan is {plan['status']}: nothing to publish", "planId"
            )
        async with transaction():
            # One request of an agency for a plan's publication at a time: exactly one pending
            # override per rule, whatever requests race.
            await serialize_writes(f"publication_override:{plan_id}:{kind}:{actor.organisation_id}")
            earlier = await PublicationOverride.select().where(
                (PublicationOverride.plan == plan_id)
                & (PublicationOverride.kind == kind)
                & (PublicationOverride.status == "pending")
                & (PublicationOverride.organisation == actor.organisation_id)
                & PublicationOverride.rule.is_in(rules)
            )
            for row in earlier:
                await OVERRIDE.move(None, row, "supersede", detail={"by": actor.id})
            made = []
            for rule in rules:
                inserted = await PublicationOverride.insert(
                    PublicationOverride(
                        tenant_id=plan["tenant_id"],
                        plan=plan_id,
                        kind=kind,
                        rule=rule,
                        reason=reason.strip(),
                        organisation=actor.organisation_id,
                        requested_by=actor.id,
                        requested_at=now(),
                    )
                )
                row = await get(inserted[0]["id"])
                await OVERRIDE.created(row, {"plan": plan_id, "kind": kind, "rule": rule})
                made.append(row)
            return made


async def get(override_id: int) -> dict:
    row = await PublicationOverride.select().where(PublicationOverride.id == override_id).first()
    if row is None:
        raise NotFound("publication override", override_id)
    return row
