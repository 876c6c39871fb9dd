"""Tenant table and the two mixins every other table declares itself with.

- `TenantOwned`: rows belong to a tenant (`tenant_id` column). Every query built from the class
  (select, objects, count, exists, update, delete, insert, save, remove) is filtered to, or checked
  against, the current scope's visible tenants; with no scope it raises `NoScope`.
- `ProvinceShared`: registered once for the whole province (suppliers, experts, agencies, goods);
  no tenant filter.

Joins from a shared table into a tenant-owned one are not filtered by the base: query the
tenant-owned table itself (or its dataloader) instead.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.combination import CombinableMixin, WhereRaw
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.query.methods.insert import Insert
from piccolo.query.mixins import OnConflictAction
from piccolo.querystring import QueryString
from piccolo.table import Table

from gpcloud.core.tenancy.scope import OutOfScope, Scope, current_scope, maybe_scope

LEVELS = ("province", "city", "county")
STATUSES = ("active", "not_onboarded", "retired")


class ProvinceShared:
    """Mixin for tables registered once for the whole province: `class X(ProvinceShared, Table)`."""


class Tenant(ProvinceShared, Table, tablename="tenant"):
    """An administrative region on the platform; its GB/T 2260 code is its id."""

    region_code = Varchar(length=6, primary_key=True)
    name = Varchar(length=64)
    name_en = Varchar(length=64, default="")
    level = Varchar(length=16, index=True)
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="active")
    # The [config] layer of the tenant's file, as applied by `gpcloud tenants apply` (JSON).
    config = Text(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())


def _scope_condition(table: type[TenantOwned], scope: Scope):
    if scope.visible is None:
        return None
    if len(scope.visible) == 1:
        return table.tenant_id == next(iter(scope.visible))
    return table.tenant_id.is_in(sorted(scope.visible))


class ScopeFilter(CombinableMixin):
    """The tenant condition of a query, written out when the query runs: the tenants visible
    both in the scope it was built in and in the scope it runs in. A query built inside
    all_tenants() and awaited after it, or built by one request and run by another, reads no
    more than the running scope may see; with no scope at all it does not run."""

    __slots__ = ("table", "built")

    def __init__(self, table: type[TenantOwned], built: Scope):
        self.table, self.built = table, built

    def _condition(self):
        running = current_scope()
        if self.built.visible is None:
            visible = running.visible
        elif running.visible is None:
            visible = self.built.visible
        else:
            visible = self.built.visible & running.visible
        if visible is None:
            return None
        if not visible:
            return WhereRaw("1 = 0")
        return _scope_condition(self.table, Scope(tenant=None, visible=visible))

    @property
    def querystring(self) -> QueryString:
        condition = self._condition()
        return QueryString("1 = 1") if condition is None else condition.querystring

    @property
    def querystring_for_update_and_delete(self) -> QueryString:
        condition = self._condition()
        if condition is None:
            return QueryString("1 = 1")
        return condition.querystring_for_update_and_delete


def _filtered(query, table: type[TenantOwned]):
    return query.where(ScopeFilter(table, current_scope()))


def _check_row(row: TenantOwned, scope: Scope) -> None:
    tenant = row.tenant_id
    if isinstance(tenant, Table):
        tenant = tenant.region_code
    if tenant is None:
        if scope.tenant is None:
            raise OutOfScope(f"{type(row).__name__}: a system scope must name the tenant")
        row.tenant_id = scope.tenant
    elif not scope.can_see(tenant):
        raise OutOfScope(f"{type(row).__name__}: tenant {tenant} is outside the current scope")


def check_tenants(table: type, rows: list[dict]) -> None:
    """The bulk form of _check_row: fill a missing tenant_id from the scope, refuse others."""
    scope = current_scope()
    for row in rows:
        tenant = row.get("tenant_id")
        if tenant is None:
            if scope.tenant is None:
                raise OutOfScope(f"{table.__name__}: a system scope must name the tenant")
            row["tenant_id"] = scope.tenant
        elif not scope.can_see(tenant):
            raise OutOfScope(f"{table.__name__}: tenant {tenant} is outside the current scope")


class ScopedInsert(Insert):
    """Fills `tenant` from the scope and refuses rows of tenants the scope cannot see."""

    def add(self, *instances: Table):
        scope = current_scope()
        for row in instances:
            _check_row(row, scope)  # type: ignore[arg-type]
        return super().add(*instances)

    def on_conflict(self, target=None, action=OnConflictAction.do_nothing, values=None, where=None):
        # An upsert must never update a row of another tenant that shares the unique key.
        if str(getattr(action, "value", action)).upper() == "DO UPDATE":
            condition = _scope_condition(self.table, current_scope())  # type: ignore[arg-type]
            if condition is not None:
                where = condition if where is None else (where & condition)
        return super().on_conflict(target=target, action=action, values=values, where=where)


class TenantOwned:
    """Mixin for tables whose rows belong to one tenant: `class X(TenantOwned, Table)`.

    Fail-closed scoping, see the module doc.
    """

    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    def __init__(
        self, _data=None, _ignore_missing: bool = False, _exists_in_db: bool = False, **kwargs
    ):
        # A row made inside a tenant scope belongs to that tenant unless it says otherwise.
        if _data is None and "tenant_id" not in kwargs:
            scope = maybe_scope()
            if scope is not None and scope.tenant is not None:
                kwargs["tenant_id"] = scope.tenant
        super().__init__(
            _data, _ignore_missing=_ignore_missing, _exists_in_db=_exists_in_db, **kwargs
        )

    @classmethod
    def select(cls, *columns: Any, exclude_secrets: bool = False):
        return _filtered(super().select(*columns, exclude_secrets=exclude_secrets), cls)

    @classmethod
    def objects(cls, *prefetch: Any):
        return _filtered(super().objects(*prefetch), cls)

    @classmethod
    def count(cls, column=None, distinct=None):
        return _filtered(super().count(column=column, distinct=distinct), cls)

    @classmethod
    def exists(cls):
        return _filtered(super().exists(), cls)

    @classmethod
    def update(cls, values=None, force: bool = False, use_auto_update: bool = True, **kwargs):
        for column, value in {**(values or {}), **kwargs}.items():
            name = column if isinstance(column, str) else column._meta.name
            if name == "tenant_id" and not current_scope().can_see(value):
                raise OutOfScope(f"{cls.__name__}: cannot move a row to tenant {value}")
        query = super().update(values, force=force, use_auto_update=use_auto_update, **kwargs)
        return _filtered(query, cls)

    @classmethod
    def delete(cls, force: bool = False):
        return _filtered(super().delete(force=force), cls)

    @classmethod
    def insert(cls, *rows: Any):
        current_scope()
        query = ScopedInsert(table=cls).returning(cls._meta.primary_key)
        if rows:
            query.add(*rows)
        return query

    @classmethod
    def raw(cls, sql: str, *args: Any):
        """Raw SQL cannot be filtered: only allowed where isolation was opted out of explicitly."""
        if current_scope().visible is not None:
            raise OutOfScope(f"{cls.__name__}.raw() needs all_tenants(reason) around it")
        return super().raw(sql, *args)


class TenantConfigEdit(TenantOwned, Table, tablename="tenant_config_edit"):
    """One version of a tenant's admin layer: the whole layer after the edit, and the edit."""

    version = Integer()
    layer = Text(default="{}")
    changes = Text(default="[]")
    reason = Text()
    author_id = Integer(null=True, default=None)


class ReadinessTick(TenantOwned, Table, tablename="readiness_tick"):
    """A tenant admin's confirmation of a go-live checklist item, with its evidence."""

    item_key = Varchar(length=128)
    evidence = Text()
    ticked_by = Integer(null=True, default=None)
