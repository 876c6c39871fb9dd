"""The API's contract: the committed schema is current, and every field says who may use it."""

from pathlib import Path

from strawberry.permission import PermissionExtension

from gpcloud.core.graphql.permissions import Public
from gpcloud.core.graphql.schema import schema

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_is_current():
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is stale: run `uv run gpcloud export-schema --output schema.graphql`"
    )


def _fields():
    for type_name, graphql_type in schema.schema_converter.type_map.items():
        for field in getattr(graphql_type.definition, "fields", None) or []:
            yield type_name, field


def _permissions(field):
    return [
        permission
        for extension in field.extensions
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
    ]


def test_every_root_field_and_every_resolver_declares_a_permission():
    missing = [
        f"{type_name}.{field.python_name}"
        for type_name, field in _fields()
        if (type_name in ("Query", "Mutation") or field.base_resolver is not None)
        and not _permissions(field)
    ]
    assert missing == [], f"fields without a permission class: {missing}"


def test_public_root_fields_are_the_known_anonymous_ones():
    """Anonymous access is a decision: a new public root field must be added here on purpose."""
    public = sorted(
        f"{type_name}.{field.python_name}"
        for type_name, field in _fields()
        if type_name in ("Query", "Mutation")
        and any(isinstance(p, Public) for p in _permissions(field))
    )
    assert public == [
        "Mutation.login",
        "Mutation.register_supplier",
        "Mutation.sign_in_with_api_key",  # a machine's credential is its API key
        "Query.audit_consistency_proof",  # hashes only: anyone may check the log only grew
        "Query.complaint_decisions",  # public by law: published complaint decisions
        "Query.indicator_catalogue",  # the analytics catalogue: definitions, no figures
        "Query.legacy_migrations",  # the portal: migration status, published notices only
        "Query.notice",
        "Query.notices",
        "Query.public_indicator_series",  # the public indicators the portal's summary shows
        "Query.public_indicators",
        "Query.red_flag_gaps",  # which red flags the platform cannot raise, and why
        "Query.rollout_status",
        "Query.root_tenant",
        "Query.serious_violations",  # public by law: the serious-violation list in force
        "Query.tenant",
    ]


def test_the_check_sees_a_field_without_permission():
    """Guard the guard: a resolver field without a permission is reported."""
    import strawberry

    @strawberry.type
    class Query:
        @strawberry.field
        def leak(self) -> str:
            return "x"

    probe = strawberry.Schema(query=Query)
    fields = probe.schema_converter.type_map["Query"].definition.fields
    assert [f.python_name for f in fields if not _permissions(f)] == ["leak"]


def test_every_list_field_declares_its_bound():
    """The cost model multiplies by a list's bound: a list without one could not be costed."""
    from gpcloud.core.graphql.cost import list_bound, list_fields

    missing = [
        f"{type_name}.{name}"
        for type_name, name, field in list_fields(schema._schema)
        if list_bound(field) is None
    ]
    assert missing == [], f"list fields without @listSize: {missing}"


def test_the_bound_check_sees_a_list_without_one():
    """Guard the guard: an unbounded list is reported, and the cost model refuses to build."""
    import pytest
    import strawberry

    from gpcloud.core.graphql.cost import CostModel, ListSize, list_bound, list_fields

    @strawberry.type
    class Query:
        everything: list[str]
        bounded: list[str] = strawberry.field(directives=[ListSize(max=3)])

    probe = strawberry.Schema(query=Query)._schema
    assert [n for _, n, f in list_fields(probe) if list_bound(f) is None] == ["everything"]
    with pytest.raises(TypeError, match="Query.everything"):
        CostModel(probe, 20, 100)
