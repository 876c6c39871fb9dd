"""Is an agency ready to run e-transactions in a tenant? (seed 三(一): CA, rooms, equipment)

The requirements are the tenant's effective config (`agency_readiness`), so a tenant that
tightens them changes the answer. Rooms count where they are: in that tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.core.tenancy.service import TenantNode, tenant_tree
from gpcloud.registries.agencies.service.common import (
    ROOM_KIND_LABELS,
    STATUS_LABELS,
    full_access,
    get,
    rooms_of,
    tenant_codes,
)

REQUIREMENTS = (
    "opening_room_required",
    "evaluation_room_required",
    "min_computers_per_opening_room",
    "min_computers_per_evaluation_room",
    "min_camera_resolution",
    "av_monitoring_required",
    "av_recording_retained",
)


@dataclass(frozen=True)
class Gap:
    code: str
    message: str
    room_id: int | None = None


@dataclass
class Readiness:
    agency: dict
    region: TenantNode
    requirements: dict
    gaps: list[Gap] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.gaps


async def requirements(region: str) -> dict:
    values = (await effective_config(region)).values.get("agency_readiness", {})
    return {
        key: (
            bool(values.get(key))
            if key.endswith(("required", "retained"))
            else int(values.get(key) or 0)
        )
        for key in REQUIREMENTS
    }


async def _authorised(actor: CurrentUser, agency: dict, region: str) -> tuple[TenantNode, bool]:
    """Agencies check themselves anywhere; others check agencies they may read in full, for
    regions in their own subtree; and who entrusts projects (project.entrust) approved agencies,
    which it chooses among, without their contacts. Returns the region and whether the caller
    sees the agency in full."""
    node = (await tenant_tree()).get(region)
    if node is None:
        raise DomainError("TENANT_NOT_FOUND", f"no region {region[:16]}", "regionCode")
    if agency["organisation"] == actor.organisation_id:
        return node, True
    full = agency["id"] in await full_access(actor, [agency])
    chooser = actor.can(Perm.PROJECT_ENTRUST) and agency["status"] == "approved"
    if not (full or chooser):
        raise NotFound("agency", agency["id"])
    if not current_scope().can_see(region):
        raise DomainError(
            "TENANT_NOT_FOUND", f"no region {region[:16]} in your region", "regionCode"
        )
    return node, full


@requires(Perm.AGENCY_CHECK_READINESS)
async def readiness(actor: CurrentUser, agency_id: int, region: str) -> Readiness:
    """The agency (with `full`: what the caller may see of it), the region's requirements and
    every gap between them."""
    agency = await get(agency_id)
    node, full = await _authorised(actor, agency, region)
    result = Readiness({**agency, "full": full}, node, await requirements(region))
    result.gaps = _gaps(
        agency,
        node,
        result.requirements,
        await tenant_codes(agency_id),
        [r for r in await rooms_of(agency_id) if r["tenant"] == region],
    )
    return result


def _gaps(
    agency: dict, node: TenantNode, req: dict, tenants: list[str], rooms: list[dict]
) -> list[Gap]:
    gaps = []
    if agency["status"] != "approved":
        label = STATUS_LABELS[agency["status"]]
        gaps.append(Gap("NOT_APPROVED", f"代理机构尚未通过省财政厅审核（当前状态：{label}）"))
    if node.region_code not in tenants:
        gaps.append(Gap("TENANT_NOT_LISTED", f"代理机构未将{node.name}列为业务地区"))
    valid_until = agency["ca_valid_until"]
    if valid_until is None:
        gaps.append(Gap("CA_MISSING", "未办理 CA 证书"))
    elif valid_until < today():
        gaps.append(Gap("CA_EXPIRED", f"CA 证书已于 {valid_until.isoformat()} 过期"))
    for kind, required, minimum in (
        ("opening", req["opening_room_required"], req["min_computers_per_opening_room"]),
        ("evaluation", req["evaluation_room_required"], req["min_computers_per_evaluation_room"]),
    ):
        gaps += _room_count_gaps(
            kind, required, minimum, node, [r for r in rooms if r["kind"] == kind]
        )
    for room in rooms:
        gaps += _equipment_gaps(room, req)
    return gaps


def _equipment_gaps(room: dict, req: dict) -> list[Gap]:
    gaps = []
    label = f"{ROOM_KIND_LABELS[room['kind']]}“{room['name']}”"
    resolution, minimum = room["camera_resolution"], req["min_camera_resolution"]
    if room["kind"] == "evaluation" and resolution < minimum:
        message = (
            f"{label}计算机未配备摄像头（要求 {minimum}P 及以上）"
            if resolution == 0
            else f"{label}摄像头分辨率 {resolution}P，低于要求的 {minimum}P"
        )
        gaps.append(Gap("CAMERA_RESOLUTION", message, room["id"]))
    if req["av_monitoring_required"] and not room["av_monitoring"]:
        gaps.append(Gap("AV_MONITORING", f"{label}未实现全程无死角音视频监控", room["id"]))
    if req["av_recording_retained"] and not room["recording_retained"]:
        gaps.append(
            Gap(
                "RECORDING_NOT_RETAINED",
                f"{label}音视频资料未由代理机构存储并随时可调用",
                room["id"],
            )
        )
    return gaps


def evaluation_room_gaps(room: dict, req: dict) -> list[Gap]:
    """What keeps one room from hosting an evaluation under a region's requirements: its kind,
    its computers and its equipment, judged as readiness judges every room."""
    if room["kind"] != "evaluation":
        label = ROOM_KIND_LABELS[room["kind"]]
        return [Gap("NOT_AN_EVALUATION_ROOM", f"“{room['name']}”是{label}", room["id"])]
    minimum = req["min_computers_per_evaluation_room"]
    gaps = []
    if room["computers"] < minimum:
        gaps.append(
            Gap(
                "EVALUATION_ROOM_COMPUTERS",
                f"评标室“{room['name']}”有计算机 {room['computers']} 台，少于要求的 {minimum} 台",
                room["id"],
            )
        )
    return gaps + _equipment_gaps(room, req)


def _room_count_gaps(
    kind: str, required: bool, minimum: int, node: TenantNode, rooms: list[dict]
) -> list[Gap]:
    """At least one room of the kind with enough computers, when the tenant requires the kind."""
    if not required or any(r["computers"] >= minimum for r in rooms):
        return []
    label = ROOM_KIND_LABELS[kind]
    code = f"{kind.upper()}_ROOM"
    if not rooms:
        return [Gap(f"{code}_MISSING", f"在{node.name}没有独立的{label}")]
    return [
        Gap(
            f"{code}_COMPUTERS",
            f"{label}“{r['name']}”有计算机 {r['computers']} 台，少于要求的 {minimum} 台",
            r["id"],
        )
        for r in rooms
    ]
