"""The probe (`python -m tests.security.probe URL`) against the app behind a real server: every
hostile case refused as expected over HTTP, no 5xx, `{ __typename }` answering meanwhile."""

from __future__ import annotations

from gpcloud.app import create_app
from gpcloud.portal import demo as portal_demo
from tests.security import probe
from tests.security.cases import CASES
from tests.security.support import LIVENESS, serving


async def test_the_probe_finds_every_case_refused(demo):
    await portal_demo.seed()
    async with serving(create_app(run_worker=False)) as base:
        report = await probe.run(base)
    assert report.server_errors == [] and report.unexpected == [] and report.skipped == []
    assert report.sent == 2 * len(CASES)
    assert report.slowest_liveness[0] < LIVENESS, report.lines()
    assert "5xx responses: 0" in report.lines()
