"""Rules as a tenant sees them on a date, and deadlines that say how they were computed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from gpcloud.core.calendar import service as calendar
from gpcloud.core.calendar.days import UNITS, Deadline
from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.rules.sets import Rule, rules_on
from gpcloud.core.tenancy.config import EffectiveConfig, effective_config


@dataclass(frozen=True)
class EffectiveRule:
    rule: Rule
    value: int | object
    # Set when the tenant's config is stricter than the rule: where that came from.
    overridden_by: str | None = None

    def describe(self) -> str:
        r = self.rule
        text = (
            f"{r.key} = {r.value} {r.unit} ({r.source}; rule set {r.rule_set} {r.version}, "
            f"in force from {r.effective_from})"
        )
        if self.overridden_by:
            text += f"; {self.overridden_by} requires {self.value}"
        return text + (" [unverified]" if r.unverified else "")


def effective_rules(config: EffectiveConfig | None, on: date | None = None) -> dict:
    on = on or today()
    overrides = (config.values.get("rules", {}) if config else {}) or {}
    result = {}
    for key, rule in rules_on(on).items():
        value = overrides.get(key)
        # An override written under an older, looser version never weakens the law in force.
        if value is None or rule.override == "none" or rule.looser(value) or value == rule.value:
            result[key] = EffectiveRule(rule, rule.value)
            continue
        source = config.sources.get(("rules", key)) if config else None
        result[key] = EffectiveRule(rule, value, str(source) if source else "tenant config")
    return result


async def effective_rule(key: str, tenant: str | None, on: date | None = None) -> EffectiveRule:
    config = await effective_config(tenant) if tenant else None
    found = effective_rules(config, on).get(key)
    if found is None:
        raise DomainError("UNKNOWN_RULE", f"no rule {key!r} in force on {on or today()}", "rule")
    return found


async def rule_deadline(key: str, start: date, tenant: str | None) -> Deadline:
    """The date a rule's period ends when it starts on `start`, for the tenant, with the rule
    version in force on the start date and every step of the computation."""
    found = await effective_rule(key, tenant, start)
    if found.rule.unit not in UNITS:
        raise DomainError("NOT_A_PERIOD", f"rule {key} is not a period", "rule")
    computed = await calendar.deadline(start, int(found.value), found.rule.unit)
    return replace(computed, steps=(found.describe(), *computed.steps))


async def rule_deadlines(
    key: str, starts: Iterable[tuple[date, str | None]]
) -> dict[tuple[date, str | None], Deadline]:
    """`rule_deadline` for many (start, tenant) pairs at once: each tenant's config read once,
    one calendar window per period length. The same rule versions, overrides and steps."""
    pairs = set(starts)
    configs = {t: await effective_config(t) if t else None for t in {t for _, t in pairs}}
    periods: dict[tuple[int, str], list[tuple[date, str | None, EffectiveRule]]] = defaultdict(list)
    for start, tenant in pairs:
        found = effective_rules(configs[tenant], start).get(key)
        if found is None:
            raise DomainError("UNKNOWN_RULE", f"no rule {key!r} in force on {start}", "rule")
        if found.rule.unit not in UNITS:
            raise DomainError("NOT_A_PERIOD", f"rule {key} is not a period", "rule")
        periods[(int(found.value), found.rule.unit)].append((start, tenant, found))
    out = {}
    for (amount, unit), items in periods.items():
        computed = await calendar.deadlines([s for s, _, _ in items], amount, unit)
        for start, tenant, found in items:
            out[(start, tenant)] = replace(
                computed[start], steps=(found.describe(), *computed[start].steps)
            )
    return out
