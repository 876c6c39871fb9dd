"""Demo agencies for the demo agency organisations (gpcloud.demo): one ready for Xingning
(441481) under the default requirements, one that is not (6 evaluation computers, 480P cameras,
a CA that expired, a room without recordings), so `agencyReadiness` shows both answers.

Companies are the demo's fictional ones; contacts are job titles and placeholder numbers.
Idempotent: an organisation that already has an agency record is left alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.agencies.service.common import get, state
from gpcloud.registries.agencies.tables import Agency, AgencyRoom, AgencyTenant

# name, contact, phone, CA (serial, issuer, valid until: None = two years from today), tenants, rooms
# Rooms: (kind, name, region, computers, camera lines, A/V monitoring, recordings retained).
AGENCIES = (
    (
        "梅州嘉应招标代理有限公司",
        "业务部经理",
        "0753-2000001",
        ("4A1B2C3D4E5F6071", "广东数字证书认证中心（示例）", None),
        ("441400", "441481"),
        (
            ("opening", "梅州开标室", "441400", 2, 1080, True, True),
            ("evaluation", "梅州第一评标室", "441400", 12, 1080, True, True),
            ("opening", "兴宁开标室", "441481", 2, 1080, True, True),
            ("evaluation", "兴宁评标室", "441481", 9, 720, True, True),
        ),
    ),
    (
        "兴宁市宁江工程咨询有限公司",
        "招标部经理",
        "0753-3000001",
        ("5B2C3D4E5F607182", "广东数字证书认证中心（示例）", date(2020, 12, 31)),
        ("441481",),
        (
            ("opening", "宁江开标室", "441481", 1, 720, True, False),
            ("evaluation", "宁江评标室", "441481", 6, 480, True, True),
        ),
    ),
)


async def seed() -> None:
    with all_tenants("demo seed: agencies registered in several regions"):
        async with transaction():
            for name, contact, phone, ca, tenants, rooms in AGENCIES:
                org = (
                    await Organisation.select(Organisation.id)
                    .where(Organisation.name == name)
                    .first()
                )
                if org is None or await Agency.exists().where(Agency.organisation == org["id"]):
                    continue
                serial, issuer, valid_until = ca
                now = datetime.now(UTC)
                agency = Agency(
                    organisation=org["id"],
                    status="approved",
                    status_reason="演示数据",
                    contact_name=contact,
                    contact_phone=phone,
                    ca_serial=serial,
                    ca_issuer=issuer,
                    ca_valid_until=valid_until or today().replace(year=today().year + 2, day=1),
                    decided_at=now,
                )
                await agency.save()
                await AgencyTenant.insert(
                    *(AgencyTenant(agency=agency.id, tenant=t) for t in tenants)
                )
                await AgencyRoom.insert(
                    *(
                        AgencyRoom(
                            agency=agency.id,
                            kind=kind,
                            name=room,
                            tenant=region,
                            computers=computers,
                            camera_resolution=camera,
                            av_monitoring=av,
                            recording_retained=kept,
                        )
                        for kind, room, region, computers, camera, av, kept in rooms
                    )
                )
                row = await get(agency.id)
                await audit.record(
                    "agencies.register",
                    "agency",
                    agency.id,
                    None,
                    await state(row),
                    {"rooms": len(rooms)},
                    tenant=row["region"],
                    actor="demo seed",
                )
