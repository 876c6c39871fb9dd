"""Named permissions, and the one table that grants them to roles (Saleor's model).

A GraphQL field declares the permission it needs (`allow(Requires(Perm.PLAN_FILE))`); the service
behind it requires the same one (`@requires(Perm.PLAN_FILE)`, or a workflow transition that names
it), so that a job, the CLI or another subsystem calling the service is held to the same rule.
tests/test_permissions.py proves the two agree for every mutation, and docs/permissions.md is
this table as an administrator reads it (generated; a test fails when it is stale).

What a permission does not say is whose rows: a purchaser plans for its own unit, a party signs
its own contracts. Services check that against the row (and fail with NOT_FOUND, never revealing
another's row); the tenant scope bounds everything to the caller's region.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from enum import StrEnum

from gpcloud.core.auth.roles import (
    ADMIN_ROLES,
    AGENCY,
    EXPERT,
    FINANCIAL_INSTITUTION,
    PROVINCE_ADMIN,
    PURCHASER,
    ROLES,
    SUPERVISOR,
    SUPPLIER,
    TENANT_ADMIN,
)


class Perm(StrEnum):
    """`object.action`; GRANTS below says who holds each, ABOUT what each allows."""

    INTENTION_READ = "intention.read"
    INTENTION_CREATE = "intention.create"
    INTENTION_PUBLISH = "intention.publish"
    INTENTION_WITHDRAW = "intention.withdraw"
    PLAN_READ = "plan.read"
    PLAN_CREATE = "plan.create"
    PLAN_SUBMIT = "plan.submit"
    PLAN_RECALL = "plan.recall"
    PLAN_RESOLVE_FAILED = "plan.resolve_failed"
    PLAN_FILE = "plan.file"
    PLAN_RETURN = "plan.return"
    PLAN_CARRY_OVER = "plan.carry_over"
    SUPERVISION_OVERVIEW = "supervision.overview"
    PUBLICATION_OVERRIDE = "publication.override"
    PROJECT_READ = "project.read"
    PROJECT_ENTRUST = "project.entrust"
    PROJECT_ANNOUNCE = "project.announce"
    PROJECT_DECLARE_FAILED = "project.declare_failed"
    DOCUMENTS_PUBLISH = "documents.publish"
    DOCUMENTS_OBTAIN = "documents.obtain"
    QUESTION_ASK = "question.ask"
    QUESTION_ANSWER = "question.answer"
    BID_SUBMIT = "bid.submit"
    BID_UNSEAL = "bid.unseal"
    OPENING_RESPOND = "opening.respond"
    OPENING_SIGN = "opening.sign"
    PREQUALIFICATION_MANAGE = "prequalification.manage"
    PREQUALIFICATION_APPLY = "prequalification.apply"
    QUOTE_ROUND_MANAGE = "quote_round.manage"
    QUOTE_SUBMIT = "quote.submit"
    CONTRACT_READ = "contract.read"
    CONTRACT_CREATE = "contract.create"
    CONTRACT_SIGN = "contract.sign"
    CONTRACT_PUBLISH = "contract.publish"
    CONTRACT_FILE = "contract.file"
    SIGNING_KEY_MANAGE = "signing_key.manage"
    BID_KEY_MANAGE = "bid_key.manage"
    ACCEPTANCE_PUBLISH = "acceptance.publish"
    PAYMENT_REQUEST = "payment.request"
    PAYMENT_EXCHANGE = "payment.exchange"
    BUDGET_READ = "budget.read"
    BUDGET_FETCH = "budget.fetch"
    BUDGET_USAGE_EXPORT = "budget.export_usage"
    USER_EXPORT = "user.export"
    PLUGIN_READ = "plugin.read"
    PLUGIN_REQUEST = "plugin.request"
    PLUGIN_DECIDE = "plugin.decide"
    SCHEDULER_READ = "scheduler.read"
    # Reading the whole region's procurement, not only one's own unit's or organisation's
    # (a row filter in the services that read intentions, plans, projects, contracts, budgets).
    REGION_READ = "region.read"
    # Accounts (core/auth)
    USER_READ = "user.read"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_RESET_PASSWORD = "user.reset_password"
    USER_MANAGE_PROVINCIAL = "user.manage_provincial"
    ORGANISATION_CREATE = "organisation.create"
    # Tenant administration (core/tenancy)
    TENANT_CONFIG_READ = "tenant_config.read"
    TENANT_CONFIG_EDIT = "tenant_config.edit"
    READINESS_READ = "readiness.read"
    READINESS_TICK = "readiness.tick"
    # Audit, calendar, jobs, notifications (core)
    AUDIT_READ = "audit.read"
    CALENDAR_IMPORT = "calendar.import"
    JOB_READ_ALL = "job.read_all"
    NOTIFICATION_DELIVERY_READ = "notification_delivery.read"
    NOTIFICATION_DELIVERY_RETRY = "notification_delivery.retry"
    # Portal
    ARTICLE_PUBLISH = "article.publish"
    LEGACY_MIGRATE = "legacy.migrate"
    # Purchasers
    PURCHASER_READ = "purchaser.read"
    PURCHASER_READ_OWN = "purchaser.read_own"
    PURCHASER_MANAGE = "purchaser.manage"
    # Agencies
    AGENCY_REGISTER = "agency.register"
    AGENCY_UPDATE_OWN = "agency.update_own"
    AGENCY_READ_DETAILS = "agency.read_details"
    AGENCY_CHECK_READINESS = "agency.check_readiness"
    AGENCY_DECIDE = "agency.decide"
    AGENCY_IMPORT = "agency.import"
    # Experts
    EXPERT_READ = "expert.read"
    EXPERT_APPLY = "expert.apply"
    EXPERT_UPDATE_AVAILABILITY = "expert.update_availability"
    EXPERT_MANAGE = "expert.manage"
    EXPERT_DECIDE = "expert.decide"
    EXPERT_REVEAL_ID_NUMBER = "expert.reveal_id_number"
    # Suppliers
    SUPPLIER_UPDATE_OWN = "supplier.update_own"
    SUPPLIER_READ_CONTACTS = "supplier.read_contacts"
    SUPPLIER_SUSPEND = "supplier.suspend"
    SUPPLIER_CORRECT = "supplier.correct"
    SUPPLIER_IMPORT = "supplier.import"
    # Goods
    GOODS_MANAGE = "goods.manage"
    LISTING_MANAGE = "listing.manage"
    # E-mall (emall/)
    MALL_ORDER_READ = "mall_order.read"
    MALL_ORDER_PLACE = "mall_order.place"
    MALL_ORDER_FULFIL = "mall_order.fulfil"
    MALL_DEMAND_POST = "mall_demand.post"
    MALL_QUOTE = "mall_quote.submit"
    MALL_PRICE_REVIEW = "mall_price.review"
    MALL_AGREEMENT_MANAGE = "mall_agreement.manage"
    MALL_GROUP_BUY_MANAGE = "mall_group_buy.manage"
    # Credit
    CREDIT_READ = "credit.read"
    CREDIT_RECORD = "credit.record"
    CREDIT_REPAIR = "credit.repair"
    CREDIT_REVOKE = "credit.revoke"
    CREDIT_APPEAL = "credit.appeal"
    CREDIT_DECIDE_APPEAL = "credit.decide_appeal"
    CREDIT_CHECK = "credit.check"
    CREDIT_IMPORT = "credit.import"
    CREDIT_RATE_EXPERT = "credit.rate_expert"
    CREDIT_RATE_SUPPLIER = "credit.rate_supplier"
    CREDIT_RATE_AGENCY = "credit.rate_agency"
    # Evaluation: committees and the expert draw (evaluation/)
    COMMITTEE_READ = "committee.read"
    COMMITTEE_MANAGE = "committee.manage"
    ASSIGNMENT_RESPOND = "assignment.respond"
    EXPERT_FEE_READ = "expert_fee.read"
    EVALUATION_CONDUCT = "evaluation.conduct"
    EVALUATION_QUALIFY = "evaluation.qualify"
    EVALUATION_RESPOND = "evaluation.respond"
    EVALUATION_CONFIRM = "evaluation.confirm_winner"
    # Financial services (finance_services/)
    FINANCE_INSTITUTION_REGISTER = "financial_institution.register"
    FINANCE_INSTITUTION_DECIDE = "financial_institution.decide"
    FINANCE_CREDENTIALS_MANAGE = "financial_institution.credentials"
    FINANCE_READ = "finance.read"
    GUARANTEE_MANAGE = "guarantee.manage"
    GUARANTEE_APPLY = "guarantee.apply"
    GUARANTEE_ISSUE = "guarantee.issue"
    FINANCING_APPLY = "financing.apply"
    FINANCING_DECIDE = "financing.decide"
    PAYEE_CHANGE_APPROVE = "payee_change.approve"
    # Usage (face verification and e-signatures billed to agencies)
    USAGE_READ = "usage.read"
    INQUIRY_ASK = "inquiry.ask"
    INQUIRY_ANSWER = "inquiry.answer"
    CHALLENGE_FILE = "challenge.file"
    CHALLENGE_ANSWER = "challenge.answer"
    COMPLAINT_FILE = "complaint.file"
    COMPLAINT_RESPOND = "complaint.respond"
    COMPLAINT_READ = "complaint.read"
    COMPLAINT_HANDLE = "complaint.handle"
    PROCUREMENT_SUSPEND = "procurement.suspend"
    # Analytics (analytics/)
    ANALYTICS_READ = "analytics.read"
    ANALYTICS_REBUILD = "analytics.rebuild"
    RED_FLAG_REVIEW = "red_flag.review"


P = Perm
_ADMIN = {
    P.INTENTION_READ,
    P.PLAN_READ,
    P.PLAN_CARRY_OVER,
    P.SUPERVISION_OVERVIEW,
    P.PROJECT_READ,
    P.CONTRACT_READ,
    P.PAYMENT_EXCHANGE,
    P.BUDGET_READ,
    P.BUDGET_FETCH,
    P.BUDGET_USAGE_EXPORT,
    P.USER_EXPORT,
    P.PLUGIN_READ,
    P.PLUGIN_REQUEST,
    P.SCHEDULER_READ,
    P.REGION_READ,
}
GRANTS: dict[str, frozenset[Perm]] = {
    PROVINCE_ADMIN: frozenset(_ADMIN | {P.PLUGIN_DECIDE}),
    TENANT_ADMIN: frozenset(_ADMIN),
    SUPERVISOR: frozenset(
        {
            P.INTENTION_READ,
            P.PLAN_READ,
            P.PLAN_FILE,
            P.PLAN_RETURN,
            P.SUPERVISION_OVERVIEW,
            P.PROJECT_READ,
            P.CONTRACT_READ,
            P.CONTRACT_FILE,
            P.BUDGET_READ,
            P.REGION_READ,
            P.BUDGET_USAGE_EXPORT,
        }
    ),
    PURCHASER: frozenset(
        {
            P.INTENTION_READ,
            P.INTENTION_CREATE,
            P.INTENTION_PUBLISH,
            P.INTENTION_WITHDRAW,
            P.PLAN_READ,
            P.PLAN_CREATE,
            P.PLAN_SUBMIT,
            P.PLAN_RECALL,
            P.PLAN_RESOLVE_FAILED,
            P.PROJECT_READ,
            P.PROJECT_ENTRUST,
            P.CONTRACT_READ,
            P.CONTRACT_CREATE,
            P.CONTRACT_SIGN,
            P.CONTRACT_PUBLISH,
            P.SIGNING_KEY_MANAGE,
            P.ACCEPTANCE_PUBLISH,
            P.PAYMENT_REQUEST,
            P.BUDGET_READ,
        }
    ),
    AGENCY: frozenset(
        {P.PROJECT_READ, P.PROJECT_ANNOUNCE, P.PROJECT_DECLARE_FAILED, P.CONTRACT_READ}
    ),
    SUPPLIER: frozenset({P.CONTRACT_READ, P.CONTRACT_SIGN, P.SIGNING_KEY_MANAGE}),
}
for _role in ROLES:
    GRANTS.setdefault(_role, frozenset())


def _grant(roles: Iterable[str], *permissions: Perm) -> None:
    for role in roles:
        GRANTS[role] = GRANTS[role] | frozenset(permissions)


_PROVINCE = frozenset({PROVINCE_ADMIN})
_STAFF = ADMIN_ROLES | {SUPERVISOR}

# Accounts (core/auth): admins keep the accounts of their region; accounts of organisations
# registered once for the province (suppliers, agencies, experts, financial institutions) and
# of provincial admins only the province (user.manage_provincial).
_grant(
    ADMIN_ROLES,
    P.USER_READ,
    P.USER_CREATE,
    P.USER_UPDATE,
    P.USER_RESET_PASSWORD,
    P.ORGANISATION_CREATE,
)
_grant(_PROVINCE, P.USER_MANAGE_PROVINCIAL)

# Tenant administration (core/tenancy)
_grant(_STAFF, P.TENANT_CONFIG_READ)
_grant(ADMIN_ROLES, P.TENANT_CONFIG_EDIT, P.READINESS_READ, P.READINESS_TICK)

# Audit, calendar, jobs, notifications (core)
_grant(_STAFF, P.AUDIT_READ)
_grant(_PROVINCE, P.CALENDAR_IMPORT)
_grant(ADMIN_ROLES, P.JOB_READ_ALL, P.NOTIFICATION_DELIVERY_READ, P.NOTIFICATION_DELIVERY_RETRY)

# Portal
_grant(ADMIN_ROLES, P.ARTICLE_PUBLISH)
_grant(_PROVINCE, P.LEGACY_MIGRATE)

# Purchasers: kept by the tenant's admins
_grant(_STAFF, P.PURCHASER_READ)
_grant({PURCHASER}, P.PURCHASER_READ_OWN)
_grant(ADMIN_ROLES, P.PURCHASER_MANAGE)

# Agencies: registered by themselves, decided on by the province
_grant({AGENCY}, P.AGENCY_REGISTER, P.AGENCY_UPDATE_OWN)
_grant(_STAFF, P.AGENCY_READ_DETAILS)
_grant(_STAFF | {PURCHASER, AGENCY}, P.AGENCY_CHECK_READINESS)
_grant(_PROVINCE, P.AGENCY_DECIDE, P.AGENCY_IMPORT)

# Experts: the provincial pool
_grant(_STAFF, P.EXPERT_READ)
_grant({EXPERT}, P.EXPERT_APPLY)
_grant(_PROVINCE | {EXPERT}, P.EXPERT_UPDATE_AVAILABILITY)
_grant(_PROVINCE, P.EXPERT_MANAGE, P.EXPERT_DECIDE, P.EXPERT_REVEAL_ID_NUMBER)

# Suppliers: registered by themselves, kept by their own users
_grant({SUPPLIER}, P.SUPPLIER_UPDATE_OWN)
_grant(_STAFF, P.SUPPLIER_READ_CONTACTS)
_grant(ADMIN_ROLES, P.SUPPLIER_SUSPEND)
_grant(_PROVINCE, P.SUPPLIER_CORRECT, P.SUPPLIER_IMPORT)

# Publication warnings (supervision/warnings): agencies override a warning with a reason;
# supervisors see every override of the region through supervision.overview
_grant({AGENCY}, P.PUBLICATION_OVERRIDE)

# Electronic transaction (transaction/): agencies run the project's documents and opening;
# suppliers obtain documents, ask, bid, unseal and answer the opening record as parties
_grant({AGENCY}, P.DOCUMENTS_PUBLISH, P.QUESTION_ANSWER, P.OPENING_SIGN)
_grant(
    {SUPPLIER},
    P.PROJECT_READ,
    P.DOCUMENTS_OBTAIN,
    P.QUESTION_ASK,
    P.BID_SUBMIT,
    P.BID_UNSEAL,
    P.OPENING_RESPOND,
)

# Prequalification and quote rounds (transaction): the agency runs them, suppliers apply and quote
_grant({AGENCY}, P.PREQUALIFICATION_MANAGE, P.QUOTE_ROUND_MANAGE)
_grant({SUPPLIER}, P.PREQUALIFICATION_APPLY, P.QUOTE_SUBMIT)

# Sealed bids (transaction): suppliers keep the keys their bids are sealed for
_grant({SUPPLIER}, P.BID_KEY_MANAGE)

# Goods: the catalogue and goods are the province's; suppliers keep their own listings
_grant(_PROVINCE, P.GOODS_MANAGE)
_grant(_PROVINCE | {SUPPLIER}, P.LISTING_MANAGE)

# E-mall: purchasers order and post demands, suppliers confirm, deliver and quote, staff read
# the region's orders (splitting warnings), the province's operating centre reviews prices.
_grant(_STAFF | {PURCHASER, SUPPLIER}, P.MALL_ORDER_READ)
_grant({PURCHASER}, P.MALL_ORDER_PLACE, P.MALL_DEMAND_POST)
_grant({SUPPLIER}, P.MALL_ORDER_FULFIL, P.MALL_QUOTE)
_grant(_PROVINCE, P.MALL_PRICE_REVIEW)
_grant(ADMIN_ROLES, P.MALL_AGREEMENT_MANAGE, P.MALL_GROUP_BUY_MANAGE)
# Credit: supervisors decide records and appeals in their region; subjects appeal their own;
# purchasers and agencies run the mandatory checks of their procedures; the province loads the
# national lists.
_grant(_STAFF, P.CREDIT_READ, P.CREDIT_CHECK)
_grant({SUPERVISOR}, P.CREDIT_RECORD, P.CREDIT_REPAIR, P.CREDIT_REVOKE, P.CREDIT_DECIDE_APPEAL)
_grant({SUPPLIER, AGENCY, EXPERT, PURCHASER}, P.CREDIT_APPEAL)
_grant({PURCHASER, AGENCY}, P.CREDIT_CHECK)
_grant(_PROVINCE, P.CREDIT_IMPORT)
_grant({AGENCY}, P.CREDIT_RATE_EXPERT)
_grant({PURCHASER}, P.CREDIT_RATE_SUPPLIER)
_grant({SUPERVISOR}, P.CREDIT_RATE_AGENCY)
# Evaluation: the agency forms the committee and runs the draw of its project; the region's staff
# and the purchaser read it (counts and states until the evaluation starts); experts answer
# their own assignments.
_grant(_STAFF | {AGENCY, PURCHASER}, P.COMMITTEE_READ)
_grant({AGENCY}, P.COMMITTEE_MANAGE)
_grant({EXPERT}, P.ASSIGNMENT_RESPOND)
# Expert fees: the agency and the purchaser of the project, the region's supervisors.
_grant({AGENCY, PURCHASER, SUPERVISOR}, P.EXPERT_FEE_READ)
# The evaluation: experts of the committee check in, review, score and sign; the purchaser or
# its agency reviews qualifications; bidders answer corrections and low-price requests; the
# purchaser confirms the winner.
_grant({EXPERT}, P.EVALUATION_CONDUCT)
_grant({AGENCY, PURCHASER}, P.EVALUATION_QUALIFY)
_grant({SUPPLIER}, P.EVALUATION_RESPOND)
_grant({PURCHASER}, P.EVALUATION_CONFIRM)
# Financial services: institutions register and keep their credentials, the province admits
# them; agencies set and act on a project's bid security; suppliers apply and consent;
# institutions issue and decide; purchaser and institution both approve a payee change.
_grant({FINANCIAL_INSTITUTION}, P.FINANCE_INSTITUTION_REGISTER, P.FINANCE_CREDENTIALS_MANAGE)
_grant(_PROVINCE, P.FINANCE_INSTITUTION_DECIDE)
_grant(_STAFF, P.FINANCE_READ)
_grant({AGENCY}, P.GUARANTEE_MANAGE)
_grant({SUPPLIER}, P.GUARANTEE_APPLY, P.FINANCING_APPLY)
_grant({FINANCIAL_INSTITUTION}, P.GUARANTEE_ISSUE, P.FINANCING_DECIDE, P.SIGNING_KEY_MANAGE)
_grant({PURCHASER, FINANCIAL_INSTITUTION}, P.PAYEE_CHANGE_APPROVE)
# Usage: an agency reads and exports its own bill; the region's finance staff every agency's
_grant(_STAFF | {AGENCY}, P.USAGE_READ)
# Complaints (complaints/): suppliers ask, challenge and complain; the purchaser and its agency
# answer and respond; the finance department of the purchaser's region handles complaints and
# suspends procurements.
_grant({SUPPLIER}, P.INQUIRY_ASK, P.CHALLENGE_FILE, P.COMPLAINT_FILE)
_grant({PURCHASER, AGENCY}, P.INQUIRY_ANSWER, P.CHALLENGE_ANSWER, P.COMPLAINT_RESPOND)
_grant({SUPERVISOR}, P.COMPLAINT_READ, P.COMPLAINT_HANDLE, P.PROCUREMENT_SUSPEND)
# Analytics: finance staff read their region's indicators and red flags (exports included);
# supervisors review flags; the province rebuilds the read model.
_grant(_STAFF, P.ANALYTICS_READ)
_grant({SUPERVISOR}, P.RED_FLAG_REVIEW)
_grant(_PROVINCE, P.ANALYTICS_REBUILD)


def holders(permission: Perm) -> tuple[str, ...]:
    """The roles that hold `permission`, in the order of ROLES."""
    return tuple(role for role in ROLES if permission in GRANTS[role])


def granted(roles: frozenset[str]) -> frozenset[Perm]:
    return frozenset().union(*(GRANTS.get(role, frozenset()) for role in roles))


def requires(permission: Perm) -> Callable:
    """Mark a service entry point `async def f(actor, ...)` as needing `permission`: the actor
    must hold it before anything is read (an actor of None is the platform itself: a job, the
    CLI). The mark (`f.permission`) is what the meta-test holds each mutation's field to."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        async def checked(actor, *args, **kwargs):
            if actor is not None:
                actor.require(permission)
            return await fn(actor, *args, **kwargs)

        checked.permission = permission
        return checked

    return decorate


# What each permission allows, as docs/permissions.md tells an administrator (a test checks that
# every permission has its line). Whose rows is the services' part: see the module docstring.
ABOUT: dict[Perm, str] = {
    P.INTENTION_READ: "read procurement intentions (a purchaser: its own unit's)",
    P.INTENTION_CREATE: "declare a procurement intention for one's own unit",
    P.INTENTION_PUBLISH: "publish one's own unit's intention on the portal",
    P.INTENTION_WITHDRAW: "withdraw one's own unit's published intention",
    P.PLAN_READ: "read procurement plans (a purchaser: its own unit's)",
    P.PLAN_CREATE: "declare a procurement plan against one's own unit's budget indicators",
    P.PLAN_SUBMIT: "submit one's own unit's plan for filing (reserves its budget)",
    P.PLAN_RECALL: "take one's own unit's unexecuted plan back",
    P.PLAN_RESOLVE_FAILED: "restart or terminate one's own unit's failed plan",
    P.PLAN_FILE: "file (accept) a submitted plan of the region",
    P.PLAN_RETURN: "return a submitted plan of the region for correction",
    P.PLAN_CARRY_OVER: "carry a plan of the old system over (cutover)",
    P.SUPERVISION_OVERVIEW: "read what waits for supervision in the region, or is overdue",
    P.PUBLICATION_OVERRIDE: "override a warn-level publication warning of a project entrusted to "
    "one's agency, with a reason (recorded, seen by the region's supervisors)",
    P.PROJECT_READ: "read projects (an agency: those entrusted to it; a purchaser: its own; a "
    "supplier: those whose documents it obtained or it bid on)",
    P.PROJECT_ENTRUST: "entrust one's own unit's filed plan to an agency",
    P.PROJECT_ANNOUNCE: "publish the tender, correction and result announcements of a project "
    "entrusted to one's agency",
    P.PROJECT_DECLARE_FAILED: "declare a project entrusted to one's agency failed",
    P.DOCUMENTS_PUBLISH: "publish versions of the procurement documents of a project entrusted "
    "to one's agency",
    P.DOCUMENTS_OBTAIN: "obtain a project's procurement documents (recorded: who, when)",
    P.QUESTION_ASK: "ask a question about documents one's organisation obtained",
    P.QUESTION_ANSWER: "answer the questions on a project entrusted to one's agency",
    P.BID_SUBMIT: "submit, replace or withdraw one's organisation's sealed bid until the deadline",
    P.BID_UNSEAL: "unseal one's organisation's bid in the opening hall",
    P.OPENING_RESPOND: "confirm, or object to, the opening record of a project one bid on",
    P.OPENING_SIGN: "answer objections and sign the opening record of one's agency's project",
    P.PREQUALIFICATION_MANAGE: "publish the prequalification notice of one's agency's project, "
    "review the applications and conclude it",
    P.PREQUALIFICATION_APPLY: "apply to a prequalification with one's organisation's "
    "qualification documents",
    P.QUOTE_ROUND_MANAGE: "open quote rounds (the final quote too) of one's agency's negotiation "
    "or consultation, and read the quotes once a round closed",
    P.QUOTE_SUBMIT: "send a sealed quote, and revise it, in a round one's organisation is "
    "invited to; unseal it once the round has closed",
    P.CONTRACT_READ: "read contracts (a party: its own)",
    P.CONTRACT_CREATE: "draft a contract or supplementary contract of one's own unit",
    P.CONTRACT_SIGN: "sign a contract one's organisation is party to",
    P.CONTRACT_PUBLISH: "publish one's own unit's signed contract",
    P.CONTRACT_FILE: "file (accept) a published contract of the region",
    P.SIGNING_KEY_MANAGE: "register and revoke one's organisation's signing keys",
    P.BID_KEY_MANAGE: "register and revoke one's organisation's bid sealing (encryption) keys",
    P.ACCEPTANCE_PUBLISH: "publish the acceptance report of one's own unit's contract",
    P.PAYMENT_REQUEST: "request a payment of one's own unit's contract",
    P.PAYMENT_EXCHANGE: "exchange payment files with digital_finance for the region",
    P.BUDGET_READ: "read budget indicators (a purchaser: its own unit's)",
    P.BUDGET_FETCH: "load the region's budget indicators (live adapter or import file)",
    P.BUDGET_USAGE_EXPORT: "write the region's budget usage file for digital_finance",
    P.USER_EXPORT: "export the region's account list",
    P.PLUGIN_READ: "read installed plugins and the region's plugin requests",
    P.PLUGIN_REQUEST: "request a plugin for a tenant of the region, pause or resume it",
    P.PLUGIN_DECIDE: "approve, reject or revoke plugin requests",
    P.SCHEDULER_READ: "see the scheduler's leader, backlog and lag",
    P.REGION_READ: "read every intention, plan, project, contract and budget of the region, not "
    "only one's own unit's or organisation's",
    P.USER_READ: "read the accounts and organisations of the region",
    P.USER_CREATE: "create accounts in the region",
    P.USER_UPDATE: "change accounts of the region (roles, status, contacts)",
    P.USER_RESET_PASSWORD: "give an account of the region a one-time password",
    P.USER_MANAGE_PROVINCIAL: "also keep provincial admins' accounts and those of organisations "
    "registered once for the province (suppliers, agencies, experts, financial institutions)",
    P.ORGANISATION_CREATE: "register an organisation in the region",
    P.TENANT_CONFIG_READ: "read the configuration of tenants in the region",
    P.TENANT_CONFIG_EDIT: "change the configuration of tenants in the region",
    P.READINESS_READ: "read a tenant's go-live checklist",
    P.READINESS_TICK: "confirm (or withdraw) a manual item of the go-live checklist",
    P.AUDIT_READ: "read the region's audit log (everyone reads the entries of their own acts)",
    P.CALENDAR_IMPORT: "load or correct a year of the working-day calendar",
    P.JOB_READ_ALL: "read every background job of the region (everyone reads their own)",
    P.NOTIFICATION_DELIVERY_READ: "read the region's notification deliveries (dead letters)",
    P.NOTIFICATION_DELIVERY_RETRY: "give a dead delivery a fresh round of attempts",
    P.ARTICLE_PUBLISH: "publish policies and notices in the region's portal column",
    P.LEGACY_MIGRATE: "migrate the old portal's records",
    P.PURCHASER_READ: "read the region's purchasers",
    P.PURCHASER_READ_OWN: "read the purchaser one works for",
    P.PURCHASER_MANAGE: "register, change, deactivate and import the region's purchasers",
    P.AGENCY_REGISTER: "register one's organisation as an agency",
    P.AGENCY_UPDATE_OWN: "read and change one's own agency and its rooms",
    P.AGENCY_READ_DETAILS: "find the agencies working in the region in every status, with "
    "contacts, CA and rooms (others: approved agencies, without them)",
    P.AGENCY_CHECK_READINESS: "compare an agency with a region's requirements",
    P.AGENCY_DECIDE: "approve, reject, suspend and reactivate agencies",
    P.AGENCY_IMPORT: "import agencies and their rooms",
    P.EXPERT_READ: "search the expert pool",
    P.EXPERT_APPLY: "apply for the expert pool and read one's own record",
    P.EXPERT_UPDATE_AVAILABILITY: "keep an expert's phone, leave and recusal relations (an "
    "expert: its own)",
    P.EXPERT_MANAGE: "register, change, link and import experts; keep any expert's availability",
    P.EXPERT_DECIDE: "approve, suspend, reactivate and retire experts; record bad records",
    P.EXPERT_REVEAL_ID_NUMBER: "reveal an expert's full ID number (audited)",
    P.SUPPLIER_UPDATE_OWN: "read and complete one's own supplier and its qualifications",
    P.SUPPLIER_READ_CONTACTS: "read every supplier's contacts and certificates (others: their own)",
    P.SUPPLIER_SUSPEND: "suspend and reactivate the region's suppliers",
    P.SUPPLIER_CORRECT: "correct a supplier's registered name or credit code",
    P.SUPPLIER_IMPORT: "import suppliers and their qualifications",
    P.GOODS_MANAGE: "keep the catalogue and the goods, import them, and keep any listing",
    P.LISTING_MANAGE: "offer goods and keep listings (a supplier: its own)",
    P.MALL_ORDER_READ: "read e-mall orders and demands (a purchaser: its unit's; a supplier: "
    "its own; staff: the region's, with splitting warnings)",
    P.MALL_ORDER_PLACE: "order listed goods in the e-mall for one's own unit, or cancel an "
    "unconfirmed order",
    P.MALL_ORDER_FULFIL: "confirm, decline and deliver one's own organisation's e-mall orders",
    P.MALL_DEMAND_POST: "put one's own unit's demand to reverse auction or to second-stage "
    "competition under a framework agreement, withdraw it, confirm its result",
    P.MALL_QUOTE: "quote on a reverse auction of a category one lists goods in, or on a "
    "second-stage competition of an agreement designating one",
    P.MALL_PRICE_REVIEW: "review flagged e-mall prices (clear or uphold), run price monitoring "
    "and import reference price files",
    P.MALL_AGREEMENT_MANAGE: "record the framework agreements (designated suppliers) the region "
    "awarded, withdraw a designated supplier, record a top-up entry (补充征集), or end one early",
    P.MALL_GROUP_BUY_MANAGE: "organise the region's group buys (批量集采): open one, record its "
    "award, or call it off",
    P.CREDIT_READ: "read every credit record (not only the public serious-violation list) and "
    "the region's check snapshots",
    P.CREDIT_RECORD: "record a credit decision about a supplier, agency, expert or purchaser",
    P.CREDIT_REPAIR: "mark a credit record of the region repaired (信用修复)",
    P.CREDIT_REVOKE: "revoke a credit record of the region",
    P.CREDIT_APPEAL: "appeal a credit record about oneself (one's organisation or, an expert, "
    "oneself) and read one's own records",
    P.CREDIT_DECIDE_APPEAL: "uphold or dismiss appeals against the region's credit records",
    P.CREDIT_CHECK: "run the mandatory credit check of a supplier and read the region's snapshots",
    P.CREDIT_IMPORT: "load the national credit lists (file or live adapter)",
    P.CREDIT_RATE_EXPERT: "rate the experts of an evaluation one's agency ran",
    P.CREDIT_RATE_SUPPLIER: "rate the supplier of one's own unit's contract after its final "
    "acceptance",
    P.CREDIT_RATE_AGENCY: "give an agency its yearly evaluation in the region",
    P.COMMITTEE_READ: "read evaluation committees and their draws (names sealed until the "
    "evaluation starts; an agency: its own projects', a purchaser: its own unit's)",
    P.COMMITTEE_MANAGE: "form the evaluation committee of one's agency's project, commit and run "
    "its expert draw, start the evaluation or cancel the committee",
    P.ASSIGNMENT_RESPOND: "read one's own draw assignments as an expert; confirm, decline or "
    "declare a conflict",
    P.EXPERT_FEE_READ: "read and export the expert fee statement of a committee (the agency and "
    "the purchaser of its project, the region's supervisors)",
    P.EVALUATION_CONDUCT: "as a member of a committee that started: check in by face, review "
    "compliance, score, decide corrections and low prices, dissent and sign the report",
    P.EVALUATION_QUALIFY: "review the bidders' qualifications in one's own unit's or agency's "
    "evaluation",
    P.EVALUATION_RESPOND: "as a bidder: confirm or refuse an arithmetic correction, explain an "
    "abnormally low price, read one's own score and rank",
    P.EVALUATION_CONFIRM: "confirm the winner of one's own unit's evaluation report",
    P.FINANCE_INSTITUTION_REGISTER: "register one's organisation as a financial institution",
    P.FINANCE_INSTITUTION_DECIDE: "approve, reject and suspend financial institutions",
    P.FINANCE_CREDENTIALS_MANAGE: "keep one's institution's API keys and webhook endpoint, "
    "and ask for its dead webhook deliveries again",
    P.FINANCE_READ: "read the finance centre's institutions and the region's figures",
    P.GUARANTEE_MANAGE: "set the bid security of a project entrusted to one's agency, release "
    "its guarantees and claim on a defined default",
    P.GUARANTEE_APPLY: "apply for an electronic bid guarantee for one's organisation",
    P.GUARANTEE_ISSUE: "issue or refuse the guarantees asked of one's institution, pay claims",
    P.FINANCING_APPLY: "apply for contract financing of one's organisation's signed contract, "
    "consent to chosen institutions, ask for a payee account change",
    P.FINANCING_DECIDE: "read the contracts suppliers consented to show one's institution and "
    "decide their financing",
    P.PAYEE_CHANGE_APPROVE: "approve or reject a payee account change (a purchaser: of its own "
    "unit's contract; an institution: of its own financing)",
    P.USAGE_READ: "read and export the monthly face verification and e-signature charges (an "
    "agency: its own, wherever it works; staff: every agency's in the region)",
    P.INQUIRY_ASK: "ask the purchaser or agency of a procurement a question (询问)",
    P.INQUIRY_ANSWER: "answer the inquiries on one's own unit's or agency's procurements",
    P.CHALLENGE_FILE: "challenge (质疑) the documents, a step or the result of a procurement one's "
    "organisation takes part in, withdraw it or accept its answer; then complain (投诉)",
    P.CHALLENGE_ANSWER: "answer the challenges on one's own unit's or agency's procurements",
    P.COMPLAINT_FILE: "complain to the finance department about a challenge's answer, supply "
    "missing material, withdraw the complaint",
    P.COMPLAINT_RESPOND: "answer a complaint about one's own unit's or agency's procurement",
    P.COMPLAINT_READ: "read every inquiry, challenge and complaint of the region",
    P.COMPLAINT_HANDLE: "review, accept, reject, refer, pause and decide complaints of the region",
    P.PROCUREMENT_SUSPEND: "suspend a procurement of the region during a complaint (<= 30 days)",
    P.ANALYTICS_READ: "read the region's indicators and red flags (a city its counties, the "
    "province all) and export them",
    P.ANALYTICS_REBUILD: "rebuild the analytics read model from the source tables (repair)",
    P.RED_FLAG_REVIEW: "mark a red flag of the region's processes reviewed, with a note",
}
