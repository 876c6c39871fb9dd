"""One row factory per tenant-owned table, so the isolation test covers every table.

A new tenant-owned table fails test_every_tenant_owned_table_has_a_factory until it gets one.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from gpcloud.analytics.tables import Dirty, ProcessFact, RedFlag, Rollup
from gpcloud.complaints.tables import (
    Challenge,
    Complaint,
    ComplaintClock,
    ComplaintDecision,
    Inquiry,
    Suspension,
)
from gpcloud.contracts.tables import (
    AcceptanceReport,
    Contract,
    ContractSignature,
    Payment,
    SigningKey,
)
from gpcloud.core.audit import service as audit
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.jobs.tables import Job
from gpcloud.core.notifications.tables import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from gpcloud.core.plugins.tables import PluginRequest
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.tables import ReadinessTick, TenantConfigEdit
from gpcloud.credit.tables import CreditCheck, CreditRating
from gpcloud.emall.tables import (
    DesignatedSupplier,
    FrameworkAgreement,
    MallDemand,
    MallGroupBuy,
    MallGroupShare,
    MallOrder,
    MallQuote,
)
from gpcloud.evaluation.tables import (
    DrawMember,
    Evaluation,
    EvaluationBid,
    EvaluationCommittee,
    EvaluationMember,
    EvaluationReport,
    EvaluationScore,
    ExpertDraw,
    LowPriceInquiry,
    PriceCorrection,
    ReviewFinding,
)
from gpcloud.finance_services.tables import (
    BidGuarantee,
    FinancialInstitution,
    FinancingApplication,
    FinancingOffer,
    GuaranteeRequirement,
    PayeeAccountChange,
)
from gpcloud.integrations.digital_finance.tables import BudgetEntry, BudgetIndicator
from gpcloud.portal.tables import Notice, NoticeSupplier, OcdsRelease
from gpcloud.registries.agencies.tables import Agency
from gpcloud.registries.experts.tables import Expert
from gpcloud.registries.purchasers.tables import Purchaser
from gpcloud.supervision.tables import (
    PlanLine,
    ProcurementIntention,
    ProcurementPlan,
    PublicationOverride,
)
from gpcloud.transaction.selection_tables import (
    InvitationDraw,
    Prequalification,
    PrequalificationApplication,
    Quote,
    QuoteRound,
)
from gpcloud.transaction.tables import (
    Announcement,
    Award,
    Bid,
    DocumentObtained,
    OpeningRecord,
    OpeningResponse,
    ProcurementDocument,
    Project,
    Question,
    UnsealAttempt,
)
from gpcloud.usage.tables import UsageCharge

_seq = itertools.count(1)


async def _organisation(tenant: str) -> int:
    org = Organisation(name=f"测试单位{next(_seq)}", kind="purchaser", region=tenant)
    await org.save()
    return org.id


async def make_user(tenant: str) -> int:
    user = User(
        tenant_id=tenant,
        organisation=await _organisation(tenant),
        username=f"iso.user{next(_seq)}",
        password_hash="x",
    )
    await user.save()
    return user.id


async def make_user_role(tenant: str) -> int:
    role = UserRole(tenant_id=tenant, user=await make_user(tenant), role="purchaser")
    await role.save()
    return role.id


async def make_job(tenant: str) -> int:
    job = Job(tenant_id=tenant, type="users.export", payload={})
    await job.save()
    return job.id


async def make_audit_entry(tenant: str) -> int:
    entry = await audit.record("test.touch", "thing", next(_seq), None, {"n": 1}, tenant=tenant)
    return entry["id"]


async def make_config_edit(tenant: str) -> int:
    row = TenantConfigEdit(tenant_id=tenant, version=next(_seq), layer="{}", reason="test")
    await row.save()
    return row.id


async def make_readiness_tick(tenant: str) -> int:
    row = ReadinessTick(tenant_id=tenant, item_key=f"item{next(_seq)}", evidence="test evidence")
    await row.save()
    return row.id


async def make_plugin_request(tenant: str) -> int:
    row = PluginRequest(
        tenant_id=tenant,
        plugin="om_service",
        version="1",
        code_digest="x",
        requirement_statement="test",
    )
    await row.save()
    return row.id


async def make_purchaser(tenant: str) -> int:
    row = Purchaser(
        tenant_id=tenant,
        organisation=await _organisation(tenant),
        budget_unit_code=f"T{next(_seq)}",
    )
    await row.save()
    return row.id


async def make_budget_indicator(tenant: str) -> int:
    row = BudgetIndicator(
        tenant_id=tenant,
        code=f"ZB{next(_seq)}",
        purchaser=await make_purchaser(tenant),
        fiscal_year=2026,
        name="测试指标",
        amount_fen=100,
    )
    await row.save()
    return row.id


async def make_budget_entry(tenant: str) -> int:
    row = BudgetEntry(
        tenant_id=tenant,
        indicator=await make_budget_indicator(tenant),
        kind="reserve",
        amount_fen=1,
        reference="plan:0",
    )
    await row.save()
    return row.id


async def make_intention(tenant: str) -> int:
    row = ProcurementIntention(
        tenant_id=tenant,
        purchaser=await make_purchaser(tenant),
        project_name="测试意向",
        requirement_summary="测试",
        budget_fen=100,
        object_type="goods",
        expected_start=date(2026, 12, 31),
    )
    await row.save()
    return row.id


async def make_plan(tenant: str) -> int:
    row = ProcurementPlan(
        tenant_id=tenant,
        purchaser=await make_purchaser(tenant),
        title="测试计划",
        object_type="goods",
        method="request_for_quotation",
        amount_fen=100,
    )
    await row.save()
    return row.id


async def make_publication_override(tenant: str) -> int:
    row = PublicationOverride(
        tenant_id=tenant,
        plan=await make_plan(tenant),
        kind="documents",
        rule="restrictive_terms",
        reason="测试",
        organisation=await _organisation(tenant),
        requested_by=await make_user(tenant),
        requested_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_plan_line(tenant: str) -> int:
    row = PlanLine(
        tenant_id=tenant,
        plan=await make_plan(tenant),
        indicator=await make_budget_indicator(tenant),
        amount_fen=100,
    )
    await row.save()
    return row.id


async def make_project(tenant: str) -> int:
    org = await _organisation(tenant)
    agency = Agency(organisation=org, status="approved")
    await agency.save()
    row = Project(
        tenant_id=tenant,
        plan=await make_plan(tenant),
        purchaser=await make_purchaser(tenant),
        agency=agency.id,
        agency_organisation=org,
        title="测试项目",
        method="request_for_quotation",
        budget_fen=100,
    )
    await row.save()
    return row.id


async def make_announcement(tenant: str) -> int:
    row = Announcement(
        tenant_id=tenant,
        project=await make_project(tenant),
        kind="tender",
        title="测试公告",
        body="正文",
        published_on=date(2026, 9, 1),
    )
    await row.save()
    return row.id


async def make_award(tenant: str) -> int:
    row = Award(
        tenant_id=tenant,
        project=await make_project(tenant),
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        amount_fen=100,
    )
    await row.save()
    return row.id


async def make_procurement_document(tenant: str) -> int:
    row = ProcurementDocument(
        tenant_id=tenant,
        project=await make_project(tenant),
        version=1,
        price_weight=30,
        published_at=datetime(2026, 9, 1, tzinfo=UTC),
        available_until=date(2026, 9, 8),
    )
    await row.save()
    return row.id


async def make_document_obtained(tenant: str) -> int:
    row = DocumentObtained(
        tenant_id=tenant,
        project=await make_project(tenant),
        supplier_organisation=await _organisation(tenant),
        version=1,
        obtained_at=datetime(2026, 9, 2, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_question(tenant: str) -> int:
    row = Question(
        tenant_id=tenant,
        project=await make_project(tenant),
        supplier_organisation=await _organisation(tenant),
        text="问题",
        asked_at=datetime(2026, 9, 2, tzinfo=UTC),
        answer_due=date(2026, 9, 4),
    )
    await row.save()
    return row.id


async def make_bid(tenant: str) -> int:
    row = Bid(
        tenant_id=tenant,
        project=await make_project(tenant),
        lot="1",
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        storage_key="bids/test",
        size=1,
        digest="0" * 64,
        wrapped_key="",
        signature="",
        received_at=datetime(2026, 9, 2, tzinfo=UTC),
        receipt="{}",
        receipt_signature="",
    )
    await row.save()
    return row.id


async def make_prequalification(tenant: str) -> int:
    row = Prequalification(
        tenant_id=tenant,
        project=await make_project(tenant),
        title="资格预审公告",
        published_at=datetime(2026, 9, 1, tzinfo=UTC),
        applications_due_at=datetime(2026, 9, 9, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_prequalification_application(tenant: str) -> int:
    row = PrequalificationApplication(
        tenant_id=tenant,
        prequalification=await make_prequalification(tenant),
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        submitted_at=datetime(2026, 9, 2, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_invitation_draw(tenant: str) -> int:
    prequalification = await make_prequalification(tenant)
    held = await Prequalification.select().where(Prequalification.id == prequalification).first()
    row = InvitationDraw(
        tenant_id=tenant,
        project=held["project"],
        prequalification=prequalification,
        seed="00" * 32,
        seed_hash="11" * 32,
        committed_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_quote_round(tenant: str) -> int:
    row = QuoteRound(
        tenant_id=tenant,
        project=await make_project(tenant),
        lot="1",
        number=1,
        opened_at=datetime(2026, 10, 13, tzinfo=UTC),
        deadline_at=datetime(2026, 10, 14, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_quote(tenant: str) -> int:
    row = Quote(
        tenant_id=tenant,
        quote_round=await make_quote_round(tenant),
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        price_fen=100,
        submitted_at=datetime(2026, 10, 13, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_unseal_attempt(tenant: str) -> int:
    row = UnsealAttempt(
        tenant_id=tenant,
        bid=await make_bid(tenant),
        at=datetime(2026, 9, 3, tzinfo=UTC),
        outcome="opened",
    )
    await row.save()
    return row.id


async def make_opening_record(tenant: str) -> int:
    row = OpeningRecord(
        tenant_id=tenant,
        project=await make_project(tenant),
        opened_at=datetime(2026, 9, 3, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_opening_response(tenant: str) -> int:
    row = OpeningResponse(
        tenant_id=tenant,
        record=await make_opening_record(tenant),
        supplier_organisation=await _organisation(tenant),
        kind="confirm",
        created_at=datetime(2026, 9, 3, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_contract(tenant: str) -> int:
    row = Contract(
        tenant_id=tenant,
        plan=await make_plan(tenant),
        purchaser_organisation=await _organisation(tenant),
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        title="测试合同",
        terms="条款",
        amount_fen=100,
    )
    await row.save()
    return row.id


async def make_contract_signature(tenant: str) -> int:
    org = await _organisation(tenant)
    key = SigningKey(organisation=org, public_key=f"{next(_seq):064x}", registered_by=0)
    await key.save()
    row = ContractSignature(
        tenant_id=tenant,
        contract=await make_contract(tenant),
        organisation=org,
        key=key.id,
        signer_id=0,
        signer="test",
        signature="00",
    )
    await row.save()
    return row.id


async def make_acceptance_report(tenant: str) -> int:
    row = AcceptanceReport(
        tenant_id=tenant,
        contract=await make_contract(tenant),
        kind="stage",
        title="测试验收",
        findings="合格",
        passed=True,
        accepted_on=date(2026, 10, 20),
    )
    await row.save()
    return row.id


async def make_payment(tenant: str) -> int:
    row = Payment(
        tenant_id=tenant,
        contract=await make_contract(tenant),
        indicator=await make_budget_indicator(tenant),
        amount_fen=100,
        requested_by=0,
    )
    await row.save()
    return row.id


async def make_notice(tenant: str) -> int:
    row = Notice(
        tenant_id=tenant,
        kind="notice",
        source=f"test:{next(_seq)}",
        title="测试公告",
        body="正文",
        published_on=date(2026, 9, 1),
        search_text="测试 公告",
    )
    await row.save()
    return row.id


async def make_notice_supplier(tenant: str) -> int:
    row = NoticeSupplier(
        tenant_id=tenant, notice=await make_notice(tenant), organisation_id=0, name="测试"
    )
    await row.save()
    return row.id


async def make_ocds_release(tenant: str) -> int:
    row = OcdsRelease(
        tenant_id=tenant,
        notice=await make_notice(tenant),
        ocid="ocds-test-1",
        release_id="1",
        body='{"ocid": "ocds-test-1", "id": "1"}',
    )
    await row.save()
    return row.id


async def make_notification(tenant: str) -> int:
    row = Notification(
        tenant_id=tenant,
        recipient=await make_user(tenant),
        kind="plan.filed",
        subject="测试",
        body="正文",
    )
    await row.save()
    return row.id


async def make_notification_delivery(tenant: str) -> int:
    row = NotificationDelivery(
        tenant_id=tenant, notification=await make_notification(tenant), channel="email"
    )
    await row.save()
    return row.id


async def make_notification_preference(tenant: str) -> int:
    row = NotificationPreference(
        tenant_id=tenant, user=await make_user(tenant), kind="plan.filed", channels=[]
    )
    await row.save()
    return row.id


async def make_mall_demand(tenant: str) -> int:
    plan = await make_plan(tenant)
    purchaser = await make_purchaser(tenant)
    row = MallDemand(
        tenant_id=tenant,
        purchaser=purchaser,
        purchaser_organisation=await _organisation(tenant),
        plan=plan,
        indicator=await make_budget_indicator(tenant),
        category_code="A02010104",
        title="测试竞价",
        quantity=1,
        ceiling_unit_fen=100,
        closes_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_mall_quote(tenant: str) -> int:
    row = MallQuote(
        tenant_id=tenant,
        demand=await make_mall_demand(tenant),
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        unit_fen=100,
    )
    await row.save()
    return row.id


async def make_mall_order(tenant: str) -> int:
    row = MallOrder(
        tenant_id=tenant,
        mode="direct_purchase",
        purchaser=await make_purchaser(tenant),
        purchaser_organisation=await _organisation(tenant),
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        plan=await make_plan(tenant),
        indicator=await make_budget_indicator(tenant),
        fiscal_year=2026,
        category_code="A02010104",
        title="测试订单",
        quantity=1,
        unit_fen=100,
        amount_fen=100,
        placed_by=0,
    )
    await row.save()
    return row.id


async def make_mall_group_buy(tenant: str) -> int:
    row = MallGroupBuy(
        tenant_id=tenant,
        title="测试批量集采",
        category_code="A02010104",
        unit="台",
        ceiling_unit_fen=100,
        joins_close_at=datetime(2026, 12, 1, tzinfo=UTC),
        organised_by=0,
    )
    await row.save()
    return row.id


async def make_mall_group_share(tenant: str) -> int:
    row = MallGroupShare(
        tenant_id=tenant,
        group_buy=await make_mall_group_buy(tenant),
        purchaser=await make_purchaser(tenant),
        purchaser_organisation=await _organisation(tenant),
        plan=await make_plan(tenant),
        indicator=await make_budget_indicator(tenant),
        quantity=1,
        held_fen=100,
        joined_by=0,
    )
    await row.save()
    return row.id


async def make_framework_agreement(tenant: str) -> int:
    row = FrameworkAgreement(
        tenant_id=tenant,
        title="测试框架协议",
        category_code="C0301",
        kind="services",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        entrants=5,
        recorded_by=0,
    )
    await row.save()
    return row.id


async def make_designated_supplier(tenant: str) -> int:
    row = DesignatedSupplier(
        tenant_id=tenant,
        agreement=await make_framework_agreement(tenant),
        supplier_organisation=await _organisation(tenant),
        supplier_name="测试供应商",
        item="维修工时",
        unit="工时",
        max_unit_fen=100,
    )
    await row.save()
    return row.id


async def make_credit_check(tenant: str) -> int:
    row = CreditCheck(
        tenant_id=tenant,
        organisation=await _organisation(tenant),
        purpose="evaluation",
        on_day=date(2026, 9, 1),
        clear=True,
        digest="0" * 64,
    )
    await row.save()
    return row.id


async def make_credit_rating(tenant: str) -> int:
    org = await _organisation(tenant)
    row = CreditRating(
        tenant_id=tenant,
        subject_kind="supplier",
        organisation=org,
        occasion="acceptance",
        reference=f"contract:{next(_seq)}",
        rater_organisation=org,
        rated_by=0,
        scores={},
        total=0,
        rating_key=f"test:{next(_seq)}",
    )
    await row.save()
    return row.id


async def make_usage_charge(tenant: str) -> int:
    agency = Organisation(name=f"测试代理机构{next(_seq)}", kind="agency", region=tenant)
    await agency.save()
    row = UsageCharge(
        tenant_id=tenant,
        agency=agency.id,
        project_reference=f"project:{next(_seq)}",
        kind="face_verification",
        subject_reference="expert:1",
        unit_price_fen=200,
        provider="builtin:development",
        provider_reference="dev-face-test",
        outcome="matched",
        idempotency_key=f"test:{next(_seq)}",
        month="2026-09",
        used_at=datetime(2026, 9, 1, 2, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_evaluation_committee(tenant: str) -> int:
    project = await make_project(tenant)
    org = (await Project.select(Project.agency_organisation).where(Project.id == project).first())[
        "agency_organisation"
    ]
    row = EvaluationCommittee(
        tenant_id=tenant,
        project=project,
        agency_organisation=org,
        method="request_for_quotation",
        members=3,
        expert_seats=3,
        region=tenant,
        evaluation_at=datetime(2026, 10, 13, tzinfo=UTC),
        backups=1,
    )
    await row.save()
    return row.id


async def make_expert_draw(tenant: str) -> int:
    row = ExpertDraw(
        tenant_id=tenant,
        committee=await make_evaluation_committee(tenant),
        draw_type="review",
        seed="00" * 32,
        seed_hash="11" * 32,
        committed_at=datetime(2026, 10, 12, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_draw_member(tenant: str) -> int:
    draw = await make_expert_draw(tenant)
    committee = (
        await ExpertDraw.select(ExpertDraw.committee).where(ExpertDraw.id == draw).first()
    )["committee"]
    expert = Expert(
        name="隔离测试专家",
        id_number_digest=f"isolation-{next(_seq)}-{tenant}",
        id_number_masked="4414**********0000",
        id_number_cipher="-",
        birth_date=date(1975, 1, 1),
        gender="male",
        title_level="senior",
        status="active",
    )
    await expert.save()
    row = DrawMember(tenant_id=tenant, committee=committee, draw=draw, expert=expert.id, position=1)
    await row.save()
    return row.id


async def make_evaluation(tenant: str) -> int:
    committee = await make_evaluation_committee(tenant)
    found = (
        await EvaluationCommittee.select(
            EvaluationCommittee.project, EvaluationCommittee.agency_organisation
        )
        .where(EvaluationCommittee.id == committee)
        .first()
    )
    row = Evaluation(
        tenant_id=tenant,
        committee=committee,
        project=found["project"],
        agency_organisation=found["agency_organisation"],
        purchaser=0,
        method="lowest_price",
    )
    await row.save()
    return row.id


async def _evaluation_of(table, row_id: int) -> int:
    return (await table.select(table.evaluation).where(table.id == row_id).first())["evaluation"]


async def make_evaluation_member(tenant: str) -> int:
    seat = await make_draw_member(tenant)
    expert = (await DrawMember.select(DrawMember.expert).where(DrawMember.id == seat).first())[
        "expert"
    ]
    row = EvaluationMember(
        tenant_id=tenant, evaluation=await make_evaluation(tenant), seat=seat, expert=expert
    )
    await row.save()
    return row.id


async def make_evaluation_bid(tenant: str) -> int:
    bid = await make_bid(tenant)
    org = (await Bid.select(Bid.supplier_organisation).where(Bid.id == bid).first())[
        "supplier_organisation"
    ]
    row = EvaluationBid(
        tenant_id=tenant,
        evaluation=await make_evaluation(tenant),
        bid=bid,
        supplier_organisation=org,
        supplier_name="测试供应商",
        price_fen=100,
    )
    await row.save()
    return row.id


async def make_review_finding(tenant: str) -> int:
    bid = await make_evaluation_bid(tenant)
    row = ReviewFinding(
        tenant_id=tenant,
        evaluation=await _evaluation_of(EvaluationBid, bid),
        bid=bid,
        stage="qualification",
        item="营业执照",
        passed=True,
        recorded_by=0,
        recorded_at=datetime(2026, 10, 13, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_evaluation_score(tenant: str) -> int:
    member = await make_evaluation_member(tenant)
    row = EvaluationScore(
        tenant_id=tenant,
        evaluation=await _evaluation_of(EvaluationMember, member),
        member=member,
        bid=await make_evaluation_bid(tenant),
        criterion="技术",
        points_hundredths=4000,
        recorded_at=datetime(2026, 10, 13, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_price_correction(tenant: str) -> int:
    bid = await make_evaluation_bid(tenant)
    row = PriceCorrection(
        tenant_id=tenant,
        evaluation=await _evaluation_of(EvaluationBid, bid),
        bid=bid,
        price_in_words_fen=90,
        corrected_fen=90,
    )
    await row.save()
    return row.id


async def make_low_price_inquiry(tenant: str) -> int:
    bid = await make_evaluation_bid(tenant)
    row = LowPriceInquiry(
        tenant_id=tenant,
        evaluation=await _evaluation_of(EvaluationBid, bid),
        bid=bid,
        explain_by=datetime(2026, 10, 14, tzinfo=UTC),
    )
    await row.save()
    return row.id


async def make_evaluation_report(tenant: str) -> int:
    row = EvaluationReport(
        tenant_id=tenant,
        evaluation=await make_evaluation(tenant),
        content="{}",
        digest="0" * 64,
        frozen_at=datetime(2026, 10, 13, tzinfo=UTC),
    )
    await row.save()
    return row.id


def _filing(tenant: str, project: int, org: int) -> dict:
    return {
        "tenant_id": tenant,
        "project": project,
        "purchaser_organisation": org,
        "agency_organisation": org,
        "supplier_organisation": org,
    }


async def make_inquiry(tenant: str) -> int:
    row = Inquiry(
        **_filing(tenant, await make_project(tenant), await _organisation(tenant)),
        asked_by=1,
        text="询问",
        asked_on=date(2026, 9, 1),
        answer_due=date(2026, 9, 4),
    )
    await row.save()
    return row.id


async def make_challenge(tenant: str) -> int:
    row = Challenge(
        **_filing(tenant, await make_project(tenant), await _organisation(tenant)),
        supplier_name="测试供应商",
        filed_by=1,
        target="result",
        step="result",
        filing_key=f"test:{next(_seq)}",
        known_on=date(2026, 9, 1),
        window_end=date(2026, 9, 10),
        filed_on=date(2026, 9, 2),
        answer_due=date(2026, 9, 11),
        complaint_until=date(2026, 10, 9),
    )
    await row.save()
    return row.id


async def make_complaint(tenant: str) -> int:
    challenge = await make_challenge(tenant)
    found = await Challenge.select().where(Challenge.id == challenge).first()
    row = Complaint(
        **_filing(tenant, found["project"], found["supplier_organisation"]),
        project_tenant=tenant,
        challenge=challenge,
        supplier_name="测试供应商",
        filed_by=1,
        filed_on=date(2026, 9, 14),
        review_due=date(2026, 9, 18),
        decision_due=date(2026, 10, 30),
    )
    await row.save()
    return row.id


async def make_complaint_decision(tenant: str) -> int:
    complaint = await make_complaint(tenant)
    found = await Complaint.select().where(Complaint.id == complaint).first()
    row = ComplaintDecision(
        tenant_id=tenant,
        complaint=complaint,
        project=found["project"],
        supplier_organisation=found["supplier_organisation"],
        outcome="dismissed",
        reasons="理由",
        document="决定书",
        decided_on=date(2026, 10, 1),
        decided_by=1,
        carried_out=[
            {"object": "project", "id": found["project"], "from": "awarded", "to": "redo"}
        ],
    )
    await row.save()
    return row.id


async def make_suspension(tenant: str) -> int:
    complaint = await make_complaint(tenant)
    found = await Complaint.select().where(Complaint.id == complaint).first()
    row = Suspension(
        tenant_id=tenant,
        project=found["project"],
        project_tenant=tenant,
        complaint=complaint,
        ordered_by=1,
        reason="暂停",
        starts_on=date(2026, 9, 15),
        ends_on=date(2026, 9, 30),
        held={"timer": "bidding", "remaining_seconds": 3600.0, "was": "2026-09-20T09:30:00+08:00"},
    )
    await row.save()
    return row.id


async def make_complaint_clock(tenant: str) -> int:
    row = ComplaintClock(
        tenant_id=tenant,
        kind="inquiry",
        object_id=await make_inquiry(tenant),
        name="answer",
        rule="inquiry_answer",
        due_on=date(2026, 9, 4),
    )
    await row.save()
    return row.id


async def _institution() -> int:
    org = Organisation(name=f"测试银行{next(_seq)}", kind="financial_institution", region="440000")
    await org.save()
    row = FinancialInstitution(
        organisation=org.id,
        kind="bank",
        name="测试银行",
        licence="L0001",
        region="440000",
        status="approved",
    )
    await row.save()
    return row.id


async def make_guarantee_requirement(tenant: str) -> int:
    row = GuaranteeRequirement(
        tenant_id=tenant,
        project=await make_project(tenant),
        amount_fen=100,
        valid_until=date(2026, 12, 31),
        beneficiary=await _organisation(tenant),
        beneficiary_name="测试单位",
        set_by=0,
    )
    await row.save()
    return row.id


async def make_bid_guarantee(tenant: str) -> int:
    row = BidGuarantee(
        tenant_id=tenant,
        project=await make_project(tenant),
        supplier_organisation=await _organisation(tenant),
        institution=await _institution(),
    )
    await row.save()
    return row.id


async def make_financing_application(tenant: str) -> int:
    row = FinancingApplication(
        tenant_id=tenant,
        contract=await make_contract(tenant),
        supplier_organisation=await _organisation(tenant),
        amount_fen=100,
    )
    await row.save()
    return row.id


async def make_financing_offer(tenant: str) -> int:
    application = await make_financing_application(tenant)
    contract = (
        await FinancingApplication.select().where(FinancingApplication.id == application).first()
    )["contract"]
    row = FinancingOffer(
        tenant_id=tenant,
        application=application,
        institution=await _institution(),
        contract=contract,
    )
    await row.save()
    return row.id


async def make_payee_account_change(tenant: str) -> int:
    offer = (
        await FinancingOffer.select()
        .where(FinancingOffer.id == await make_financing_offer(tenant))
        .first()
    )
    row = PayeeAccountChange(
        tenant_id=tenant,
        contract=offer["contract"],
        offer=offer["id"],
        institution=offer["institution"],
        account_name="测试",
        bank_name="测试银行",
        account_number="12345678",
    )
    await row.save()
    return row.id


async def make_process_fact(tenant: str) -> int:
    row = ProcessFact(tenant_id=tenant, plan_id=await make_plan(tenant), year=2026, month=9)
    await row.save()
    return row.id


async def make_rollup(tenant: str) -> int:
    row = Rollup(tenant_id=tenant, year=2026, month=9, dim="all", value=f"t{next(_seq)}")
    await row.save()
    return row.id


async def make_red_flag(tenant: str) -> int:
    row = RedFlag(tenant_id=tenant, plan_id=await make_plan(tenant), code="R018", year=2026)
    await row.save()
    return row.id


async def make_dirty(tenant: str) -> int:
    row = Dirty(tenant_id=tenant, plan_id=await make_plan(tenant))
    await row.save()
    return row.id


FACTORIES: dict[type, Callable[[str], Awaitable[int]]] = {
    User: make_user,
    UserRole: make_user_role,
    Job: make_job,
    AuditEntry: make_audit_entry,
    TenantConfigEdit: make_config_edit,
    ReadinessTick: make_readiness_tick,
    PluginRequest: make_plugin_request,
    Purchaser: make_purchaser,
    BudgetIndicator: make_budget_indicator,
    BudgetEntry: make_budget_entry,
    ProcurementIntention: make_intention,
    ProcurementPlan: make_plan,
    PlanLine: make_plan_line,
    PublicationOverride: make_publication_override,
    Project: make_project,
    Announcement: make_announcement,
    Award: make_award,
    ProcurementDocument: make_procurement_document,
    DocumentObtained: make_document_obtained,
    Question: make_question,
    Bid: make_bid,
    UnsealAttempt: make_unseal_attempt,
    Prequalification: make_prequalification,
    PrequalificationApplication: make_prequalification_application,
    InvitationDraw: make_invitation_draw,
    QuoteRound: make_quote_round,
    Quote: make_quote,
    OpeningRecord: make_opening_record,
    OpeningResponse: make_opening_response,
    Contract: make_contract,
    ContractSignature: make_contract_signature,
    AcceptanceReport: make_acceptance_report,
    Payment: make_payment,
    Notice: make_notice,
    NoticeSupplier: make_notice_supplier,
    OcdsRelease: make_ocds_release,
    Notification: make_notification,
    NotificationDelivery: make_notification_delivery,
    NotificationPreference: make_notification_preference,
    MallDemand: make_mall_demand,
    MallQuote: make_mall_quote,
    MallOrder: make_mall_order,
    MallGroupBuy: make_mall_group_buy,
    MallGroupShare: make_mall_group_share,
    FrameworkAgreement: make_framework_agreement,
    DesignatedSupplier: make_designated_supplier,
    CreditCheck: make_credit_check,
    CreditRating: make_credit_rating,
    EvaluationCommittee: make_evaluation_committee,
    ExpertDraw: make_expert_draw,
    DrawMember: make_draw_member,
    Evaluation: make_evaluation,
    EvaluationMember: make_evaluation_member,
    EvaluationBid: make_evaluation_bid,
    ReviewFinding: make_review_finding,
    EvaluationScore: make_evaluation_score,
    PriceCorrection: make_price_correction,
    LowPriceInquiry: make_low_price_inquiry,
    EvaluationReport: make_evaluation_report,
    UsageCharge: make_usage_charge,
    Inquiry: make_inquiry,
    Challenge: make_challenge,
    Complaint: make_complaint,
    ComplaintDecision: make_complaint_decision,
    Suspension: make_suspension,
    ComplaintClock: make_complaint_clock,
    GuaranteeRequirement: make_guarantee_requirement,
    BidGuarantee: make_bid_guarantee,
    FinancingApplication: make_financing_application,
    FinancingOffer: make_financing_offer,
    PayeeAccountChange: make_payee_account_change,
    ProcessFact: make_process_fact,
    Rollup: make_rollup,
    RedFlag: make_red_flag,
    Dirty: make_dirty,
}


async def make_row(table: type, tenant: str) -> int:
    with all_tenants("test fixture rows in several tenants"):
        return await FACTORIES[table](tenant)
