"""Warnings before publication: each built-in rule on a real publication (documents and
announcements through the transaction services), the tenant's levels, the agency's override
with a reason (recorded and audited) and a tenant plugin's own rule."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from gpcloud.core import clock
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.config_admin import edit_config
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods import demo as goods_demo
from gpcloud.supervision import plans, warnings
from gpcloud.supervision.tables import PublicationOverride
from gpcloud.transaction import documents
from gpcloud.transaction import service as projects
from tests.integration.credit.support import blacklisted
from tests.integration.procurement import actor, filed_plan
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved

SEP_21 = date(2026, 9, 21)


@pytest.fixture
async def world(demo):
    return await filed_plan()


def terms(**changes) -> documents.DocumentsInput:
    values = {
        "summary": "首版",
        "requirements": [{"item": "教学一体机", "quantity": 40}],
        "qualification": [{"item": "营业执照"}],
        "compliance": [{"item": "交货期不超过30日"}],
        "criteria": [{"name": "技术", "weight": 40}, {"name": "服务", "weight": 30}],
        "price_weight": 30,
    }
    return documents.DocumentsInput(**(values | changes))


async def entrusted(world) -> dict:
    with use_scope(world["scope"]):
        return await projects.entrust(world["purchaser"], world["plan"], world["agency"])


def codes(error: DomainError) -> list[tuple[str, str | None]]:
    return [(p.code, p.field) for p in error.problems]


async def set_levels(code: str, **levels: str) -> None:
    with use_scope(await _scope(code)):
        async with transaction():
            await edit_config(
                await actor("xn.admin"),
                code,
                [(f"publication_warnings.levels.{rule}", level) for rule, level in levels.items()],
                "按本地管理要求调整",
            )


async def _scope(code: str):
    return (await tenant_tree()).scope_for(code)


async def test_a_restrictive_term_needs_an_override_with_a_reason(world):
    project = await entrusted(world)
    agent = world["agent"]
    local = terms(qualification=[{"item": "注册地须在兴宁市，具有本地业绩"}])
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await documents.publish(agent, project["id"], local)
        seat, performance = info.value.problems  # the seat, and the region's performance
        assert {(p.code, p.field) for p in (seat, performance)} == {
            ("PUBLICATION_WARNINGS", "warnings.restrictive_terms")
        }
        assert "Implementing Regulation art. 20(7)" in seat.message and "注册地须在" in seat.message
        assert "Implementing Regulation art. 20(4)" in performance.message
        assert "本地业绩" in performance.message
        # Nothing was written: the documents are not published.
        assert await documents.current(project["id"]) is None

        with pytest.raises(DomainError) as info:
            await warnings.request_override(agent, world["plan"], "documents", ["x-y"], " ")
        assert codes(info.value) == [("INVALID_RULES", "rules"), ("REASON_REQUIRED", "reason")]
        with pytest.raises(DomainError) as info:  # a purchaser may not override
            await warnings.request_override(
                world["purchaser"], world["plan"], "documents", ["restrictive_terms"], "理由"
            )
        assert info.value.code == "FORBIDDEN"
        # An override of another kind does not let the documents through.
        await warnings.request_override(
            agent, world["plan"], "tender", ["restrictive_terms"], "售后须两小时到场"
        )
        with pytest.raises(DomainError) as info:
            await documents.publish(agent, project["id"], local)
        assert info.value.code == "PUBLICATION_WARNINGS"

        [asked] = await warnings.request_override(
            agent,
            world["plan"],
            "documents",
            ["restrictive_terms"],
            "售后须两小时到场，经采购人论证",
        )
        assert asked["status"] == "pending" and asked["tenant_id"] == "441481"
        published = await documents.publish(agent, project["id"], local)
        assert published["version"] == 1
    with all_tenants("test"):
        used = (
            await PublicationOverride.select().where(PublicationOverride.id == asked["id"]).first()
        )
        audit = await AuditEntry.select().where(
            (AuditEntry.object_type == "publication_override")
            & (AuditEntry.object_id == str(asked["id"]))
        )
    assert used["status"] == "used"
    assert used["subject"] == f"project:{project['id']}:documents"
    assert any("注册地须在" in m for m in json.loads(used["matched"]))
    assert "art. 20" in used["article"]
    assert sorted(a["action"] for a in audit) == [
        "publication_override.create",
        "publication_override.use",
    ]
    # Used once: the correction of the documents needs an override of its own.
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await documents.publish(agent, project["id"], local)
        assert info.value.code == "PUBLICATION_WARNINGS"


async def test_a_tenant_that_blocks_a_rule_refuses_even_an_overridden_publication(world):
    await set_levels("441481", restrictive_terms="block")
    project = await entrusted(world)
    agent = world["agent"]
    with use_scope(world["scope"]):
        await warnings.request_override(
            agent, world["plan"], "tender", ["restrictive_terms"], "理由"
        )
        with pytest.raises(DomainError) as info:
            await projects.publish_tender(
                agent,
                project["id"],
                "招标公告",
                "Suppliers must be locally registered and state-owned.",
                date(2026, 10, 12),
                on=SEP_21,
            )
    assert [p.code for p in info.value.problems] == ["PUBLICATION_BLOCKED"] * 2
    assert {"location", "ownership"} <= {
        w for p in info.value.problems for w in ("location", "ownership") if w in p.message
    }
    await set_levels("441481", restrictive_terms="off")
    with use_scope(world["scope"]):
        moved = await projects.publish_tender(
            agent,
            project["id"],
            "招标公告",
            "Suppliers must be locally registered and state-owned.",
            date(2026, 10, 12),
            on=SEP_21,
        )
    assert moved["status"] == "tendering"


async def test_documents_issued_too_late_for_the_bid_deadline_are_blocked(world):
    project = await entrusted(world)
    agent = world["agent"]
    with use_scope(world["scope"]):
        await projects.publish_tender(
            agent, project["id"], "招标公告", "正文", date(2026, 10, 12), on=SEP_21
        )
        # Issued on the pinned day (1 Sep)? The tender says 12 Oct: 41 days, fine.
        assert (await documents.publish(agent, project["id"], terms()))["version"] == 1
    # A correction of the documents on 1 Oct leaves 11 days: MOF Order 87 art. 27 (15 d).
    with clock.on_day(date(2026, 9, 30)), use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await documents.publish(agent, project["id"], terms(summary="更正"))
    [problem] = info.value.problems
    assert (problem.code, problem.field) == ("PUBLICATION_BLOCKED", "warnings.bid_period")
    assert "MOF Order 87 art. 27 (unverified)" in problem.message
    assert "2026-10-15" in problem.message  # 30 Sep + 15 d


async def test_a_brand_of_the_goods_registry_in_the_requirements_warns(world):
    await goods_demo.seed()
    project = await entrusted(world)
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await documents.publish(
                world["agent"],
                project["id"],
                terms(requirements=[{"item": "台式计算机", "spec": "华岭HL-D5000或同等"}]),
            )
    [problem] = info.value.problems
    assert problem.field == "warnings.brand_names" and "HL-D5000" in problem.message


async def test_an_award_to_a_barred_supplier_is_blocked(world):
    credit = {
        "scope": world["scope"],
        "supervisor": await actor("xn.supervisor"),
        "supplier": {"id": world["seller"].organisation_id},
    }
    project = await entrusted(world)
    agent = world["agent"]
    with use_scope(world["scope"]):
        await projects.publish_tender(
            agent, project["id"], "招标公告", "正文", date(2026, 10, 12), on=SEP_21
        )
    await blacklisted(credit)
    award = [projects.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))]
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await projects.publish_result(
                agent, project["id"], "中标公告", "正文", award, on=date(2026, 10, 16)
            )
    [problem] = info.value.problems
    assert (problem.code, problem.field) == ("PUBLICATION_BLOCKED", "warnings.banned_supplier")
    assert "Government Procurement Law arts. 22, 77" in problem.message


async def test_splitting_a_category_below_the_threshold_warns(world):
    """Two request-for-quotation plans of one category, 200,000 each, filed in 2026: together
    above an open-tender threshold of 300,000 (Implementing Regulation art. 28)."""
    purchaser, supervisor = world["purchaser"], await actor("xn.supervisor")
    with use_scope(world["scope"]):
        made = []
        for title in ("打印机采购一", "打印机采购二"):
            data = plans.PlanInput(
                title,
                "goods",
                "request_for_quotation",
                [plans.LineInput(world["indicator"], Decimal("200000"))],
                intention_exemption="urgent",
                category_code="A02021000",
            )
            plan = await plans.create(purchaser, data)
            await plans.submit(purchaser, plan["id"])
            made.append(await plans.file(supervisor, plan["id"]))
        project = await projects.entrust(purchaser, made[1]["id"], world["agency"])
    with use_scope(world["scope"]):
        async with transaction():
            await edit_config(
                await actor("xn.admin"),
                "441481",
                [("thresholds.open_tender_threshold", 300000)],
                "测试：降低公开招标数额标准",
            )
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await projects.publish_tender(
                world["agent"], project["id"], "询价公告", "正文", date(2026, 10, 12), on=SEP_21
            )
    [problem] = info.value.problems
    assert (problem.code, problem.field) == ("PUBLICATION_WARNINGS", "warnings.splitting")
    assert "打印机采购一" in problem.message and "400000.00" in problem.message


RULE_PLUGIN = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "NAME", "description": "a city's own publication rule"}


@hookimpl
def gpcloud_check_publication(subject, tenant):
    if "加急" in subject["texts"][0]["text"]:
        return [{"rule": "rush", "article": "梅州市财政局规定 (unverified)",
                 "matched": "加急", "message": "公告不得以加急压缩期限"}]
    return []
"""


async def test_a_tenant_plugin_adds_its_own_rule(client, world, install_plugin):
    install_plugin("mz_rules", RULE_PLUGIN.replace("NAME", "mz_rules"), version="1.0.0")
    await approved(client, "mz_rules")
    project = await entrusted(world)
    with use_scope(world["scope"]):
        with exercised("gpcloud_check_publication") as ran:
            with pytest.raises(DomainError) as info:
                await projects.publish_tender(
                    world["agent"],
                    project["id"],
                    "加急招标公告",
                    "正文",
                    date(2026, 10, 12),
                    on=SEP_21,
                )
    assert ("gpcloud_check_publication", "mz_rules") in ran
    assert ("gpcloud_check_publication", "builtin:bid_period") in ran
    [problem] = info.value.problems
    assert problem.field == "warnings.mz_rules.rush"


BROKEN_PLUGIN = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "NAME", "description": "a rule that cannot be checked"}


@hookimpl
def gpcloud_check_publication(subject, tenant):
    BODY
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("raise ConnectionError('规则服务不可用')", "ConnectionError: 规则服务不可用"),
        ("return [{'rule': 'x'}]", "a warning is a dict of rule, article, matched, message"),
    ],
)
async def test_a_rule_that_cannot_be_checked_stops_the_publication(
    client, world, install_plugin, body, message
):
    source = BROKEN_PLUGIN.replace("NAME", "bad_rules").replace("BODY", body)
    install_plugin("bad_rules", source, version="1.0.0")
    await approved(client, "bad_rules")
    project = await entrusted(world)
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await projects.publish_tender(
                world["agent"], project["id"], "招标公告", "正文", date(2026, 10, 12), on=SEP_21
            )
        assert info.value.code == "PLUGIN_FAILED" and message in str(info.value)
        assert (await projects.get(project["id"]))["status"] == "entrusted"


async def test_a_plugin_rule_takes_the_tenant_s_default_level(client, world, install_plugin):
    install_plugin("mz_rules", RULE_PLUGIN.replace("NAME", "mz_rules"), version="1.0.0")
    await approved(client, "mz_rules")
    with use_scope(await _scope("441481")):
        async with transaction():
            await edit_config(
                await actor("xn.admin"),
                "441481",
                [("publication_warnings.default_level", "block")],
                "本县未列明的规则一律阻断",
            )
    project = await entrusted(world)
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await projects.publish_tender(
                world["agent"], project["id"], "加急招标公告", "正文", date(2026, 10, 12), on=SEP_21
            )
    assert codes(info.value) == [("PUBLICATION_BLOCKED", "warnings.mz_rules.rush")]


async def test_a_blocked_publication_lists_what_blocks_and_what_warns(world):
    await set_levels("441481", restrictive_terms="block")
    project = await entrusted(world)
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await projects.publish_tender(
                world["agent"],
                project["id"],
                "招标公告",
                "投标人须为本地注册企业。Sole-source: no equivalents accepted.",
                date(2026, 10, 12),
                on=SEP_21,
            )
    assert info.value.code == "PUBLICATION_BLOCKED"
    assert codes(info.value) == [
        ("PUBLICATION_BLOCKED", "warnings.restrictive_terms"),
        ("PUBLICATION_WARNINGS", "warnings.brand_names"),
    ]
