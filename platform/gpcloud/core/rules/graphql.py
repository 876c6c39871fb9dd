"""Rule sets through the API: the versions, the rules a tenant works under on a date (with its
stricter overrides), and a rule's deadline from a start date, explained."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.calendar.graphql import READERS, Deadline
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.permissions import allow
from gpcloud.core.rules import service
from gpcloud.core.rules.sets import Rule as RuleValue
from gpcloud.core.rules.sets import rule_sets
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import current_scope


@strawberry.type(description="One legal number, as one version of its rule set states it.")
class Rule:
    key: str = strawberry.field(description="The rule's name, e.g. bid_period_open_tender.")
    value: str = strawberry.field(description="A number as text (exact decimals).")
    unit: str = strawberry.field(description="wd, d, percent, yuan or count.")
    override: str = strawberry.field(
        description="at_least / at_most: a tenant may be stricter that way; none: fixed."
    )
    source: str = strawberry.field(description="The law and article it comes from.")
    description: str = strawberry.field(description="What it requires, in words.")
    applies_to: list[str] = strawberry.field(
        directives=[ListSize(max=50)], description="The procurement methods or steps it governs."
    )
    unverified: bool = strawberry.field(
        description="True where the source text was not read (the value is the best known)."
    )
    rule_set: str = strawberry.field(description="The rule set it belongs to (config/rules).")
    version: str = strawberry.field(description="The rule set's version.")
    effective_from: date = strawberry.field(description="The first day it is in force.")

    @classmethod
    def of(cls, rule: RuleValue) -> Rule:
        return cls(
            key=rule.key,
            value=str(rule.value),
            unit=rule.unit,
            override=rule.override,
            source=rule.source,
            description=rule.description,
            applies_to=list(rule.applies_to),
            unverified=rule.unverified,
            rule_set=rule.rule_set,
            version=rule.version,
            effective_from=rule.effective_from,
        )


@strawberry.type(description="A version of a rule set (the legal numbers), effective from a date.")
class RuleSetVersion:
    name: str = strawberry.field(description="The rule set, e.g. national, emall.")
    version: str = strawberry.field(description="Its version (the law's date).")
    effective_from: date = strawberry.field(description="The first day it is in force.")
    description: str = strawberry.field(description="What the version is, and its source.")
    rules: list[Rule] = strawberry.field(directives=[ListSize(max=200)], description="Its rules.")


@strawberry.type(description="A rule as a tenant works under it.")
class EffectiveRule:
    rule: Rule = strawberry.field(description="The rule as the law states it.")
    value: str = strawberry.field(description="The law's value, or the tenant's stricter one.")
    overridden_by: str | None = strawberry.field(
        description="The config layer that made it stricter (e.g. edit:441400@v3)."
    )


def _tenant(info: Info, tenant: str | None) -> str:
    code = tenant or info.context.user.tenant
    if not current_scope().can_see(code):
        raise DomainError("NOT_FOUND", f"tenant {code} not found", "tenant")
    return code


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        description="Every version of every rule set.",
        directives=[ListSize(max=200)],
    )
    async def rule_sets(self) -> list[RuleSetVersion]:
        return [
            RuleSetVersion(
                name=v.name,
                version=v.version,
                effective_from=v.effective_from,
                description=v.description,
                rules=[Rule.of(r) for r in v.rules.values()],
            )
            for v in rule_sets()
        ]

    @strawberry.field(
        extensions=allow(READERS),
        description="The rules in force on a date (default today) for a tenant (default yours).",
        directives=[ListSize(max=200)],
    )
    async def effective_rules(
        self,
        info: Info,
        tenant: Annotated[
            str | None, strawberry.argument(description="Region code; default: your own.")
        ] = None,
        on: Annotated[
            date | None, strawberry.argument(description="The day; default: today.")
        ] = None,
    ) -> list[EffectiveRule]:
        config = await effective_config(_tenant(info, tenant))
        found = service.effective_rules(config, on)
        return [
            EffectiveRule(rule=Rule.of(e.rule), value=str(e.value), overridden_by=e.overridden_by)
            for _, e in sorted(found.items())
        ]

    @strawberry.field(
        extensions=allow(READERS),
        description="When a rule's period that starts on `start` ends, for a tenant, explained.",
    )
    async def rule_deadline(
        self,
        info: Info,
        rule: Annotated[str, strawberry.argument(description="A period rule's key.")],
        start: Annotated[date, strawberry.argument(description="The day the period starts.")],
        tenant: Annotated[
            str | None, strawberry.argument(description="Region code; default: your own.")
        ] = None,
    ) -> Deadline:
        return Deadline.of(await service.rule_deadline(rule, start, _tenant(info, tenant)))
