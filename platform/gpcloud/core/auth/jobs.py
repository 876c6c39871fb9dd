"""Account jobs."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.spreadsheet import CsvWriter, open_csv
from gpcloud.core.tenancy.service import tenant_tree

BATCH = 500
COLUMNS = (
    "username",
    "display_name",
    "tenant_code",
    "tenant_name",
    "organisation",
    "roles",
    "status",
    "must_change_password",
    "last_login_at",
)


@job("users.export", Perm.USER_EXPORT)
async def export_users(run: JobRun) -> None:
    """The account list of the job's tenant and its subtree, as CSV (for the rollout team)."""
    tree = await tenant_tree()
    total = await User.count()
    path = run.result_path("users.csv")
    done, last_id = 0, 0
    with open_csv(path) as fh:
        writer = CsvWriter(fh)
        writer.writerow(COLUMNS)
        while True:
            rows = await (
                User.select(
                    User.id,
                    User.username,
                    User.display_name,
                    User.tenant_id,
                    User.organisation.name.as_alias("organisation_name"),
                    User.status,
                    User.must_change_password,
                    User.last_login_at,
                )
                .where(User.id > last_id)
                .order_by(User.id)
                .limit(BATCH)
            )
            if not rows:
                break
            ids = [r["id"] for r in rows]
            roles: dict[int, list[str]] = {}
            for r in await UserRole.select(UserRole.user, UserRole.role).where(
                UserRole.user.is_in(ids)
            ):
                roles.setdefault(r["user"], []).append(r["role"])
            for r in rows:
                node = tree.get(r["tenant_id"])
                writer.writerow(
                    (
                        r["username"],
                        r["display_name"],
                        r["tenant_id"],
                        node.name if node else "",
                        r["organisation_name"],
                        " ".join(sorted(roles.get(r["id"], []))),
                        r["status"],
                        "yes" if r["must_change_password"] else "no",
                        r["last_login_at"].isoformat() if r["last_login_at"] else "",
                    )
                )
                run.count(r["status"])
            done += len(rows)
            last_id = ids[-1]
            await run.progress(done, total)
    await run.progress(done, total)
