"""No release breaks a client: the schema may grow, and loses only what a release deprecated."""

from pathlib import Path

from gpcloud.core.ops import schema_evolution as evolution

ROOT = Path(__file__).resolve().parents[2]

RELEASED = """
type Query {
  plan(id: ID!): Plan
  oldPlans: [Plan!]! @deprecated(reason: "use plans")
  plans(first: Int, status: PlanStatus, legacy: Boolean @deprecated(reason: "always false")): [Plan!]!
  legacyNotice: LegacyNotice @deprecated(reason: "notices carry it now")
}
type Plan { id: ID! title: String! amountFen: Int @deprecated(reason: "use amount") amount: String! status: PlanStatus! }
type LegacyNotice { id: ID! }
enum PlanStatus { DRAFT FILED RETIRED @deprecated(reason: "never used") }
"""


def _changes(new: str) -> evolution.Changes:
    return evolution.compare(RELEASED, new)


def test_the_api_has_no_breaking_change_since_the_last_release():
    current = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert current == evolution.current_sdl(), "schema.graphql is stale: run gpcloud export-schema"
    changes = evolution.compare(evolution.RELEASED.read_text(encoding="utf-8"), current)
    assert changes.refused == [], (
        "breaking API changes since the last release: deprecate first "
        "(@deprecated with a reason, remove a release later); see docs/api/CHANGELOG.md"
    )


def test_what_was_deprecated_for_a_release_may_go():
    new = """
    type Query { plan(id: ID!): Plan  plans(first: Int, status: PlanStatus): [Plan!]! }
    type Plan { id: ID! title: String! amount: String! status: PlanStatus! }
    enum PlanStatus { DRAFT FILED }
    """
    changes = _changes(new)
    assert changes.ok, changes.refused
    assert sorted(changes.retired) == [
        "Argument Query.plans(legacy:) was removed.",
        "Enum value PlanStatus.RETIRED was removed.",
        "Field Plan.amountFen was removed.",
        "Field Query.legacyNotice was removed.",
        "Field Query.oldPlans was removed.",
        "LegacyNotice was removed.",
    ]


def test_breaking_changes_are_refused_and_additions_listed():
    new = """
    type Query {
      plan(id: ID!, tenant: String!): Plan
      oldPlans: [Plan!]!
      plans(first: Int, status: PlanStatus, legacy: Boolean, search: String): [Plan!]!
      legacyNotice: LegacyNotice
      contract: String
    }
    type Plan { id: ID! title: String amountFen: Int amount: String! status: PlanStatus! }
    type LegacyNotice { id: ID! }
    enum PlanStatus { DRAFT RETIRED WITHDRAWN }
    """
    changes = _changes(new)
    assert not changes.ok
    assert sorted(changes.refused) == [
        "A required argument Query.plan(tenant:) was added.",
        "Enum value PlanStatus.FILED was removed.",
        "Field Plan.title changed type from String! to String.",
    ]
    assert any("WITHDRAWN" in d for d in changes.dangerous)
    assert "Field Query.contract was added." in changes.safe
    text = evolution.markdown(changes, "0.2.0")
    assert text.startswith("## 0.2.0\n") and "- Field Query.contract was added." in text


def test_a_type_still_used_elsewhere_is_not_retired_by_a_deprecation():
    released = RELEASED.replace(
        "type LegacyNotice { id: ID! }",
        "type LegacyNotice { id: ID! }\ntype Query2 { n: LegacyNotice }",
    )
    new = released.replace(
        '  legacyNotice: LegacyNotice @deprecated(reason: "notices carry it now")\n', ""
    )
    new = new.replace("type LegacyNotice { id: ID! }\ntype Query2 { n: LegacyNotice }", "")
    changes = evolution.compare(released, new)
    assert "LegacyNotice was removed." in changes.refused


def test_a_release_records_its_changes_and_becomes_the_baseline(tmp_path):
    released, changelog = tmp_path / "released.graphql", tmp_path / "CHANGELOG.md"
    current = evolution.current_sdl()
    query = current.index("type Query {\n") + len("type Query {\n")
    gone = '  meGone: Int @deprecated(reason: "x")\n'
    released.write_text(current[:query] + gone + current[query:])
    changelog.write_text("# API changelog\n\nIntro.\n\n## 0.1.0\n\nFirst.\n")
    changes = evolution.release("0.2.0", released, changelog)
    assert changes.ok and changes.retired == ["Field Query.meGone was removed."]
    assert released.read_text() == current
    text = changelog.read_text()
    assert text.index("## 0.2.0") < text.index("## 0.1.0") and text.startswith("# API changelog")
    assert "- Field Query.meGone was removed." in text
