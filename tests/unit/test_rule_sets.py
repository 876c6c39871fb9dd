"""Rule sets as data: versions by effective date, and files the platform must refuse."""

from datetime import date

import pytest

from gpcloud.core.rules.sets import RuleSetError, config_schema, load, rules_on

HEAD = '[rule_set]\nname = "{name}"\nversion = "{version}"\neffective_from = {date}\n'
RULE = (
    '[rules.{key}]\nvalue = {value}\nunit = "{unit}"\noverride = "at_least"\nsource = "{source}"\n'
)


def write(folder, filename, name="national", version="1", on="2020-01-01", rules=()):
    text = HEAD.format(name=name, version=version, date=on)
    for key, value, unit, source in rules:
        text += RULE.format(key=key, value=value, unit=unit, source=source)
    (folder / filename).write_text(text, encoding="utf-8")


def test_shipped_sets_load_and_every_rule_names_a_source():
    rules = rules_on(date(2026, 1, 1))
    assert rules["contract_publication"].value == 2 and rules["contract_publication"].unit == "wd"
    assert all(r.source for r in rules.values())


def test_the_version_in_force_on_a_date_wins():
    assert rules_on(date(2022, 6, 30))["sme_price_deduction_max"].value == 10
    later = rules_on(date(2022, 7, 1))["sme_price_deduction_max"]
    assert later.value == 20 and later.source == "Caiku [2022] 19" and later.version == "2022.1"
    assert rules_on(date(2016, 12, 31)) == {}  # before any version: no rules, not guesses


def test_tenant_overrides_are_bounded_by_the_law_in_schema():
    schema = config_schema(date(2026, 1, 1))["properties"]
    assert schema["intention_lead"]["minimum"] == 30
    assert schema["intention_lead"]["x-bound"] == "at_least"
    assert schema["contract_publication"]["maximum"] == 2
    assert schema["contract_publication"]["x-bound"] == "at_most"


@pytest.mark.parametrize(
    ("value", "unit", "source", "message"),
    [
        ("20", "weeks", "Law", "unit one of"),
        ('"20"', "d", "Law", "value is a number"),
        ("2.5", "wd", "Law", "whole number"),
        ("-1", "d", "Law", "0 or more"),
        ("20", "d", "", "names its source"),
    ],
)
def test_bad_rules_are_refused(tmp_path, value, unit, source, message):
    write(tmp_path, "a.toml", rules=[("bid_period", value, unit, source)])  # value: TOML text
    with pytest.raises(RuleSetError, match=message):
        load(tmp_path)


def test_a_rule_belongs_to_one_set_and_a_set_has_one_version_per_date(tmp_path):
    write(tmp_path, "a.toml", rules=[("bid_period", 20, "d", "Law")])
    write(tmp_path, "b.toml", name="guangdong", rules=[("bid_period", 25, "d", "Local")])
    with pytest.raises(RuleSetError, match="also belongs to set"):
        load(tmp_path)
    (tmp_path / "b.toml").unlink()
    write(tmp_path, "c.toml", version="2", rules=[("bid_period", 20, "d", "Law")])
    with pytest.raises(RuleSetError, match="same set and date"):
        load(tmp_path)


def test_a_file_without_a_head_is_refused(tmp_path):
    (tmp_path / "x.toml").write_text('[rules.a]\nvalue = 1\nunit = "d"\nsource = "s"\n')
    with pytest.raises(RuleSetError, match="needs name, version and effective_from"):
        load(tmp_path)
