"""Demo history for the portal (`serve --demo`): a few hundred 2020 notices across Guangdong,
migrated the way the old portal's records are (completed legacy batches), so the portal has
something to browse and search. Fictional units, suppliers and amounts. Idempotent."""

from __future__ import annotations

import json
import random

from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal import legacy
from gpcloud.portal.tables import KINDS, STAGES, LegacyBatch
from gpcloud.settings import get_settings

TITLES = {
    "intention": "{unit}{item}采购意向",
    "plan": "{unit}{item}采购计划",
    "tender": "{unit}{item}采购项目公开招标公告",
    "correction": "{unit}{item}采购项目更正公告",
    "result": "{unit}{item}采购项目中标结果公告",
    "contract": "{unit}{item}采购合同公告",
    "acceptance": "{unit}{item}采购项目履约验收报告",
}
BODIES = {
    "intention": "采购需求概况：{item}一批。预算金额：{amount} 元。预计采购时间：2020 年 {month} 月。",
    "plan": "采购方式：公开招标。采购预算：{amount} 元。",
    "tender": "{unit}就{item}进行公开招标，欢迎合格供应商投标。预算金额：{amount} 元。",
    "correction": "原公告中技术参数第 3 项更正如下，投标截止时间相应顺延。",
    "result": "中标供应商：{supplier}。中标金额：{award} 元。",
    "contract": "合同金额：{award} 元。履行期限：合同签订后 60 日内。",
    "acceptance": "验收结论：合格。{item}已按合同约定交付并安装调试完毕。",
}
UNITS = ("第一中学", "人民医院", "教育局", "交通运输局", "中心血站", "实验小学", "城市管理局")
ITEMS = (
    "多媒体教室设备",
    "彩超设备",
    "道路养护服务",
    "物业管理服务",
    "办公家具",
    "校服",
    "消防车",
    "安防监控系统",
    "图书",
    "食堂食材配送",
)
SUPPLIERS = (
    "粤东华岭科技有限公司",
    "嘉应客都办公设备有限公司",
    "岭南宁江医疗器械有限公司",
    "南粤梅江建设工程有限公司",
    "韩江罗浮信息技术有限公司",
)
ARTICLES = (
    (
        "policy",
        "关于做好政府采购意向公开工作的通知",
        "各预算单位：为提高政府采购透明度，现就采购意向公开有关事项通知如下……",
    ),
    (
        "policy",
        "关于促进中小企业参与政府采购活动的实施意见",
        "各预算单位：为落实政府采购促进中小企业发展政策……",
    ),
    (
        "notice",
        "广东政府采购智慧云平台上线运行的通知",
        "自 2021 年 1 月 1 日起，云平台在全省上线运行……",
    ),
)


def _records(regions: list[tuple[str, str]]) -> dict[str, list[dict]]:
    rng = random.Random("portal-demo")
    by_kind: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    number = 0
    for code, name in regions:
        for project in range(2):
            unit, item = name + rng.choice(UNITS), rng.choice(ITEMS)
            amount = rng.randrange(50, 900) * 10_000
            award = amount - rng.randrange(1, 40) * 1_000
            supplier = rng.choice(SUPPLIERS)
            month = rng.randrange(2, 7)
            steps = STAGES if project == 0 else STAGES[: rng.randrange(2, 6)]
            for offset, kind in enumerate(steps):
                number += 1
                values = {
                    "unit": unit,
                    "item": item,
                    "amount": amount,
                    "award": award,
                    "supplier": supplier,
                    "month": month,
                }
                by_kind[kind].append(
                    {
                        "legacy_id": f"DEMO-{number}",
                        "kind": kind,
                        "region_code": code,
                        "title": TITLES[kind].format(**values),
                        "body": BODIES[kind].format(**values),
                        "published_on": f"2020-{month + offset:02d}-{rng.randrange(1, 28):02d}",
                        "project_code": f"DEMO-{code}-{project}",
                        "method": "open_tender",
                        "purchaser_name": unit,
                        "amount": str(award if kind in ("result", "contract") else amount),
                        "suppliers": [{"name": supplier, "amount": str(award)}]
                        if kind in ("result", "contract")
                        else [],
                    }
                )
    for kind, title, body in ARTICLES:
        number += 1
        by_kind[kind].append(
            {
                "legacy_id": f"DEMO-{number}",
                "kind": kind,
                "region_code": regions[0][0],
                "title": title,
                "body": body,
                "published_on": "2020-12-01",
            }
        )
    return by_kind


async def seed() -> int:
    """Migrate the demo history once; returns the notices created."""
    folder = get_settings().var / "legacy"
    with all_tenants("demo seed: the portal's history"):
        if await LegacyBatch.exists().where(LegacyBatch.path.like(f"{folder}/demo-%")):
            return 0
        tree = await tenant_tree()
        province = tree.root
        cities = sorted(tree.children.get(province, []))
        counties = [c for city in cities for c in sorted(tree.children.get(city, []))]
        regions = [(c, tree.nodes[c].name) for c in (province, *cities, *counties)]
        folder.mkdir(parents=True, exist_ok=True)
        created = 0
        for kind, records in _records(regions).items():
            path = folder / f"demo-{kind}.jsonl"
            path.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
            )
            async with transaction():
                batch = LegacyBatch(
                    year=2020, kind=kind, source_format="jsonl", path=str(path), region=province
                )
                await batch.save()
            created += (await legacy.run(batch.id, folder / f"demo-{kind}-out"))["created"]
        return created
