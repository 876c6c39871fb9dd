"""The permission model holds together: each mutation declares the permission its service
requires, and docs/permissions.md is the table as the code has it."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

from gpcloud.core.auth.permissions import ABOUT, GRANTS, Perm
from gpcloud.core.graphql.permissions import (
    Authenticated,
    FirstLogin,
    Public,
    Requires,
    SubsystemLive,
    permissions_of,
    render_permissions,
)
from gpcloud.core.graphql.schema import schema
from gpcloud.core.jobs.graphql import enqueue_for_tenant
from gpcloud.core.jobs.registry import get_job_type

ROOT = Path(__file__).resolve().parents[1]


def test_docs_permissions_is_current():
    committed = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert committed == render_permissions(schema), (
        "docs/permissions.md is stale: run "
        "`uv run gpcloud export-permissions --output docs/permissions.md`"
    )


def test_every_permission_is_held_by_a_role():
    held = set().union(*GRANTS.values())
    assert [p for p in Perm if p not in held] == []


def test_every_permission_says_what_it_allows():
    """The administrator reads docs/permissions.md: each permission has its line in ABOUT."""
    assert [p for p in Perm if not ABOUT.get(p)] == []


# Mutations open without a named permission, each for a reason.
OPEN_MUTATIONS = {
    "login": "anyone: it is how an account gets its token",
    "sign_in_with_api_key": "a machine: the API key is its credential (finance_services)",
    "register_supplier": "anyone: a company registering itself has no account yet",
    "change_password": "an account in its first login must be able to",
    "complete_profile": "an account in its first login must be able to",
    "mark_notifications_read": "any account: its own inbox",
    "set_notification_preference": "any account: its own preferences",
    "start_import": "each registry's import needs its own permission (ImportFormat.permission), "
    "which the service requires",
}
# The classes a field may declare; none names a role.
FIELD_PERMISSIONS = (Public, FirstLogin, Authenticated, Requires, SubsystemLive)


def _fields():
    for type_name, graphql_type in schema.schema_converter.type_map.items():
        for field in getattr(graphql_type.definition, "fields", None) or []:
            yield type_name, field


def test_no_field_asks_for_a_role():
    """Who may is a permission of the one table, never a list of roles on a field."""
    by_role = sorted(
        f"{type_name}.{field.python_name}: {type(permission).__name__}"
        for type_name, field in _fields()
        for permission in permissions_of(field)
        if type(permission) not in FIELD_PERMISSIONS
    )
    assert by_role == []


def test_every_mutation_requires_a_permission_unless_open_on_purpose():
    open_ = sorted(
        field.python_name
        for field in schema.schema_converter.type_map["Mutation"].definition.fields
        if not any(isinstance(p, Requires) for p in permissions_of(field))
    )
    assert open_ == sorted(OPEN_MUTATIONS)


def _resolve(node: ast.expr, names: dict):
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, names)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def required_by_calls(resolver) -> set[Perm]:
    """The permissions required by what a resolver calls: services marked @requires, and jobs
    started with enqueue_for_tenant (their registered permission)."""
    function = resolver.wrapped_func
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found: set[Perm] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = _resolve(node.func, function.__globals__)
        if target is enqueue_for_tenant:
            job_type = node.args[1]
            assert isinstance(job_type, ast.Constant), "name the job type literally"
            found.add(get_job_type(job_type.value).permission)
        elif getattr(target, "permission", None) is not None:
            found.add(target.permission)
    return found


def _mutations():
    for field in schema.schema_converter.type_map["Mutation"].definition.fields:
        declared = {p.permission for p in permissions_of(field) if isinstance(p, Requires)}
        if declared:
            yield field, declared


def test_each_mutation_requires_what_its_service_requires():
    wrong = {
        field.python_name: (declared, required)
        for field, declared in _mutations()
        if declared != (required := required_by_calls(field.base_resolver))
    }
    assert wrong == {}, "mutation: (declared by its field, required by what it calls)"


def test_the_check_finds_the_service_behind_a_mutation():
    """Guard the guard: the mutations it checks are found and their services read."""
    checked = {
        field.python_name: required_by_calls(field.base_resolver) for field, _ in _mutations()
    }
    assert checked["submit_procurement_plan"] == {Perm.PLAN_SUBMIT}
    assert checked["exchange_payments"] == {Perm.PAYMENT_EXCHANGE}
    assert checked["publish_article"] == {Perm.ARTICLE_PUBLISH}
    assert checked["approve_expert"] == {Perm.EXPERT_DECIDE}  # through a lambda
    assert checked["check_credit"] == {Perm.CREDIT_CHECK}
    assert checked["fetch_credit_list"] == {Perm.CREDIT_IMPORT}
    assert checked["export_suspensions"] == {Perm.COMPLAINT_READ}  # through its job type
    assert len(checked) == 220
