"""Go-live readiness: the seed's functional confirmation (功能确认) plus what plugins add.

Manual items are ticked by a tenant admin with evidence; automatic ones are decided from data
(accounts, config) and cannot be ticked. A tenant is ready when every item is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import SUPERVISOR, TENANT_ADMIN
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.db import is_unique_violation
from gpcloud.core.errors import DomainError
from gpcloud.core.plugins.hooks import tenant_context, tenant_hooks
from gpcloud.core.tenancy.tables import ReadinessTick

CORE = "core"


@dataclass
class ReadinessItem:
    key: str
    title: str
    description: str
    source: str
    check: bool | None = None
    missing: list[str] = field(default_factory=list)
    evidence: str | None = None
    ticked_by: int | None = None
    ticked_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.check if self.check is not None else self.evidence is not None


MANUAL = (
    (
        "base_data",
        "基础数据已确认",
        "迁移的采购人、代理机构数据正确；已知无效的已标记且未迁移（工作指引 二.1）",
    ),
    (
        "workflows",
        "业务流程已确认",
        "本地政府采购业务流程符合管理制度要求，已组织联合测试（工作指引 四）",
    ),
    (
        "document_templates",
        "采购文件模板已确认",
        "项目采购电子交易系统的采购文件模板已确认（工作指引 四）",
    ),
    ("reports", "报表内容已确认", "报表内容符合本地要求（工作指引 四）"),
    (
        "agency_environment",
        "代理机构环境已准备",
        "已通知代理机构办理 CA、准备开评标场所与设备（工作指引 三(一)）",
    ),
    (
        "go_live_notice",
        "上线通知已发布",
        "已发文通知各相关主体并发布业务办理指引细则（工作指引 六(一)）",
    ),
)


async def _accounts_item(code: str) -> ReadinessItem:
    """Users and permissions (用户权限): at least one active tenant admin and one supervisor."""
    active = User.select(User.id).where((User.tenant_id == code) & (User.status == "active"))
    roles = {
        row["role"]
        for row in await UserRole.select(UserRole.role).where(
            (UserRole.tenant_id == code) & UserRole.user.is_in(active)
        )
    }
    missing = [
        f"至少一个有效的 {role} 账号" for role in (TENANT_ADMIN, SUPERVISOR) if role not in roles
    ]
    return ReadinessItem(
        "users_permissions",
        "用户权限已配置",
        "本单位管理员与监管账号已开通（工作指引 四）",
        CORE,
        check=not missing,
        missing=missing,
    )


async def checklist(code: str) -> list[ReadinessItem]:
    await reachable_tenant(code, "regionCode")
    items = [ReadinessItem(key, title, description, CORE) for key, title, description in MANUAL]
    items.insert(1, await _accounts_item(code))
    hooks = await tenant_hooks(code)
    if hooks.active:
        context = await tenant_context(code)
        contributed = hooks.call_robust("gpcloud_readiness_items", tenant=context)
        for answer in contributed.answers:
            items += [
                ReadinessItem(
                    key=f"{answer.plugin}.{item['key']}",
                    title=item.get("title", item["key"]),
                    description=item.get("description", ""),
                    source=answer.plugin,
                    check=item.get("check"),
                    missing=list(item.get("missing") or []),
                )
                for item in answer.value
            ]
        items += [
            ReadinessItem(
                f"{failure.plugin}.failed",
                "插件检查项无法生成",
                "该插件的上线检查项生成失败，修复前不能确认上线",
                failure.plugin,
                check=False,
                missing=[failure.message],
            )
            for failure in contributed.failures
        ]
    ticks = {
        row["item_key"]: row
        for row in await ReadinessTick.select().where(ReadinessTick.tenant_id == code)
    }
    for item in items:
        tick = ticks.get(item.key)
        if tick and item.check is None:
            item.evidence, item.ticked_by, item.ticked_at = (
                tick["evidence"],
                tick["ticked_by"],
                tick["created_at"],
            )
    return items


async def _manual_item(code: str, key: str) -> ReadinessItem:
    item = next((i for i in await checklist(code) if i.key == key), None)
    if item is None:
        raise DomainError("UNKNOWN_ITEM", f"no checklist item {key!r} for this tenant", "key")
    if item.check is not None:
        raise DomainError(
            "ITEM_IS_AUTOMATIC", f"{item.title} is decided from the data, not ticked", "key"
        )
    return item


@requires(Perm.READINESS_TICK)
async def tick(actor: CurrentUser, code: str, key: str, evidence: str) -> list[ReadinessItem]:
    item = await _manual_item(code, key)
    evidence = evidence.strip()
    if not 4 <= len(evidence) <= 2000:
        raise DomainError(
            "EVIDENCE_REQUIRED", "describe the evidence in 4 to 2000 characters", "evidence"
        )
    if item.evidence is not None:
        raise DomainError(
            "ALREADY_TICKED", f"{item.title} is already ticked; untick it first", "key"
        )
    try:
        await ReadinessTick(
            tenant_id=code, item_key=key, evidence=evidence, ticked_by=actor.id
        ).save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError("ALREADY_TICKED", f"{item.title} is already ticked", "key") from None
        raise
    await audit.record(
        "readiness.tick",
        "readiness_item",
        f"{code}:{key}",
        None,
        {"evidence": evidence},
        tenant=code,
    )
    return await checklist(code)


@requires(Perm.READINESS_TICK)
async def untick(actor: CurrentUser, code: str, key: str, reason: str) -> list[ReadinessItem]:
    item = await _manual_item(code, key)
    if item.evidence is None:
        raise DomainError("NOT_TICKED", f"{item.title} is not ticked", "key")
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "say why it no longer holds", "reason")
    await ReadinessTick.delete().where(
        (ReadinessTick.tenant_id == code) & (ReadinessTick.item_key == key)
    )
    await audit.record(
        "readiness.untick",
        "readiness_item",
        f"{code}:{key}",
        {"evidence": item.evidence},
        None,
        {"reason": reason.strip()},
        tenant=code,
    )
    return await checklist(code)
