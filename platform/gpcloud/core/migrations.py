"""Apply every domain app's piccolo migrations (`gpcloud migrate`, and `serve` when embedded),
then load the calendar years the holiday package knows and the table lacks."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from gpcloud.core.calendar.service import seed_calendar
from gpcloud.core.db import is_sqlite
from gpcloud.piccolo_conf import DB


class MigrationFailed(RuntimeError):
    pass


async def migrate() -> str:
    """Run pending migrations; return piccolo's report."""
    if is_sqlite():
        # WAL lets readers work while one writer commits; the setting persists in the file.
        await DB.run_ddl("PRAGMA journal_mode=WAL")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationFailed(f"{result.message}\n{out.getvalue()}")
    seeded = await seed_calendar()
    if seeded:
        out.write(f"working-day calendar: loaded {seeded[0]}-{seeded[-1]} from chinesecalendar\n")
    return out.getvalue()
