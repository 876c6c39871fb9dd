"""The message catalogue: one Chinese template per event kind, rendered when the event happens.

A template names the kind for people (`title`, shown with the channel preferences), gives the
subject and body as `str.format` patterns over the event's parameters and, where the event has a
deadline, the rule behind it (`explanation`). Dates read 2026年11月16日; a dict of import counts
reads 新增 3，拒绝 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

EMAIL = "email"


@dataclass(frozen=True)
class Template:
    title: str
    subject: str
    body: str
    explanation: str = ""
    default_channels: tuple[str, ...] = (EMAIL,)


CATALOGUE: dict[str, Template] = {
    "plan.filed": Template(
        title="采购计划已备案",
        subject="采购计划已备案：{title}",
        body="贵单位的采购计划《{title}》（编号 {plan_id}，预算 {amount} 元）已由财政部门备案，"
        "可以按计划组织采购。",
    ),
    "plan.returned": Template(
        title="采购计划被退回",
        subject="采购计划被退回：{title}",
        body="贵单位的采购计划《{title}》（编号 {plan_id}）已被财政部门退回，所占预算指标已释放。\n"
        "退回理由：{reason}\n请按意见修改后重新提交备案。",
    ),
    "contract.awaiting_signature": Template(
        title="合同待签署",
        subject="合同待贵单位签署：{title}",
        body="合同《{title}》（编号 {contract_id}，金额 {amount} 元）已由{signer}签署，现待贵单位签署。",
        explanation="依据《中华人民共和国政府采购法》第四十六条，采购人与中标、成交供应商应当在"
        "中标、成交通知书发出之日起三十日内签订政府采购合同；期限的最后一日是法定节假日的，"
        "以节假日后的第一个工作日为期限的最后一日。",
    ),
    "contract.publication_overdue": Template(
        title="合同公告逾期",
        subject="合同公告已逾期：{title}",
        body="合同《{title}》（编号 {contract_id}）已于{signed_on}签订，至今尚未公告，"
        "已超过公告期限。请尽快在指定媒体公告。",
        explanation="依据《中华人民共和国政府采购法实施条例》第五十条，采购人应当自政府采购合同"
        "签订之日起2个工作日内，将政府采购合同在省级以上人民政府财政部门指定的媒体上公告，"
        "但政府采购合同中涉及国家秘密、商业秘密的内容除外。",
    ),
    "mall_order.placed": Template(
        title="电子卖场订单待确认",
        subject="电子卖场订单待确认：{title}",
        body="{purchaser}在电子卖场向贵单位下单《{title}》（订单 {order_id}，数量 {quantity}，"
        "金额 {amount} 元），请在期限内确认或拒绝；逾期未确认的订单自动失效，库存和预算随之释放。",
        explanation="电子卖场订单确认时限（emall_order_confirmation，广东电子卖场运行规则，"
        "未查得原文，按配置执行）。",
    ),
    "mall_order.lapsed": Template(
        title="电子卖场订单已失效",
        subject="电子卖场订单已失效：{title}",
        body="订单《{title}》（订单 {order_id}）因供应商{supplier}未在期限内确认已失效，"
        "所占库存和预算已释放，可另行下单。",
    ),
    "mall_group_buy.closed": Template(
        title="批量集采报名截止",
        subject="批量集采报名截止：{title}",
        body="批量集中采购《{title}》（编号 {group_buy_id}）报名已截止，共 {shares} 家采购人参加。"
        "请按规定组织采购，并在平台登记成交结果；各采购人的份额将据此生成订单。",
    ),
    "mall_order.split_warning": Template(
        title="电子卖场疑似拆分采购",
        subject="电子卖场疑似拆分采购：{purchaser}",
        body="{purchaser}本预算年度在品目 {category} 的电子卖场订单合计 {total} 元，"
        "已超过{mode}单笔上限 {cap} 元（订单 {order_id}）。请关注是否化整为零规避采购方式。",
        explanation="依据《中华人民共和国政府采购法》第四十一条和《中华人民共和国政府采购法实施条例》"
        "第二十八条，在一个财政年度内，采购人将一个预算项目下的同一品目或者类别的货物、服务"
        "采用公开招标以外的方式多次采购，累计资金数额超过公开招标数额标准的，属于以化整为零方式"
        "规避公开招标。",
    ),
    "intention.open": Template(
        title="采购意向公开期满",
        subject="采购意向公开期满：{project_name}",
        body="贵单位的采购意向《{project_name}》已于{published_on}公开，公开期已满，"
        "可于{earliest_start}起开展采购活动。",
        explanation="依据《财政部关于开展政府采购意向公开工作的通知》（财库〔2020〕10号），"
        "采购意向公开时间原则上不得晚于采购活动开始前30日。",
    ),
    "import.finished": Template(
        title="数据导入完成",
        subject="数据导入完成：{registry}",
        body="您提交的{registry}导入（任务编号 {job_id}）已完成：共 {rows} 行，{counts}。\n"
        "其中被拒绝 {rejected} 行，每行的拒绝原因见该任务的拒绝报告（rejects.xlsx）。",
        default_channels=(),
    ),
    "plugin_request.approved": Template(
        title="插件申请已批准",
        subject="插件申请已批准：{plugin} {version}",
        body="贵地区提交的插件 {plugin}（版本 {version}）使用申请已获省财政厅批准，"
        "即日起在贵地区及下辖地区生效。\n审批意见：{reason}",
    ),
    "plugin_request.rejected": Template(
        title="插件申请未获批准",
        subject="插件申请未获批准：{plugin} {version}",
        body="贵地区提交的插件 {plugin}（版本 {version}）使用申请未获省财政厅批准。\n"
        "理由：{reason}\n如仍需使用，请按意见修改需求说明后重新提交。",
    ),
    "deadline.moved": Template(
        title="官方日历公布后期限调整",
        subject="期限已调整：{title}",
        body="{title}的{deadline}在{year}年节假日安排公布前按临时日历计算为{before}；"
        "现按已公布的{year}年节假日安排重新计算，调整为{after}。",
        explanation="{year}年节假日安排公布前，期限只按法定节假日临时计算，未计入调休；"
        "官方安排载入平台后，所有临时计算的期限均已重新计算。",
    ),
    "project.opening_hall": Template(
        title="开标大厅已开启",
        subject="请解密投标文件：{title}",
        body="项目《{title}》（编号 {project_id}）已于投标截止时间{deadline}截标，开标大厅已开启。"
        "请在{window_end}前使用投标时的密钥解密您的投标文件。",
        explanation="依据《电子招标投标办法》第三十一条，因投标人原因未能解密的，视为撤销其投标"
        "文件；因投标人之外的原因未能解密的，视为撤回其投标文件。",
    ),
    "project.too_few_bids": Template(
        title="投标人不足，不予开标",
        subject="投标人不足{minimum}家：{title}",
        body="项目《{title}》（编号 {project_id}）投标截止时仅有{bids}家投标，不足{minimum}家，"
        "不予开标。可修改采购文件后重新招标，或依法报财政部门批准变更采购方式。",
    ),
    "project.documents_corrected": Template(
        title="采购文件澄清或修改",
        subject="采购文件已澄清或修改：{title}",
        body="您已获取的项目《{title}》（编号 {project_id}）采购文件已发布第{version}版：{summary}",
    ),
    "project.question_answered": Template(
        title="询问已答复",
        subject="询问已答复：{title}",
        body="您就项目《{title}》（编号 {project_id}）提出的询问已答复：{answer}",
    ),
    "project.prequalification_result": Template(
        title="资格预审结果通知",
        subject="资格预审结果：{title}",
        body="您对项目《{title}》（编号 {project_id}）的资格预审申请{result}。{reason}",
        explanation="依据《中华人民共和国政府采购法实施条例》第二十一条，已进行资格预审的，"
        "只有资格预审合格的供应商方可参加后续采购活动。",
    ),
    "project.too_few_qualified": Template(
        title="资格预审合格供应商不足，采购失败",
        subject="资格预审合格供应商不足{minimum}家：{title}",
        body="项目《{title}》（编号 {project_id}）资格预审合格的供应商仅{qualified}家，不足{minimum}家，"
        "本次采购失败，不再发出招标文件。可修改资格预审文件或采购文件后重新招标，或依法报财政部门批准"
        "变更采购方式。",
        explanation="依据《中华人民共和国政府采购法》第三十六条第一款第（一）项，符合专业条件的供应商"
        "不足三家的，应予废标。",
    ),
    "project.invited": Template(
        title="投标邀请书",
        subject="投标邀请：{title}",
        body="贵公司已从项目《{title}》（编号 {project_id}）资格预审合格的供应商中随机抽取为邀请对象。"
        "请在采购文件发布后获取采购文件并按时投标。",
        explanation="依据《中华人民共和国政府采购法》第三十四条，邀请招标应从符合相应资格条件的供应商"
        "中，通过随机方式选择三家以上的供应商，并向其发出投标邀请书。",
    ),
    "project.prequalification_corrected": Template(
        title="资格预审公告澄清或修改",
        subject="资格预审公告已澄清或修改：{title}",
        body="您已申请的项目《{title}》（编号 {project_id}）资格预审公告已澄清或修改：{text}"
        "申请截止时间：{due}。",
    ),
    "project.quote_round_opened": Template(
        title="请报价",
        subject="第{number}轮报价：{title}",
        body="项目《{title}》（编号 {project_id}）第{lot}包{kind}已开始，请于{deadline}前提交报价，"
        "逾期不予接收。",
    ),
    "inquiry.step": Template(
        title="询问进展",
        subject="询问{step}：{title}",
        body="项目《{title}》（编号 {project_id}）的询问（编号 {inquiry_id}）{step}。{detail}",
        explanation="依据《中华人民共和国政府采购法实施条例》第五十二条，采购人或者采购代理机构"
        "应当在3个工作日内对供应商依法提出的询问作出答复。",
    ),
    "challenge.step": Template(
        title="质疑进展",
        subject="质疑{step}：{title}",
        body="项目《{title}》（编号 {project_id}）的质疑（编号 {challenge_id}）{step}。{detail}",
        explanation="依据《中华人民共和国政府采购法》第五十三条，采购人应当在收到供应商的书面质疑后"
        "七个工作日内作出答复，并以书面形式通知质疑供应商和其他有关供应商。",
    ),
    "complaint.step": Template(
        title="投诉进展",
        subject="投诉{step}：{title}",
        body="项目《{title}》（编号 {project_id}）的投诉（编号 {complaint_id}）{step}。{detail}",
        explanation="依据《中华人民共和国政府采购法》第五十六条，政府采购监督管理部门应当在收到投诉后"
        "三十个工作日内作出处理决定；检验、检测、鉴定、专家评审以及补正材料所需时间不计算在内"
        "（实施条例第五十八条）。",
    ),
    "suspension.step": Template(
        title="暂停采购活动",
        subject="采购活动{step}：{title}",
        body="项目《{title}》（编号 {project_id}）的采购活动{step}（{starts_on}至{ends_on}）。"
        "{detail}",
        explanation="依据《中华人民共和国政府采购法》第五十七条，暂停时间最长不得超过三十日。",
    ),
    "complaints.clock_missed": Template(
        title="法定期限已过",
        subject="期限已过：{title}",
        body="项目《{title}》（编号 {project_id}）{what}的期限（{due}）已过而未办理。{detail}",
    ),
    "project.opening_record": Template(
        title="开标记录待确认",
        subject="开标记录待确认：{title}",
        body="项目《{title}》（编号 {project_id}）的开标记录已生成，请确认或提出异议。",
    ),
    "expert_draw.invited": Template(
        title="评审专家抽取通知",
        subject="您被抽取为评审专家：{title}",
        body="您已被随机抽取参加项目《{title}》的评审，评审时间{evaluation_at}。"
        "请在{confirm_by}前确认或谢绝；与投标人存在利害关系的，应当申请回避。"
        "评审委员会名单在评审开始前保密，请勿向他人透露。",
        explanation="未在规定时间内确认的，视为不能参加，由候补专家依次递补。",
    ),
    "evaluation.correction_proposed": Template(
        title="报价算术修正待确认",
        subject="请确认报价修正：{title}",
        body="评审委员会对贵单位在项目《{title}》中的投标报价作了算术修正，修正后报价为"
        "{corrected} 元。请确认或拒绝；拒绝确认的，投标无效。",
    ),
    "evaluation.low_price_requested": Template(
        title="报价明显偏低须作说明",
        subject="请就报价作出说明：{title}",
        body="评审委员会认为贵单位在项目《{title}》中的报价明显低于其他通过符合性审查投标人的报价，"
        "请在{explain_by}前提交书面说明并提供相关证明材料；不能证明其报价合理性的，投标无效。",
    ),
    "evaluation_report.sent": Template(
        title="评审报告已送达",
        subject="评审报告已送达：{title}",
        body="项目《{title}》的评审报告已由采购代理机构送达。请在{confirm_by}前按评审报告推荐的"
        "候选人顺序确定中标（成交）供应商。",
    ),
    "evaluation.result": Template(
        title="评审结果通知",
        subject="评审结果：{title}",
        body="项目《{title}》的中标（成交）供应商已由采购人确定。{outcome}",
    ),
    "evaluation.outliers": Template(
        title="评分异常提示",
        subject="评分异常提示：{title}",
        body="项目《{title}》全部评审专家已提交评分，其中 {count} 项评分明显偏离其他成员："
        "{items}。请在冻结评审报告前提请评审委员会复核；评审报告将记载这些标记。",
    ),
    "evaluation_committee.incomplete": Template(
        title="评审委员会组建失败",
        subject="评审委员会未能组建：{title}",
        body="项目《{title}》的评审委员会（编号 {committee_id}）有专家席位空缺且候补专家已用尽，"
        "评审不能开始。请取消该委员会并重新组建和抽取。",
    ),
}

OUTCOMES = {
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "rejected": "拒绝",
    "invalid": "无效（未迁移）",
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    explanation: str


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _text(value: Any) -> str:
    if isinstance(value, date):
        return chinese_date(value)
    if isinstance(value, Mapping):
        order = [*OUTCOMES, *sorted(set(value) - set(OUTCOMES))]
        return "，".join(f"{OUTCOMES.get(k, k)} {value[k]}" for k in order if k in value) or "无"
    return str(value)


class _Params(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"notification parameter {key!r} is missing")


def template(kind: str) -> Template:
    found = CATALOGUE.get(kind)
    if found is None:
        raise ValueError(f"no notification kind {kind!r} in the catalogue")
    return found


def render(kind: str, params: Mapping[str, Any], due: date | None = None) -> Message:
    """The kind's message for these parameters; the explanation only where there is a deadline."""
    chosen = template(kind)
    values = _Params({key: _text(value) for key, value in params.items()})
    explanation = chosen.explanation.format_map(values) if due is not None else ""
    return Message(chosen.subject.format_map(values), chosen.body.format_map(values), explanation)
