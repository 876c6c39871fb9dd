"""Background jobs through a real arq worker: records, scope, progress, results, failures."""

import csv
import io

from gpcloud.core.auth.tables import User
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun, enqueue, run_job
from gpcloud.core.jobs.tables import Job
from gpcloud.core.tenancy.scope import all_tenants, current_scope, use_scope
from gpcloud.core.tenancy.service import invalidate_tree, tenant_tree
from gpcloud.core.tenancy.tables import Tenant
from tests.support import drain_jobs, error_codes, gql, login

EXPORT = (
    "mutation($t: String) { exportUsers(tenant: $t) { job { id status } errors { code field } } }"
)
JOB = """query($id: ID!) { job(id: $id) {
  id type status progressDone progressTotal counts errorCode errorMessage resultUrl tenant { regionCode }
} }"""

SEEN: list[tuple[str | None, frozenset | None, int]] = []


@job("test.probe")
async def probe(run: JobRun, fail: str = "") -> None:
    """Records the scope it ran in; fails on request."""
    scope = current_scope()
    SEEN.append((scope.tenant, scope.visible, await User.count()))
    if fail == "crash":
        raise RuntimeError("secret internals")
    run.count("ok")


async def job_row(job_id) -> dict:
    with all_tenants("test: read a job"):
        return await Job.select().where(Job.id == int(job_id)).output(load_json=True).first()


async def test_export_job_runs_in_the_job_tenant_and_its_result_downloads(client, demo):
    token = await login(client, "xn.admin")
    queued = (await gql(client, EXPORT, token=token))["data"]["exportUsers"]
    assert queued["errors"] == [] and queued["job"]["status"] == "QUEUED"
    await drain_jobs()
    done = (await gql(client, JOB, {"id": queued["job"]["id"]}, token=token))["data"]["job"]
    assert done["status"] == "SUCCEEDED"
    assert done["tenant"] == {"regionCode": "441481"}
    assert done["progressDone"] == done["progressTotal"] == 8
    assert done["counts"] == {"active": 8}
    response = await client.get(done["resultUrl"], headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["tenant_code"] for r in rows} == {"441481"}
    assert len(rows) == 8 and "xn.admin" in {r["username"] for r in rows}


async def test_job_results_and_records_stay_in_their_subtree(client, demo):
    city = await login(client, "mz.admin")
    job_id = (await gql(client, EXPORT, token=city))["data"]["exportUsers"]["job"]["id"]
    await drain_jobs()
    county = await login(client, "xn.admin")
    purchaser = await login(client, "mz.purchaser")
    for token in (county, purchaser):
        assert (await gql(client, JOB, {"id": job_id}, token=token))["data"]["job"] is None
        listing = await gql(client, "{ jobs { edges { node { id } } } }", token=token)
        assert listing["data"]["jobs"]["edges"] == []
        response = await client.get(
            f"/jobs/{job_id}/result", headers={"authorization": f"Bearer {token}"}
        )
        assert response.status_code == 404
    assert (await client.get(f"/jobs/{job_id}/result")).status_code == 401
    other_county = await gql(client, EXPORT, {"t": "441400"}, token=county)
    assert other_county["data"]["exportUsers"]["errors"] == [
        {"code": "TENANT_NOT_FOUND", "field": "tenant"}
    ]
    assert error_codes(await gql(client, EXPORT, token=purchaser)) == ["FORBIDDEN"]


async def test_jobs_reenter_their_tenant_scope(demo):
    SEEN.clear()
    with use_scope((await tenant_tree()).scope_for("441400")):
        record = await enqueue("test.probe", {}, tenant="441481")
    await drain_jobs()
    assert SEEN == [("441481", frozenset({"441481"}), 8)]
    assert (await job_row(record["id"]))["counts"] == {"ok": 1}


async def test_a_job_whose_tenant_is_gone_fails_cleanly(demo):
    SEEN.clear()
    with use_scope((await tenant_tree()).scope_for("441481")):
        record = await enqueue("test.probe", {})
    await Tenant.update({Tenant.status: "retired"}).where(Tenant.region_code == "441481")
    invalidate_tree()
    await drain_jobs()
    row = await job_row(record["id"])
    assert (row["status"], row["error_code"]) == ("failed", "TENANT_UNAVAILABLE")
    assert SEEN == []


async def test_crash_is_recorded_without_internals_and_redelivery_is_a_no_op(demo):
    with use_scope((await tenant_tree()).scope_for("441481")):
        record = await enqueue("test.probe", {"fail": "crash"})
    await drain_jobs()
    row = await job_row(record["id"])
    assert (row["status"], row["error_code"]) == ("failed", "INTERNAL")
    assert "secret internals" not in row["error_message"]
    assert await run_job({}, record["id"]) == "already failed"
    assert await run_job({}, 987654) == "missing"


async def test_unknown_job_type_is_refused(demo):
    from gpcloud.core.errors import DomainError

    with use_scope((await tenant_tree()).scope_for("441481")):
        try:
            await enqueue("no.such.job", {})
        except DomainError as exc:
            assert exc.code == "UNKNOWN_JOB_TYPE"
        else:
            raise AssertionError("enqueue accepted an unknown job type")
    with all_tenants("count"):
        assert await Job.count() == 0


async def test_queued_records_are_requeued_when_a_worker_starts(demo):
    """A record committed while Redis was unreachable still runs: workers requeue at start."""
    with all_tenants("write a record without sending it"):
        orphan = Job(tenant_id="441481", type="test.probe", payload={})
        await orphan.save()
    await drain_jobs()
    assert (await job_row(orphan.id))["status"] == "succeeded"
