"""Every type, field, argument and enum value of the API is described, for the frontend
developers who read the schema (GraphiQL, schema.graphql). `uv run gpcloud export-schema
--undescribed` lists what is not."""

from gpcloud.core.graphql.schema import schema
from gpcloud.core.ops.descriptions import describe_by_convention, field_meanings, undescribed
from graphql import build_schema


def test_everything_in_the_api_is_described():
    missing = list(undescribed(schema._schema))
    assert missing == [], (
        "describe these (strawberry.field(description=...), strawberry.type(description=...), "
        "values_enum meanings, strawberry.argument(description=...), or field_meanings for "
        f"what a domain's types share): {missing}"
    )


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
