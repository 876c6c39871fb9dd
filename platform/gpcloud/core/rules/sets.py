"""Load the rule sets of config/rules/: one file per version of a set; pure, cached."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from gpcloud.settings import PROJECT_ROOT

RULES_DIR = PROJECT_ROOT / "config" / "rules"
UNITS = ("wd", "d", "h", "percent", "yuan", "count")
OVERRIDES = ("at_least", "at_most", "none")


class RuleSetError(ValueError):
    """A rule set file the platform must not start with."""


@dataclass(frozen=True)
class Rule:
    key: str
    value: int | Decimal
    unit: str
    override: str
    source: str
    description: str
    applies_to: tuple[str, ...]
    unverified: bool
    rule_set: str
    version: str
    effective_from: date

    def looser(self, value: int | Decimal) -> bool:
        """True when `value` asks less than this rule does (a shorter minimum, a larger maximum)."""
        if self.override == "at_least":
            return value < self.value
        if self.override == "at_most":
            return value > self.value
        return value != self.value


@dataclass(frozen=True)
class RuleSetVersion:
    name: str
    version: str
    effective_from: date
    description: str
    rules: dict[str, Rule]
    path: str


def _rule(key: str, raw: dict, head: dict, path: Path) -> Rule:
    where = f"{path.name}: rules.{key}"
    unit, override = raw.get("unit"), raw.get("override", "none")
    value = raw.get("value")
    if unit not in UNITS or override not in OVERRIDES:
        raise RuleSetError(f"{where}: unit one of {UNITS}, override one of {OVERRIDES}")
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value < 0:
        raise RuleSetError(f"{where}: value is a number, 0 or more")
    if unit in ("wd", "d", "count") and not isinstance(value, int):
        raise RuleSetError(f"{where}: a {unit} value is a whole number")
    if not raw.get("source"):
        raise RuleSetError(f"{where}: every rule names its source")
    return Rule(
        key=key,
        value=value,
        unit=unit,
        override=override,
        source=raw["source"],
        description=raw.get("description", ""),
        applies_to=tuple(raw.get("applies_to", ())),
        unverified=bool(raw.get("unverified", False)),
        rule_set=head["name"],
        version=str(head["version"]),
        effective_from=head["effective_from"],
    )


def load(folder: Path = RULES_DIR) -> tuple[RuleSetVersion, ...]:
    versions = []
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh, parse_float=Decimal)
        head = data.get("rule_set", {})
        if (
            not head.get("name")
            or not head.get("version")
            or not isinstance(head.get("effective_from"), date)
        ):
            raise RuleSetError(f"{path.name}: [rule_set] needs name, version and effective_from")
        rules = {k: _rule(k, v, head, path) for k, v in data.get("rules", {}).items()}
        versions.append(
            RuleSetVersion(
                head["name"],
                str(head["version"]),
                head["effective_from"],
                head.get("description", ""),
                rules,
                path.name,
            )
        )
    seen: dict[tuple[str, date], str] = {}
    owner: dict[str, str] = {}
    for v in versions:
        if (v.name, v.effective_from) in seen:
            raise RuleSetError(f"{v.path} and {seen[v.name, v.effective_from]}: same set and date")
        seen[v.name, v.effective_from] = v.path
        for key in v.rules:
            if owner.setdefault(key, v.name) != v.name:
                raise RuleSetError(f"{v.path}: rule {key} also belongs to set {owner[key]}")
    return tuple(sorted(versions, key=lambda v: (v.name, v.effective_from)))


@cache
def rule_sets() -> tuple[RuleSetVersion, ...]:
    return load()


def rules_on(on: date) -> dict[str, Rule]:
    """Every rule in force on a date: of each set, the latest version effective by then."""
    current: dict[str, RuleSetVersion] = {}
    for version in rule_sets():
        if version.effective_from <= on:
            current[version.name] = version
    return {key: rule for v in current.values() for key, rule in v.rules.items()}


def config_schema(on: date) -> dict:
    """The tenant config section `rules`: each overridable rule, bounded by the law in force."""
    properties = {}
    for key, rule in sorted(rules_on(on).items()):
        if rule.override == "none":
            continue
        limit = "minimum" if rule.override == "at_least" else "maximum"
        properties[key] = {
            "type": "integer" if isinstance(rule.value, int) else "number",
            "minimum": 0,
            limit: rule.value if isinstance(rule.value, int) else float(rule.value),
            "x-bound": rule.override,
            "description": f"{rule.description} ({rule.unit}; {rule.source})",
        }
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "Stricter values for rules of the rule sets (config/rules), where allowed.",
        "properties": properties,
    }
