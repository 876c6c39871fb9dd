"""The `gpcloud` command."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from gpcloud.core.auth.roles import ORGANISATION_KINDS, ROLES, spelled
from gpcloud.settings import SettingsError, get_settings
from gpcloud.transaction.bid_cli import bid

console = Console()


def _run(coro):
    """`coro` in an event loop of its own. The process's Redis client is closed before that loop
    ends: its connections belong to the loop, and `serve` goes on to a loop of uvicorn's, whose
    first Redis command (the first /health) failed on a connection of the closed one."""

    async def run_and_close():
        from gpcloud.core.redis import close_redis

        try:
            return await coro
        finally:
            await close_redis()

    return asyncio.run(run_and_close())


class FullHelpGroup(click.Group):
    """A group whose command list shows each command's whole first line, wrapped, where click
    would cut it at 45 characters with '...'. Its subgroups are of the same kind."""

    group_class = type

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, command.get_short_help_str(limit=1000))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class RoleChoice(click.Choice):
    """Roles as the API spells them (TENANT_ADMIN); the stored lower case is accepted too."""

    def convert(self, value, param, ctx):
        return super().convert(value.upper() if isinstance(value, str) else value, param, ctx)


@click.group(cls=FullHelpGroup)
def main() -> None:
    """gpcloud: the Guangdong government procurement cloud."""
    try:
        get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


main.add_command(bid)  # the reference bid client, gpcloud/transaction/bid_cli.py


@main.command()
def migrate() -> None:
    """Apply pending database migrations of every domain."""
    from gpcloud.core.migrations import migrate as run

    report = _run(run())
    console.print(report.strip() or "migrations: nothing to do")


# Tenants


@main.group()
def tenants() -> None:
    """Tenants (regions) from tenants/*.toml."""


@tenants.command("apply")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of tenant files (default: settings tenants_dir).",
)
@click.option("--dry-run", is_flag=True, help="Validate and show the changes without writing.")
def tenants_apply(folder: Path | None, dry_run: bool) -> None:
    """Create or update tenants from their files; idempotent."""
    from gpcloud.core.tenancy.files import TenantFileError

    try:
        report = _run(_apply_tenants(folder, dry_run))
    except TenantFileError as exc:
        for problem in exc.problems:
            console.print(f"[red]error[/red] {problem}", highlight=False)
        raise click.ClickException(
            f"{len(exc.problems)} problem(s) in tenant files; nothing applied"
        ) from None
    verb = "would create" if dry_run else "created"
    for code in report.created:
        console.print(f"{verb} {code}")
    for code, diff in report.changed:
        changes = ", ".join(_describe_change(k, old, new) for k, (old, new) in diff.items())
        console.print(
            f"{'would change' if dry_run else 'changed'} {code}: {changes}", highlight=False
        )
    for code in report.not_in_files:
        console.print(
            f"[yellow]warning[/yellow] {code} is in the database but in no file (left as is)"
        )
    console.print(
        f"{len(report.created)} created, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged" + (" (dry run)" if dry_run else "")
    )


def _describe_change(key: str, old, new) -> str:
    if key != "config":
        return f"{key}: {old!r} -> {new!r}"
    from gpcloud.core.tenancy.config import leaves

    before, after = leaves(old or {}), leaves(new or {})
    paths = sorted(".".join(p) for p in set(before) | set(after) if before.get(p) != after.get(p))
    return f"config: {', '.join(paths)}"


async def _apply_tenants(folder: Path | None, dry_run: bool = False):
    from gpcloud.core.tenancy.files import apply_tenant_files

    return await apply_tenant_files(folder or get_settings().tenants_dir, dry_run=dry_run)


@tenants.command("list")
def tenants_list() -> None:
    """Show the tenant tree."""
    from gpcloud.core.tenancy.service import tenant_tree

    tree = _run(tenant_tree(fresh=True))
    table = Table("region code", "name", "level", "status")

    def add(code: str, depth: int) -> None:
        node = tree.nodes[code]
        table.add_row(
            node.region_code, "  " * depth + f"{node.name} {node.name_en}", node.level, node.status
        )
        for child in tree.children[code]:
            add(child, depth + 1)

    for node in tree.nodes.values():
        if node.parent is None:
            add(node.region_code, 0)
    console.print(table)


# Accounts


@main.command("create-user")
@click.argument("username")
@click.option("--tenant", required=True, help="Region code, e.g. 440000.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=RoleChoice([spelled(r) for r in ROLES]),
    help="Repeat for several roles (as the API spells them; lower case is accepted).",
)
@click.option("--org", "org_name", required=True, help="Organisation name (created if missing).")
@click.option(
    "--org-kind", type=click.Choice(ORGANISATION_KINDS), default="finance_bureau", show_default=True
)
@click.option("--display-name", default="")
def create_user(
    username: str,
    tenant: str,
    roles: tuple[str, ...],
    org_name: str,
    org_kind: str,
    display_name: str,
) -> None:
    """Create an account (e.g. the first provincial admin); prints its one-time password."""
    from gpcloud.core.errors import DomainError

    try:
        user, password = _run(
            _create_user(
                username, tenant, [r.lower() for r in roles], org_name, org_kind, display_name
            )
        )
    except DomainError as exc:
        for p in exc.problems:
            console.print(
                f"[red]error[/red] {p.field or ''} {p.code}: {p.message}", highlight=False
            )
        raise click.ClickException("account not created") from None
    console.print(f"created {user['username']} in {user['tenant_id']}")
    console.print(f"one-time password: [bold]{password}[/bold] (must be changed at first login)")


async def _create_user(username, tenant, roles, org_name, org_kind, display_name):
    from gpcloud.core.auth import admin
    from gpcloud.core.auth.tables import Organisation
    from gpcloud.core.db import transaction
    from gpcloud.core.tenancy.scope import all_tenants

    with all_tenants("server operator: create-user command"):
        async with transaction():
            org = (
                await Organisation.select(Organisation.id)
                .where((Organisation.name == org_name) & (Organisation.region == tenant))
                .first()
            )
            if org is None:
                org = await admin.create_organisation(None, org_name, org_kind, tenant, None)
            return await admin.create_user(
                None,
                admin.NewUser(
                    tenant=tenant,
                    username=username,
                    organisation_id=org["id"],
                    roles=roles,
                    display_name=display_name,
                ),
            )


# Imports


@main.command("import")
@click.argument("registry")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", default=None, help="Region code to import for (default: the province).")
def import_command(registry: str, file: Path, tenant: str | None) -> None:
    """Import a registry file (CSV or XLSX), with a progress bar and a reject report."""
    from gpcloud.core.errors import DomainError
    from gpcloud.core.imports.reader import ImportFileError

    try:
        job, summary = _run(_import(registry, file.resolve(), tenant))
    except (DomainError, ImportFileError) as exc:
        raise click.ClickException(str(exc)) from None
    table = Table("rows", *summary.counts, title=f"{registry} import (job {job['id']})")
    table.add_row(str(summary.rows), *(str(n) for n in summary.counts.values()))
    console.print(table)
    from gpcloud.core.jobs.service import result_dir

    for name in summary.report:
        console.print(f"rejected rows: {result_dir(job['id']) / name}")


async def _import(registry: str, file: Path, tenant: str | None):
    """Runs in this process (no worker needed) but leaves a Job record like the API's imports."""
    from rich.progress import Progress

    from gpcloud.core.db import transaction
    from gpcloud.core.imports.runner import get_spec, run_import
    from gpcloud.core.jobs.service import finish_inline, record_inline, result_dir
    from gpcloud.core.tenancy.scope import use_scope
    from gpcloud.core.tenancy.service import tenant_tree

    spec = get_spec(registry)
    tree = await tenant_tree(fresh=True)
    code = tenant or next(n.region_code for n in tree.nodes.values() if n.parent is None)
    with use_scope(tree.scope_for(code)):
        async with transaction():
            job = await record_inline("import", {"registry": registry, "path": str(file)})
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"importing {file.name}", total=None)

            async def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                summary = await run_import(spec, file, code, result_dir(job["id"]), progress)
            except Exception as exc:
                await finish_inline(job["id"], "failed", {}, None, exc)
                raise
        await finish_inline(
            job["id"],
            "succeeded",
            {"rows": summary.rows, **summary.counts},
            summary.report[0] if summary.report else None,
        )
    return job, summary


# Audit


@main.group()
def audit() -> None:
    """The audit log: a Merkle tree of every state change, with signed heads."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute every leaf, the tree and every signed head; name the first bad entry (exit 1)."""
    from gpcloud.core.audit.service import verify

    result = _run(verify())
    if not result.ok:
        where = f" at audit entry {result.broken_at}" if result.broken_at else ""
        console.print(
            f"[red]broken[/red]{where}: {result.problem} "
            f"({result.entries} entries before it are intact)",
            highlight=False,
            soft_wrap=True,
        )
        raise SystemExit(1)
    console.print(
        f"ok: {result.entries} entries, signed head of size {result.tree_size} root "
        f"{result.root_hash or '-'}; {result.pending} not sequenced yet",
        highlight=False,
        soft_wrap=True,
    )


@audit.command("sequence")
def audit_sequence() -> None:
    """Add committed entries to the tree and sign heads now (the worker does it continuously)."""
    from gpcloud.core.audit.sequencer import sequence
    from gpcloud.core.errors import DomainError

    try:
        signed = _run(sequence())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    for head in signed:
        console.print(f"signed head of size {head.tree_size} root {head.root_hash}", soft_wrap=True)
    if not signed:
        console.print("nothing to sequence")


@audit.command("prove")
@click.argument("entry_id", required=False)
@click.option("--size", type=int, default=None, help="Prove against the head of this tree size.")
@click.option(
    "--between",
    nargs=2,
    type=int,
    default=None,
    help="Instead: prove that the log of the second size extends the first (two head sizes).",
)
@click.option("--url", default=None, help="The platform (default: settings host and port).")
@click.option("--username", default=None, help="Log in as this user (password: prompted).")
@click.option("--password", envvar="GPCLOUD_PASSWORD", default=None, hidden=True)
@click.option("--token", envvar="GPCLOUD_TOKEN", default=None, help="Or a bearer token.")
@click.option(
    "--key", default=None, help="The public key you trust (hex); default: the one published."
)
def audit_prove(entry_id, size, between, url, username, password, token, key) -> None:
    """Fetch a proof from the platform's API and check it here: that ENTRY_ID is in the signed
    log (yours, or your region's as an auditor), or with --between that the log only grew."""
    from gpcloud.core.audit.client import Platform, ProofFailed, check_consistency, check_inclusion

    if (entry_id is None) == (between is None):
        raise click.UsageError("give an ENTRY_ID or --between FIRST SECOND")
    settings = get_settings()
    platform = Platform(url or f"http://{settings.host}:{settings.port}", token)
    try:
        if username:
            platform.login(username, password or click.prompt("password", hide_input=True))
        if key is None:
            key = platform.public_key()
            console.print(
                f"public key {key} (as {platform.url}/audit/heads publishes it)", soft_wrap=True
            )
        if between:
            steps = check_consistency(platform.consistency(*between), key)
        else:
            steps = check_inclusion(platform.inclusion(entry_id, size), key)
    except ProofFailed as exc:
        console.print(f"[red]not proven[/red]: {exc}", highlight=False)
        raise SystemExit(1) from None
    for step in steps:
        console.print(f"  {step}", highlight=False, soft_wrap=True)
    console.print(
        "ok: the log only grew"
        if between
        else f"ok: audit entry {entry_id} is in the log the platform signed",
        highlight=False,
        soft_wrap=True,
    )


# Experts


@main.group()
def experts() -> None:
    """The expert pool's draws: recompute a draw from its seed and frozen eligible list."""


@experts.command("verify-draw")
@click.argument("draw_id", type=int)
def experts_verify_draw(draw_id: int) -> None:
    """Recompute expert draw DRAW_ID from its seed and snapshot and compare with the committed
    hashes and the stored result (docs/evaluation.md); exit 1 when anything differs."""
    from gpcloud.core.errors import DomainError
    from gpcloud.evaluation.service.draws import verify

    try:
        found = _run(verify(draw_id))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    for what, ok, detail in found.checks:
        mark = "[green]ok[/green]" if ok else "[red]MISMATCH[/red]"
        console.print(f"  {mark} {what} ({detail})", highlight=False, soft_wrap=True)
    if not found.verified:
        console.print(f"[red]draw {draw_id} does not verify[/red]", highlight=False)
        raise SystemExit(1)
    state = "seed revealed" if found.seed_known else "seed still sealed (operator check)"
    console.print(f"ok: draw {draw_id} recomputes to the same committee; {state}", highlight=False)


# Calendar and rules


@main.group()
def scheduler() -> None:
    """What falls due: run it now, or see the scheduler's health."""


@scheduler.command("tick")
def scheduler_tick() -> None:
    """Run everything due now (every worker does it continuously; one of them at a time)."""
    from gpcloud.core.scheduler.service import run_once

    ran = _run(run_once())
    for due in ran:
        console.print(
            f"{due.machine} {due.object_id}: {due.action} (due {due.due_at:%Y-%m-%d %H:%M})",
            highlight=False,
        )
    if not ran:
        console.print("nothing was due (or another scheduler holds the lease)")


@scheduler.command("health")
def scheduler_health() -> None:
    """Who leads, how many objects wait, how late the oldest is."""
    from gpcloud.core.scheduler.service import health

    found = _run(health())
    console.print(
        f"leader: {found.leader or 'none'}; backlog: {found.backlog}; lag: {found.lag_seconds:.0f} s",
        highlight=False,
    )


@main.group()
def calendar() -> None:
    """The working-day calendar deadlines are computed on."""


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, required=True, help="The year the file holds.")
def calendar_import(file: Path, year: int) -> None:
    """Load or correct a year from a CSV/XLSX file with columns date, kind, name; open
    deadlines reaching into the year are recomputed and those that moved listed."""
    from gpcloud.core.calendar import service
    from gpcloud.core.errors import DomainError

    try:
        result = _run(service.import_year(None, year, service.read_year_file(file)))
    except DomainError as exc:
        raise click.ClickException("; ".join(p.message for p in exc.problems)) from None
    console.print(f"{year}: {result.days} special days loaded")
    for m in result.moved:
        console.print(
            f"  moved: {m.kind} of {m.object_type} {m.object_id} ({m.tenant}) "
            f"{m.before} -> {m.after}",
            highlight=False,
        )
    console.print(f"{len(result.moved)} open deadlines moved")


@calendar.command("show")
@click.argument("year", type=int, required=False)
def calendar_show(year: int | None) -> None:
    """The years loaded, or one year's holidays and make-up working days (for a year not
    loaded: the regulation's holidays, provisionally)."""
    from gpcloud.core.calendar import service
    from gpcloud.core.calendar.days import REGULATION

    if year is None:
        for row in _run(service.years()):
            console.print(f"{row['year']}  {row['source']}", highlight=False)
        console.print(f"later years: provisional, from the {REGULATION}")
        return
    days = _run(service.year_days(year))
    if days is None:
        days = service.provisional_days(year)
        if days is None:
            raise click.ClickException(f"the calendar does not cover {year}")
        console.print(f"{year} is not loaded: provisional, from the {REGULATION}")
    for d in days:
        console.print(f"{d.day}  {d.kind:<8} {d.name}", highlight=False)


@calendar.command("deadline")
@click.argument("args", nargs=-1, required=True, metavar="[START] PERIOD")
@click.option("--tenant", default=None, help="Region code whose rule overrides apply.")
def calendar_deadline(args: tuple[str, ...], tenant: str | None) -> None:
    """When PERIOD after START (YYYY-MM-DD; default today, Asia/Shanghai) ends.

    PERIOD is e.g. 5wd (working days) or 20d (calendar days), or a rule key such as
    contract_publication."""
    import re

    from gpcloud.core import clock
    from gpcloud.core.calendar import service
    from gpcloud.core.errors import DomainError
    from gpcloud.core.rules.service import rule_deadline
    from gpcloud.core.tenancy.scope import all_tenants

    if len(args) > 2:
        raise click.UsageError("give at most a start date and a period, e.g. 2026-09-01 5wd")
    *given, period = args
    try:
        start = date.fromisoformat(given[0]) if given else clock.today()
    except ValueError:
        raise click.BadParameter(
            f"{given[0]!r} is not a date: YYYY-MM-DD, e.g. 2026-09-01", param_hint="START"
        ) from None
    console.print(f"from {start}" + ("" if given else " (today)"), highlight=False)
    match = re.fullmatch(r"([0-9]+)(wd|d)", period)
    try:
        with all_tenants("cli: deadline for any tenant"):
            result = _run(
                service.deadline(start, int(match[1]), match[2])
                if match
                else rule_deadline(period, start, tenant)
            )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    for step in result.steps:
        console.print(f"  {step}", highlight=False)
    console.print(f"due {result.due}" + (" (provisional)" if result.provisional else ""))


# Schema


@main.command("export-schema")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write here instead of stdout (the committed file is schema.graphql).",
)
@click.option(
    "--undescribed",
    is_flag=True,
    help="Instead: list what has no description (tests/ops/test_descriptions.py wants none).",
)
def export_schema(output: Path | None, undescribed: bool) -> None:
    """Print the GraphQL schema (SDL)."""
    from gpcloud.core.graphql.schema import schema
    from gpcloud.core.ops.descriptions import undescribed as gaps

    sdl = "".join(f"{c}\n" for c in gaps(schema._schema)) if undescribed else schema.as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")
        console.print(f"wrote {output}")


@main.command("export-permissions")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write here instead of stdout (the committed file is docs/permissions.md).",
)
def export_permissions(output: Path | None) -> None:
    """Print the role x permission table and the API fields each permission opens."""
    from gpcloud.core.graphql.permissions import render_permissions
    from gpcloud.core.graphql.schema import schema

    text = render_permissions(schema)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")


@main.command("export-errors")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write here instead of stdout (the committed file is docs/errors.md).",
)
def export_errors(output: Path | None) -> None:
    """Print the catalogue of stable error codes, read from the source."""
    from gpcloud.core.ops.error_catalogue import render

    text = render()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")


@main.command("export-messages")
@click.option("--locale", default="zh_CN", show_default=True, help="The catalogue to write.")
def export_messages(locale: str) -> None:
    """Write the message catalogue's msgids from the source, keeping its translations."""
    from gpcloud.core.ops.message_catalogue import untranslated, write

    path = write(locale)
    console.print(f"wrote {path} ({len(untranslated(locale))} messages to translate)")


@main.command("api-changes")
@click.option(
    "--against",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The released schema (default docs/api/released.graphql).",
)
@click.option("--release", "version", default=None, help="Record this release (docs/api/).")
def api_changes(against: Path | None, version: str | None) -> None:
    """The API's changes since the last release; exit 1 on a breaking one not deprecated first."""
    from gpcloud.core.ops import schema_evolution as evolution

    if version:
        changes = evolution.release(version)
        title = version
    else:
        old = (against or evolution.RELEASED).read_text(encoding="utf-8")
        changes = evolution.compare(old, evolution.current_sdl())
        title = "Unreleased"
    sys.stdout.write(evolution.markdown(changes, title))
    if not changes.ok:
        raise SystemExit(1)


# Operations


@main.command()
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False))
def backup(archive: Path) -> None:
    """Write a consistent copy of the deployment (database, var/ files, keys kept there)."""
    from gpcloud.core.ops.backup import BackupError
    from gpcloud.core.ops.backup import backup as run_backup

    try:
        manifest = run_backup(get_settings(), archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(
        f"wrote {archive}: {manifest.database} database and {len(manifest.files) - 1} files"
    )


@main.command()
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--replace", is_flag=True, help="Replace a database that has data (wipes it).")
@click.option("--no-verify", is_flag=True, help="Skip `audit verify` after restoring.")
def restore(archive: Path, replace: bool, no_verify: bool) -> None:
    """Restore a backup into GPCLOUD_DB and GPCLOUD_VAR (stop the platform first), then verify
    the audit log."""
    import subprocess

    from gpcloud.core.ops.backup import BackupError
    from gpcloud.core.ops.backup import restore as run_restore

    try:
        manifest = run_restore(get_settings(), archive, replace=replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"restored {manifest.database} database and {len(manifest.files) - 1} files")
    if not no_verify:
        # A new process: the keys restored into var/ are read at start.
        verified = subprocess.run([sys.executable, "-m", "gpcloud", "audit", "verify"], check=False)
        if verified.returncode != 0:
            raise SystemExit(verified.returncode)


# Running


@main.command()
@click.option("--host", default=None, help="Default: settings host.")
@click.option("--port", type=int, default=None, help="Default: settings port.")
@click.option(
    "--demo",
    is_flag=True,
    help="Seed the demo data (accounts for every role in Meizhou and Xingning, registries, "
    "budget lines, portal history) and print the logins. The embedded default does this by "
    "itself on its first start (no accounts yet); against PostgreSQL only with --demo.",
)
@click.option(
    "--worker/--no-worker",
    default=None,
    help="Run the job worker in this process (default: yes with embedded Redis).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    help="Processes serving requests (PostgreSQL and Redis only; jobs then run in `gpcloud "
    "worker`).",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    help="Log every request (off where a proxy in front logs them).",
)
def serve(
    host: str | None,
    port: int | None,
    demo: bool,
    worker: bool | None,
    workers: int,
    access_log: bool,
) -> None:
    """Run the platform: the portal at /, GraphQL at /graphql (GraphiQL in a browser)."""
    import uvicorn

    from gpcloud.app import create_app
    from gpcloud.core.redis import redis_url

    settings = get_settings()
    embedded = not settings.is_postgres
    if workers > 1 and (embedded or settings.embedded_redis or worker):
        raise click.UsageError(
            "--workers needs GPCLOUD_DB and GPCLOUD_REDIS set, and the jobs in `gpcloud worker`"
        )
    host, port = host or settings.host, port or settings.port
    _check_port(host, port)  # before migrating, seeding or printing anything
    from gpcloud.core.ops.logs import configure as configure_logs

    configure_logs(settings.log_format)
    seeded = _run(_prepare(embedded, demo))
    redis_url(settings)
    if seeded is not None:
        _print_demo_logins(seeded)
    _print_banner(host, port, settings, seeded is not None and not demo)
    # With several processes, each builds its own app (and pool) from the factory.
    app = "gpcloud.app:create_served_app" if workers > 1 else create_app(run_worker=worker)
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        # X-Forwarded-For is believed only from the proxies named in `trusted_proxies` (by the
        # app: core.graphql.context.client_address); uvicorn would believe it from 127.0.0.1.
        proxy_headers=False,
    )


async def _prepare(embedded: bool, demo: bool):
    """Embedded default: migrate, load tenants and demo accounts on first run. Returns demo users."""
    from gpcloud.core.auth.tables import User
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.core.tenancy.tables import Tenant
    from gpcloud.demo import USERS, seed_for_serve

    if embedded:
        from gpcloud.core.migrations import migrate as run_migrations

        await run_migrations()
        if not await Tenant.exists():
            await _apply_tenants(None)
        with all_tenants("first run: are there any accounts yet"):
            first_run = not await User.exists()
        demo = demo or first_run
    if not demo:
        return None
    if not await Tenant.exists():
        await _apply_tenants(None)
    await seed_for_serve()
    return USERS


def _check_port(host: str, port: int) -> None:
    """Refuse at once, with the remedy, when the address is taken (uvicorn would exit 3 after
    the banner)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({exc.strerror}): is another gpcloud running? "
            "Stop it, or pass --port (GPCLOUD_PORT) and, for a second instance, GPCLOUD_VAR"
        ) from None


def _print_banner(host: str, port: int, settings, first_start: bool) -> None:
    """Short lines that never wrap (soft_wrap), the portal first: it is what a person opens."""
    base = f"http://{host}:{port}"
    lines = [
        "gpcloud is starting:",
        f"  portal    {base}/",
        f"  API       {base}/graphql  (GraphiQL in a browser)",
        f"  database  {_db_label(settings)}",
    ]
    if first_start:
        lines.append("  first start: demo data seeded (later starts seed it only with --demo)")
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False)


def _db_label(settings) -> str:
    return "PostgreSQL" if settings.is_postgres else f"SQLite {settings.sqlite_path}"


def _print_demo_logins(users) -> None:
    from gpcloud.demo import DEMO_PASSWORD

    table = Table(
        "login name", "tenant", "roles", title=f"Demo accounts (password {DEMO_PASSWORD})"
    )
    for user in users:
        note = "  (first login: must change password)" if user.first_login else ""
        table.add_row(user.username, user.tenant, ", ".join(map(spelled, user.roles)) + note)
    console.print(table)


@main.command()
def worker() -> None:
    """Run a job worker (production: start as many as needed)."""
    from gpcloud.core.ops import tracing
    from gpcloud.core.ops.logs import configure as configure_logs
    from gpcloud.worker import make_worker

    configure_logs(get_settings().log_format)
    tracing.setup(get_settings())
    make_worker().run()


if __name__ == "__main__":
    main()
