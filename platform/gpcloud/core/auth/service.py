"""Login, tokens, the first-login rule, and the caller's own account.

Account administration (creating and editing other users) is in admin.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from gpcloud.core.auth import passwords, records, throttle
from gpcloud.core.auth.permissions import Perm, granted, holders
from gpcloud.core.auth.roles import spelled
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.auth.tokens import TokenError, issue_token, read_token
from gpcloud.core.batch import row_lists_by_key, rows_by_key
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import contact_problems

# Filled at first login when missing (the seed: "单位、个人信息缺失的需要补充缺失信息"): the
# account's own fields. The organisation's (its name, its credit code) belong to the registry
# that keeps it, and are completed there by who keeps it (updatePurchaser by the tenant admin,
# updateMyAgency with the province's re-approval, correctSupplier by the province): a clerk
# could otherwise give its unit any unregistered credit code.
PROFILE_FIELDS = ("display_name", "mobile", "email")


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    tenant: str
    organisation_id: int
    roles: frozenset[str]
    must_change_password: bool
    missing_profile: tuple[str, ...]
    # The region codes the account acts in: its tenant and those below it (None: the province,
    # everything).
    region: frozenset[str] | None

    @property
    def first_login_pending(self) -> bool:
        """Until false, the account may only change its password and complete its profile."""
        return self.must_change_password or bool(self.missing_profile)

    def has_any_role(self, roles: frozenset[str] | set[str]) -> bool:
        return not self.roles.isdisjoint(roles)

    def can(self, permission: Perm) -> bool:
        return permission in granted(self.roles)

    def in_region(self, region: str) -> bool:
        return self.region is None or region in self.region

    def require(self, permission: Perm, region: str | None = None) -> None:
        """FORBIDDEN unless one of the account's roles grants `permission` and `region` (the
        tenant the act is for, where it names one) lies in the account's region."""
        if not self.can(permission):
            raise DomainError(
                "FORBIDDEN",
                f"needs the permission {permission} (held by: {', '.join(map(spelled, holders(permission)))})",
            )
        if region is not None and not self.in_region(region):
            raise DomainError("FORBIDDEN", f"region {region} is outside yours ({self.tenant})")


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: datetime
    user: CurrentUser


async def _fetch_account(user_id: int) -> tuple[dict, list[str]] | None:
    with all_tenants("load the caller's own account named by a verified token", audited=False):
        row = await (
            User.select(
                User.id,
                User.username,
                User.tenant_id,
                User.organisation,
                User.status,
                User.must_change_password,
                User.token_version,
                User.display_name,
                User.mobile,
                User.email,
            )
            .where(User.id == user_id)
            .first()
        )
        if row is None:
            return None
        roles = await UserRole.select(UserRole.role).where(UserRole.user == user_id)
    return row, [r["role"] for r in roles]


async def load_current_user(user_id: int) -> CurrentUser:
    account = await _fetch_account(user_id)
    if account is None:
        raise DomainError("NOT_FOUND", f"user {user_id} not found")
    return await _current_user(*account)


async def _current_user(row: dict, roles: list[str]) -> CurrentUser:
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        tenant=row["tenant_id"],
        organisation_id=row["organisation"],
        roles=frozenset(roles),
        must_change_password=row["must_change_password"],
        missing_profile=tuple(f for f in PROFILE_FIELDS if not row.get(f)),
        region=(await tenant_tree()).scope_for(row["tenant_id"]).visible,
    )


async def user_from_token(token: str) -> CurrentUser:
    """The account a bearer token speaks for, or TokenError (expired, forged, revoked)."""
    claims = read_token(token)
    account = await _fetch_account(claims.user_id)
    if account is None:
        raise TokenError("TOKEN_REVOKED", "the access token is no longer valid; log in again")
    row, roles = account
    if row["token_version"] != claims.version or row["tenant_id"] != claims.tenant:
        raise TokenError("TOKEN_REVOKED", "the access token is no longer valid; log in again")
    if row["status"] != "active":
        raise TokenError("ACCOUNT_DISABLED", "this account is disabled")
    return await _current_user(row, roles)


INVALID = "the login name or password is wrong"


async def login(username: str, password: str, address: str) -> Session:
    username = username.strip().lower()
    if not username or not password or len(password) > passwords.MAX_LENGTH:
        raise DomainError("INVALID_CREDENTIALS", INVALID)
    if await throttle.is_locked(username, address):
        raise DomainError(
            "TOO_MANY_ATTEMPTS", "too many failed attempts; wait a few minutes and try again"
        )
    with all_tenants("login: find the account by its login name"):
        row = await (
            User.select(
                User.id, User.password_hash, User.status, User.tenant_id, User.token_version
            )
            .where(User.username == username)
            .first()
        )
    if row is None:
        await passwords.burn_verify(password)
        await throttle.record_failure(username, address)
        raise DomainError("INVALID_CREDENTIALS", INVALID)
    if not await passwords.verify_password(row["password_hash"], password):
        await throttle.record_failure(username, address)
        raise DomainError("INVALID_CREDENTIALS", INVALID)
    if row["status"] != "active":
        raise DomainError("ACCOUNT_DISABLED", "this account is disabled; ask your tenant admin")
    tenant = (await tenant_tree()).get(row["tenant_id"])
    if tenant is None or tenant.status != "active":
        raise DomainError("TENANT_NOT_ACTIVE", f"region {row['tenant_id']} is not on the platform")
    await throttle.clear_failures(username)
    changes = {User.last_login_at: datetime.now(UTC)}
    if passwords.needs_rehash(row["password_hash"]):
        changes[User.password_hash] = await passwords.hash_password(password)
    with all_tenants("login: record the login on the account just verified"):
        await User.update(changes).where(User.id == row["id"])
    user = await load_current_user(row["id"])
    token, expires = issue_token(user.id, user.tenant, row["token_version"])
    return Session(token=token, expires_at=expires, user=user)


async def change_password(user: CurrentUser, current: str, new: str) -> Session:
    with all_tenants("change the caller's own password", audited=False):
        row = (
            await User.select(User.password_hash, User.token_version)
            .where(User.id == user.id)
            .first()
        )
    if row is None or not await passwords.verify_password(row["password_hash"], current):
        raise DomainError("INVALID_CREDENTIALS", "the current password is wrong", "currentPassword")
    problems = passwords.policy_problems(new, user.username)
    if current == new:
        problems.append(
            Problem("PASSWORD_REUSED", "choose a password you have not used", "newPassword")
        )
    if problems:
        raise DomainError.many(problems)
    version = row["token_version"] + 1
    before = await records.user_state(user.id)
    await User.update(
        {
            User.password_hash: await passwords.hash_password(new),
            User.must_change_password: False,
            User.token_version: version,
            User.password_changed_at: datetime.now(UTC),
        }
    ).where(User.id == user.id)
    await records.audit_user(
        "user.change_password", user.id, before, await records.user_state(user.id)
    )
    fresh = await load_current_user(user.id)
    token, expires = issue_token(user.id, user.tenant, version)
    return Session(token=token, expires_at=expires, user=fresh)


async def complete_profile(
    user: CurrentUser, display_name: str | None, mobile: str | None, email: str | None
) -> CurrentUser:
    """Fill the profile fields an account (typically a migrated one) is missing."""
    display_name = display_name.strip() if display_name else display_name
    problems = contact_problems(mobile, email)
    if display_name is not None and not 1 <= len(display_name) <= 64:
        problems.append(Problem("INVALID_NAME", "must be 1 to 64 characters", "displayName"))
    if problems:
        raise DomainError.many(problems)
    changes = {
        column: value
        for column, value in (
            (User.display_name, display_name),
            (User.mobile, mobile),
            (User.email, email),
        )
        if value
    }
    before = await records.user_state(user.id)
    if changes:
        await User.update(changes).where(User.id == user.id)
    after = await records.user_state(user.id)
    if after != before:
        await records.audit_user("user.complete_profile", user.id, before, after)
    fresh = await load_current_user(user.id)
    return fresh


# Batch loaders (gpcloud.core.graphql.dataloaders): the API's related accounts in one query.

organisations_by_id = rows_by_key(Organisation, Organisation.id)
roles_by_user = row_lists_by_key(UserRole, UserRole.user, UserRole.user, UserRole.role)


async def usernames_by_id(ids: list[int]) -> list[str | None]:
    """Each user's name (or None); across tenants, as an actor may belong to another."""
    with all_tenants("audit: name the actor, who may belong to another tenant"):
        rows = await User.select(User.id, User.username).where(User.id.is_in(list(ids)))
    names = {r["id"]: r["username"] for r in rows}
    return [names.get(i) for i in ids]


# Accounts that imports bring with the organisations they register (purchasers, agencies,
# suppliers): the one way they are made.


@dataclass(frozen=True)
class NewAccount:
    tenant: str
    organisation: int
    username: str
    role: str
    # The old portal's hash ("md5:…" / "sha256:…", checked by the import's column); without
    # one the account waits for a password reset.
    password_hash: str = ""
    display_name: str = ""
    mobile: str = ""
    email: str = ""


async def account_owners(usernames: list[str]) -> dict[str, int]:
    """{username: organisation} of the accounts that exist among `usernames`, province-wide:
    login names are unique across the province."""
    if not usernames:
        return {}
    with all_tenants("import: login names are unique across the province", audited=False):
        rows = await User.select(User.username, User.organisation).where(
            any_of(User.username, sorted(set(usernames)))
        )
    return {r["username"]: r["organisation"] for r in rows}


async def provision_accounts(accounts: list[NewAccount]) -> list[int]:
    """Create the accounts in the caller's transaction (the caller checked that their names are
    free, account_owners), each with its role and flagged to change its password at first
    login (the seed's first-login rule). Returns their ids in order."""
    if not accounts:
        return []
    ids = await bulk_insert(
        User,
        [
            {
                "tenant_id": a.tenant,
                "organisation": a.organisation,
                "username": a.username,
                "password_hash": a.password_hash or passwords.UNUSABLE,
                "display_name": a.display_name,
                "mobile": a.mobile,
                "email": a.email,
                "must_change_password": True,
            }
            for a in accounts
        ],
    )
    await bulk_insert(
        UserRole,
        [
            {"tenant_id": a.tenant, "user": user_id, "role": a.role}
            for a, user_id in zip(accounts, ids, strict=True)
        ],
        returning=False,
    )
    return ids
