from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from gpcloud.core.tenancy.tables import TenantOwned

JOB_STATUSES = ("queued", "running", "succeeded", "failed")


class Job(TenantOwned, Table, tablename="job"):
    """One run of a background job, in the scope of its tenant."""

    type = Varchar(length=64, index=True)
    status = Varchar(length=16, default="queued", index=True)
    payload = JSON(default={})
    progress_done = Integer(default=0)
    progress_total = Integer(null=True, default=None)
    counts = JSON(default={})
    error_code = Varchar(length=64, null=True, default=None)
    error_message = Text(null=True, default=None)
    # The user who asked for it (None for system jobs); its scope is the job's tenant either way.
    created_by = Integer(null=True, default=None, index=True)
    # File name of the result under var/jobs/<id>/, downloadable at /jobs/<id>/result.
    result_file = Varchar(length=255, null=True, default=None)
    attempts = Integer(default=0)
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
