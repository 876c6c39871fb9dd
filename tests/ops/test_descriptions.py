"""Every type, field, argument and enum value of the API is described, for the frontend
developers who read the schema (GraphiQL, schema.graphql).

tests/ops/undescribed.txt lists the gaps the API had when this test came (schema coordinates);
anything new must be described, and the list only shrinks: describe an item, then remove its
line (`uv run gpcloud export-schema --undescribed > tests/ops/undescribed.txt` lists them all)."""

from pathlib import Path

from graphql import build_schema

from gpcloud.core.graphql.schema import schema
from gpcloud.core.ops.descriptions import describe_by_convention, field_meanings, undescribed

KNOWN_GAPS = Path(__file__).with_name("undescribed.txt")


def _known() -> set[str]:
    lines = KNOWN_GAPS.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_everything_new_in_the_api_is_described():
    new = [c for c in undescribed(schema._schema) if c not in _known()]
    assert new == [], (
        "describe these (strawberry.field(description=...), a docstring on the type, "
        "strawberry.enum_value(description=...), strawberry.argument(description=...)): "
        f"{new}"
    )


def test_the_gaps_only_shrink():
    """No one grows the allow-list instead of writing a description."""
    assert len(_known()) <= 29  # the gaps left; lower it as the list shrinks


def test_conventions_fill_only_what_the_code_left_empty():
    sdl = '''
    type Query { plans(first: Int, after: String, filter: PlanFilter): PlanConnection! }
    input PlanFilter { status: String }
    type PlanConnection { edges: [PlanEdge!]! pageInfo: PageInfo! }
    type PlanEdge { cursor: String! node: Plan! }
    type PageInfo { hasNextPage: Boolean! endCursor: String }
    """A procurement plan."""
    type Plan { id: ID! "Its title, in Chinese." title: String! amount: String! }
    type Mutation { filePlan(id: ID!): PlanPayload! }
    type PlanPayload { result: Plan errors: [String!]! }
    enum Kind { A B }
    '''
    schema_ = build_schema(sdl)
    describe_by_convention(schema_)
    assert schema_.type_map["Plan"].description == "A procurement plan."
    assert schema_.type_map["Plan"].fields["title"].description == "Its title, in Chinese."
    assert schema_.type_map["PlanEdge"].fields["node"].description == "The Plan."
    assert sorted(undescribed(schema_)) == [
        "Kind",
        "Kind.A",
        "Kind.B",
        "Mutation.filePlan",
        "Plan.amount",
        "PlanFilter.status",
        "PlanPayload.result",
        "Query.plans",
    ]


def test_a_domain_says_once_what_its_shared_fields_and_arguments_mean():
    sdl = """
    type Query { grants(status: String, planId: ID): [Grant!]! queues: Queues! }
    type Mutation { setGrantStatus(id: ID!, status: String!, stage: Int!): Grant }
    type Grant { id: ID! amount: String! title: String! }
    input GrantInput { amount: String! }
    type Queues { late: [Grant!]! lateCount: Int! }
    """
    schema_ = build_schema(sdl)
    field_meanings(("Grant", "GrantInput"), {"amount": "Yuan."})
    field_meanings(("Mutation.setGrantStatus",), {"stage": "Which stage."})
    schema_.type_map["Grant"].fields["title"].description = "Its own words."
    field_meanings(("Grant",), {"title": "Not used: the field has its own."})
    describe_by_convention(schema_)
    grant, mutation = schema_.type_map["Grant"], schema_.type_map["Mutation"]
    assert grant.fields["amount"].description == "Yuan."
    assert schema_.type_map["GrantInput"].fields["amount"].description == "Yuan."
    assert grant.fields["title"].description == "Its own words."
    args = schema_.type_map["Query"].fields["grants"].args
    assert args["status"].description == "Only those in this status."
    assert args["planId"].description == "The id of the plan it concerns."
    set_status = mutation.fields["setGrantStatus"].args
    assert set_status["status"].description == "The status it takes."
    assert set_status["stage"].description == "Which stage."
    assert "`late`" in schema_.type_map["Queues"].fields["lateCount"].description
    assert schema_.type_map["Queues"].fields["late"].description is None
