"""A company registers itself as a supplier (anonymous): organisation, supplier and account.

The account chose its own password, so it does not have to change it; what the supplier left
out keeps it `incomplete` until its users complete it (seed, section 7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpcloud.core.audit import service as audit
from gpcloud.core.auth import passwords, records
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import is_unique_violation
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.redis import get_redis, key
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import is_uscc, is_username
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.service.records import in_transaction
from gpcloud.registries.suppliers.tables import Supplier

# Every attempt counts, failed ones too: the form must not become a way to probe which
# credit codes and login names are registered.
ATTEMPTS_PER_HOUR = 20
WINDOW_SECONDS = 3600
REGION = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class Registration:
    name: str
    uscc: str
    region: str
    username: str
    password: str
    details: r.SupplierDetails


async def count_attempt(address: str) -> None:
    """Refuse with TOO_MANY_ATTEMPTS once `address` made ATTEMPTS_PER_HOUR attempts this hour."""
    name = key("supplier-register", address)
    async with get_redis().pipeline(transaction=True) as pipe:
        pipe.set(name, 0, ex=WINDOW_SECONDS, nx=True)
        pipe.incr(name)
        _, count = await pipe.execute()
    if int(count) > ATTEMPTS_PER_HOUR:
        raise DomainError(
            "TOO_MANY_ATTEMPTS", "too many registrations from your address; try again in an hour"
        )


async def _identity_problems(
    name: str, uscc: str, region: str, username: str, password: str
) -> list[Problem]:
    problems = []
    if not 2 <= len(name) <= 128:
        problems.append(Problem("INVALID_NAME", "must be 2 to 128 characters", "name"))
    if not uscc:
        problems.append(Problem("REQUIRED", "suppliers register with their credit code", "uscc"))
    elif not is_uscc(uscc):
        problems.append(Problem("INVALID_USCC", "not a valid unified social credit code", "uscc"))
    node = (await tenant_tree()).get(region) if REGION.fullmatch(region) else None
    if node is None:
        problems.append(Problem("TENANT_NOT_FOUND", f"no region {region[:6]}", "region"))
    elif node.status != "active":
        problems.append(
            Problem("TENANT_NOT_ACTIVE", f"{node.name} is not on the platform", "region")
        )
    if not is_username(username):
        problems.append(
            Problem(
                "INVALID_USERNAME",
                "3 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit",
                "username",
            )
        )
    problems += passwords.policy_problems(password, username, "password")
    return problems


def _required_contacts(details: r.SupplierDetails) -> list[Problem]:
    """The account's profile is made of these, so the first login asks nothing more."""
    return [
        Problem("REQUIRED", "needed to register", field)
        for value, field in (
            (details.contact_name, "contactName"),
            (details.contact_phone, "contactPhone"),
            (details.contact_email, "contactEmail"),
        )
        if not value
    ]


async def _duplicates(uscc: str, username: str) -> list[Problem]:
    problems = []
    if await Organisation.exists().where(Organisation.uscc == uscc):
        problems.append(
            Problem(
                "DUPLICATE_USCC", "a supplier or unit with this credit code is registered", "uscc"
            )
        )
    with all_tenants("registration: login names are unique across the province", audited=False):
        if await User.exists().where(User.username == username):
            problems.append(Problem("DUPLICATE_USERNAME", "this login name is taken", "username"))
    return problems


def _unique_error(exc: BaseException) -> DomainError:
    """A concurrent registration won the race for the credit code or the login name."""
    if "uscc" in str(exc):
        return DomainError(
            "DUPLICATE_USCC", "a supplier or unit with this credit code is registered", "uscc"
        )
    return DomainError("DUPLICATE_USERNAME", "this login name is taken", "username")


@dataclass(frozen=True)
class Checked:
    """A registration that passed the format checks, its password hashed: what create() writes."""

    name: str
    uscc: str
    region: str
    username: str
    password_hash: str
    details: r.SupplierDetails


async def prepare(registration: Registration, address: str) -> Checked:
    """Rate limit, format checks and the (deliberately slow) password hash: everything that
    needs no transaction, so the writing one stays short."""
    await count_attempt(address)
    name = registration.name.strip()
    uscc = registration.uscc.strip().upper()
    region = registration.region.strip()
    username = registration.username.strip().lower()
    details = registration.details.cleaned()
    problems = await _identity_problems(name, uscc, region, username, registration.password)
    problems += _required_contacts(details) + r.detail_problems(details)
    if problems:
        raise DomainError.many(problems)
    password_hash = await passwords.hash_password(registration.password)
    return Checked(name, uscc, region, username, password_hash, details)


@in_transaction
async def create(checked: Checked) -> tuple[dict, int]:
    """Create the organisation, supplier and account; return the supplier and the account id."""
    c, details = checked, checked.details
    problems = await _duplicates(c.uscc, c.username)
    if problems:
        raise DomainError.many(problems)
    tree = await tenant_tree()
    with use_scope(tree.scope_for(c.region)):
        try:
            org = Organisation(name=c.name, kind="supplier", region=c.region, uscc=c.uscc)
            await org.save()
            values = details.values()
            status = r.status_after("incomplete", r.merged({"uscc": c.uscc}, values))
            supplier = Supplier(organisation=org.id, status=status, **values)
            await supplier.save()
            user = User(
                tenant_id=c.region,
                organisation=org.id,
                username=c.username,
                password_hash=c.password_hash,
                display_name=details.contact_name or "",
                mobile=details.contact_phone or "",
                email=details.contact_email or "",
                must_change_password=False,
            )
            await user.save()
        except Exception as exc:
            if is_unique_violation(exc):
                raise _unique_error(exc) from None
            raise
        await UserRole.insert(UserRole(tenant_id=c.region, user=user.id, role=SUPPLIER))
    with use_scope(tree.scope_for(c.region, user_id=user.id)):
        org_row = await Organisation.select().where(Organisation.id == org.id).first()
        await audit.record(
            "organisation.create", "organisation", org.id, None, org_row, tenant=c.region
        )
        await records.audit_user("user.create", user.id, None, await records.user_state(user.id))
        row = await r.get(supplier.id)
        await audit.record(
            "suppliers.register",
            "supplier",
            supplier.id,
            None,
            r.state(row),
            {"missing": r.missing_information(row)},
            tenant=c.region,
        )
    return row, user.id


async def register(registration: Registration, address: str) -> tuple[dict, int]:
    """prepare() then create(): for callers other than the API."""
    return await create(await prepare(registration, address))
