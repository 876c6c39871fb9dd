"""The rooms file: agencies' bid-opening and evaluation rooms (seed 三(一) 1-3), one per row.

A room is identified by its agency's credit code and its name (the `room` key, "uscc/name").
The agency must be registered (or imported) already and work in the room's region. Blank
optional cells keep what is stored (a new room: none, no monitoring, no recordings).
"""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.db import bulk_insert
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.registries.agencies.service.common import (
    MAX_CAMERA_RESOLUTION,
    MAX_COMPUTERS,
    REGION_CODE,
)
from gpcloud.registries.agencies.tables import Agency, AgencyRoom, AgencyTenant

KIND = p.choice(
    {
        "opening": "opening",
        "开标室": "opening",
        "开标": "opening",
        "evaluation": "evaluation",
        "评标室": "evaluation",
        "评标": "evaluation",
        "评审室": "evaluation",
    }
)


def _room_name(value: str) -> str:
    if len(value) > 64:
        raise ValueError("at most 64 characters")
    return value


def _at_most(limit: int):
    def parse(value: str) -> int:
        number = p.count(value)
        if number > limit:
            raise ValueError(f"at most {limit}")
        return number

    return parse


COLUMNS = (
    Column(
        "uscc", "统一社会信用代码", True, p.uscc, "91441481MA4W0001XX", "the agency's credit code"
    ),
    Column("kind", "场所类型", True, KIND, "评标室", "开标室 (opening) or 评标室 (evaluation)"),
    Column("name", "场所名称", True, _room_name, "第一评标室", "unique within the agency"),
    Column(
        "region_code",
        "所在地区",
        True,
        p.pattern(REGION_CODE.pattern, "INVALID_FORMAT", "a six-digit region code"),
        "441481",
        "where the room is; one of the agency's tenants",
    ),
    Column("computers", "计算机台数", True, _at_most(MAX_COMPUTERS), "10"),
    Column(
        "camera_resolution",
        "摄像头分辨率",
        False,
        _at_most(MAX_CAMERA_RESOLUTION),
        "1080",
        "lines (720 = 720P); 0: no cameras",
    ),
    Column("av_monitoring", "音视频监控", False, p.yes_no, "是", "whole room, no blind spots"),
    Column(
        "recording_retained",
        "录像留存",
        False,
        p.yes_no,
        "是",
        "stored by the agency, retrievable any time",
    ),
)
FIELDS = ("kind", "computers", "camera_resolution", "av_monitoring", "recording_retained")


def _check(row: ImportRow) -> None:
    row.values["room"] = f"{row.values['uscc']}/{row.values['name']}"


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    usccs = sorted({r.values["uscc"] for r in rows})
    agencies = {
        a["uscc"]: a["id"]
        for a in await Agency.select(Agency.id, Agency.organisation.uscc.as_alias("uscc")).where(
            Agency.organisation.uscc.is_in(usccs)
        )
    }
    ids = sorted(agencies.values()) or [0]
    works_in = {
        (t["agency"], t["tenant"])
        for t in await AgencyTenant.select(AgencyTenant.agency, AgencyTenant.tenant).where(
            AgencyTenant.agency.is_in(ids)
        )
    }
    existing = {
        (r["agency"], r["name"]): r
        for r in await AgencyRoom.select(
            AgencyRoom.id,
            AgencyRoom.agency,
            AgencyRoom.name,
            AgencyRoom.tenant,
            *(getattr(AgencyRoom, f) for f in FIELDS),
        ).where(AgencyRoom.agency.is_in(ids))
    }
    for row in rows:
        v = row.values
        agency = agencies.get(v["uscc"])
        if agency is None:
            row.reject(
                reason(
                    "UNKNOWN_AGENCY",
                    f"no agency {v['uscc']} is registered (import the agencies file first)",
                    "uscc",
                )
            )
        elif (agency, v["region_code"]) not in works_in:
            row.reject(
                reason(
                    "REGION_NOT_SERVED",
                    f"the agency does not work in {v['region_code']} (add it to its tenants)",
                    "region_code",
                )
            )

    now = datetime.now(UTC)
    new = [
        r for r in rows if r.ok and (agencies[r.values["uscc"]], r.values["name"]) not in existing
    ]
    if new:
        await bulk_insert(
            AgencyRoom,
            [
                {
                    "agency": agencies[r.values["uscc"]],
                    "name": r.values["name"],
                    "tenant": r.values["region_code"],
                    "kind": r.values["kind"],
                    "computers": r.values["computers"],
                    "camera_resolution": r.values["camera_resolution"] or 0,
                    "av_monitoring": bool(r.values["av_monitoring"]),
                    "recording_retained": bool(r.values["recording_retained"]),
                    "created_at": now,
                    "updated_at": now,
                }
                for r in new
            ],
            returning=False,
        )
        for row in new:
            row.outcome = "created"
    for row in rows:
        if not row.ok or row.outcome == "created":
            continue
        current = existing[(agencies[row.values["uscc"]], row.values["name"])]
        changes = {
            k: row.values[k]
            for k in FIELDS
            if row.values[k] is not None and row.values[k] != current[k]
        }
        if row.values["region_code"] != current["tenant"]:
            changes["tenant"] = row.values["region_code"]
        if changes:
            await AgencyRoom.update({**changes, "updated_at": now}).where(
                AgencyRoom.id == current["id"]
            )
        row.outcome = "updated" if changes else "unchanged"


ROOMS_SPEC = ImportSpec(
    registry="agency_rooms",
    title="代理机构开评标场所",
    columns=COLUMNS,
    key="room",
    apply_batch=apply_batch,
    permission=Perm.AGENCY_IMPORT,
    tenant_owned=False,
    check_row=_check,
)
