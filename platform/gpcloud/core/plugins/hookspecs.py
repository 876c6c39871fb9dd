"""The one list of hooks a gpcloud plugin may implement.

Plugins are packages under plugins/<name>/, registered in the entry point group
"gpcloud.plugins". The entry point names a module with a `GPCLOUD_PLUGIN` dict
(name, description, config_schema) and functions marked `@hookimpl`, where

    hookimpl = pluggy.HookimplMarker("gpcloud")

Plugins depend on pluggy only, not on gpcloud: arguments are duck-typed objects documented
here, results are plain dicts and lists. A hook runs for a tenant only when the province has
approved the plugin for that tenant (or an ancestor) and the approved version and code digest
are the installed ones.

`tenant` is a TenantContext with:
    region_code: str, name: str, level: "province" | "city" | "county"
    config: dict                 the tenant's effective configuration (sections as dicts)
    plugin_config(name) -> dict  the approved configuration of plugin `name`, resolved
                                 county -> city -> province over the schema's defaults (a
                                 county's own approval overrides its city's settings)

A problem is {"path": "section.key.subkey", "message": "what is wrong or missing"}.

Each docstring ends with a line stating whether the hook is firstresult (the first plugin that
returns non-None answers, the rest are not called) and how the platform calls it
(core/plugins/calling.py): `call` (a plugin's exception fails the request with PLUGIN_FAILED
naming the plugin) or `call_robust` (the failure is logged and reported with the plugin's name;
the other plugins still run). Plugins run in pluggy's order: the last registered first, with
`@hookimpl(tryfirst=True)` / `(trylast=True)` moving one to the front / back. No hook is
historic, and hook wrappers are refused: one approved plugin never sees or changes another's
answer. docs/plugins.md has a section per hook (tests/plugins/test_hook_meta.py keeps both true).

A domain may implement a hook for every tenant, with no approval (the platform's own code, not
a tenant's customisation): see `builtin` in core/plugins/hooks.py. Such hooks say so below and
are called with `collect`, which runs the built-in implementations and the tenant's plugins.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pluggy

PROJECT = "gpcloud"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------------------------
# Tenant configuration
# ---------------------------------------------------------------------------------------------


@hookspec
def gpcloud_config_sections() -> dict[str, dict]:
    """Tenant configuration sections this plugin adds: {section name: JSON schema}.

    Called once when plugins load, for every installed plugin (approved or not), so that tenant
    files can be validated; editing a plugin's section needs the plugin active for the tenant.
    Section names must not collide with core sections or other plugins'.
    Firstresult: no. Call style: call (a plugin that fails here is not installed).
    """


@hookspec
def gpcloud_validate_config_section(section: str, value: dict, tenant: Any) -> list[dict] | None:
    """Check a section of the tenant's effective config beyond its JSON schema.

    Called for every section present (core and plugin) when a tenant's config is edited, after
    the whole config passed the JSON schema, and when it is inspected. Numbers arrive as int or
    Decimal (a count written 2.0 is a Decimal and fails an "integer" schema).
    Return problems (see module doc), [] or None when there is nothing to say. A problem makes
    an edit fail; all active plugins are asked.
    Firstresult: no. Call style: call (a check that fails must not let the config through).
    """


@hookspec
def gpcloud_config_summary(tenant: Any) -> list[dict] | None:
    """Figures derived from the tenant's config, shown with it.

    Return [{"label": str, "value": str}], e.g. an O&M fee estimate.
    Firstresult: no. Call style: call_robust (a failure is listed with the config's problems).
    """


# ---------------------------------------------------------------------------------------------
# Procurement lifecycle (called by the subsystems)
# ---------------------------------------------------------------------------------------------


@hookspec
def gpcloud_validate_event(event: dict, tenant: Any) -> list[dict] | None:
    """Veto a lifecycle event with local rules before it is written.

    `event` is {"kind": "plan.submit" | "plan.file" | "project.transition" | "contract.sign" |
    ..., "object": {...the object's fields...}, "before": state or None, "after": state or None}.
    Return problems to refuse the event (the mutation fails, naming the plugin), [] or None to
    let it pass; every active plugin may object.
    Firstresult: no. Call style: call (a veto that cannot be checked refuses the event).
    """


@hookspec
def gpcloud_check_publication(subject: dict, tenant: Any) -> list[dict] | None:
    """Look at a procurement document or announcement before it is published, and warn.

    `subject` is what is about to be published, as plain data: {"kind": "documents" | "tender"
    | "correction" | "result", "reference": "project:12:tender", "on": "YYYY-MM-DD" (the
    publication day), "project": {"id", "plan_id", "title", "method", "object_type",
    "category_code", "budget" (yuan, text), "purchaser_id", "status", "bid_deadline"
    ("YYYY-MM-DD" or None)}, "texts": [{"path": str, "text": str}] (every piece of text to be
    published: titles, bodies, the documents' items), and by kind: "bid_deadline",
    "affects_bids" (announcements), "documents": {"version", "requirements", "qualification",
    "compliance", "criteria", "price_weight"} (documents), "awards": [{"organisation_id",
    "supplier_name", "amount"}] (result)}.
    Return warnings, [] or None: each {"rule": a stable code (a plugin's prefixed with its
    name, e.g. "meizhou.local_rule"), "article": the legal basis ("Implementing Regulation art.
    20(7)", or "... (unverified)"), "matched": the text it matched, "message": why (Chinese),
    "path": where in the subject (optional)}. The tenant's config (publication_warnings) says
    whether a rule blocks the publication, needs an override with a reason, or is off.
    Built in: the supervision domain's rules (supervision/warnings/rules/, one `builtin` each).
    Firstresult: no. Call style: call (a rule that cannot be checked does not let the
    publication through).
    """


# ---------------------------------------------------------------------------------------------
# Go-live readiness
# ---------------------------------------------------------------------------------------------


@hookspec
def gpcloud_readiness_items(tenant: Any) -> list[dict] | None:
    """Items this plugin adds to the tenant's go-live checklist.

    Each item is {"key": str (unique within the plugin), "title": str, "description": str,
    "check": bool | None, "missing": [str]}. With "check" None the item is ticked by a tenant
    admin with evidence; with True/False it is decided from the config and "missing" says what
    is lacking.
    Firstresult: no. Call style: call_robust (a failure shows as an open item "<plugin>.failed").
    """


# ---------------------------------------------------------------------------------------------
# digital_finance live adapter (without one, the transition mode's files are used)
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def gpcloud_fetch_budget_indicators(tenant: Any, fiscal_year: int) -> list[dict] | None:
    """The tenant's budget indicators for a year, from digital_finance's live interface.

    Return rows as dicts keyed by the columns of the budget_indicators file format
    (docs/import-formats/budget-indicators.md; values as text), or None to let another plugin
    answer. Runs in a background job, off the event loop. The rows are validated and imported
    exactly as an uploaded file (reject report included).
    Firstresult: yes. Call style: call (the job fails naming the plugin; no other is asked).
    """


@hookspec(firstresult=True)
def gpcloud_push_payment(tenant: Any, payment: dict) -> dict | None:
    """Send a payment request to digital_finance's live interface.

    `payment` is {"reference": "payment:7", "indicator_code": str, "budget_unit_code": str,
    "contract_reference": str, "amount": "1234.50" (yuan, text), "payee": {"name": str,
    "uscc": str}}. Return {"accepted": bool, "reference": the finance side's id, "message": str},
    or None when this plugin does not handle the tenant. The reference is the idempotency key:
    a payment whose push failed is pushed again, with the same reference, by the next exchange.
    Firstresult: yes. Call style: call (the exchange stops at the failure, naming the plugin;
    the payment stays requested).
    """


# ---------------------------------------------------------------------------------------------
# Notification channels (the inbox and e-mail are built in; SMS, the government's messaging
# apps and the like are plugins)
# ---------------------------------------------------------------------------------------------


@hookspec
def gpcloud_notification_channels(tenant: Any) -> list[dict] | None:
    """Notification channels this plugin delivers over for the tenant's users.

    Return [{"name": str, "title": str}], e.g. [{"name": "sms", "title": "短信"}]: `name` is
    what users choose in their notification preferences and what gpcloud_deliver_notification
    receives as `channel` (lower case letters, digits and "_"; "inbox" and "email" are built in
    and cannot be taken); `title` is shown to them. Called when a user reads or sets their
    preferences; a failing plugin's channels are left out and its failure logged.

    Firstresult: no. Call style: call_robust.
    """


@hookspec(firstresult=True)
def gpcloud_deliver_notification(
    channel: str, notification: dict, recipient: dict, tenant: Any
) -> dict | None:
    """Deliver one notification to one user over `channel`, a channel this plugin declared.

    Called from a background job (off the event loop) after the transaction that wrote the
    notification committed, once per delivery attempt, for the active plugins of the
    recipient's tenant. `notification` is {"id": int, "delivery_id": int, "kind":
    "plan.returned" | "contract.awaiting_signature" | ..., "subject": str, "body": str (Chinese,
    plain text), "due": "YYYY-MM-DD" or None, "due_explanation": str (the rule behind the
    deadline, "" without one), "object_type": str, "object_id": str, "params": {...the event's
    parameters, as text...}, "created_at": ISO 8601 instant}; `recipient` is {"id": int,
    "username": str, "display_name": str, "mobile": str, "email": str, "tenant": region code}.

    Return None when `channel` is not this plugin's. Return {"reference": str} (the gateway's
    message id, "" if it has none) once the message is handed over. Raise to fail the attempt: it
    is retried with a growing delay (settings notification_max_attempts and
    notification_retry_seconds) and then dead-lettered, visible to the tenant's admins. The
    same delivery may be attempted again after a crash: pass `delivery_id` to the gateway as an
    idempotency key where it takes one. A delivery no active plugin answers for is dead at
    once. Only the plugin owning `channel` answers.

    Firstresult: yes. Call style: call.
    """


# ---------------------------------------------------------------------------------------------
# Credit (the credit domain implements gpcloud_credit_check built in, for every tenant)
# ---------------------------------------------------------------------------------------------


@hookspec
def gpcloud_credit_check(
    tenant: str, organisation_id: int, purpose: str, on_day: date
) -> dict | None:
    """The mandatory credit check (Caiku [2016] 125) of an organisation taking part in a
    procedure of `tenant` (here the region code, not a TenantContext).

    `purpose` is "bid_submission" | "bid_deadline" | "evaluation" | "expert_draw" |
    "emall_order" | "entrustment" | "award" (a result announcement, before it is published);
    `on_day` the day the check speaks for. Return {"clear": bool
    (nothing bars the organisation on that day), "records": [{"kind": str, "subject_name": str,
    "starts_on": "YYYY-MM-DD", "ends_on": "YYYY-MM-DD" or None, "bars": bool, "reference":
    str}, ...], "source": str (who answers: "gpcloud.credit" for the built-in, a plugin its
    list's name)}, or None when this implementation has nothing to say. The organisation is clear
    only when every answer is clear. Built in: the credit domain answers for every tenant from
    its records and national lists, asks the tenant's approved plugins itself and stores the
    snapshot (lists, time, result, digest); its answer carries "snapshot_id" and "digest".
    Callers below credit (transaction, emall, contracts) reach it only through this hook, with
    core/plugins/hooks.py `collect`.
    Firstresult: no. Call style: call (a check that cannot be made does not let anyone through).
    """


# ---------------------------------------------------------------------------------------------
# Complaints and the finance centre (gpcloud_procurement_blocks, gpcloud_payee_account,
# gpcloud_bid_security_check built in)
# ---------------------------------------------------------------------------------------------


@hookspec
def gpcloud_procurement_blocks(tenant: str, project_id: int) -> list[dict] | None:
    """What stops a procurement of `tenant` (here the region code, not a TenantContext) now:
    a finance department's suspension during a complaint (Law art. 57), or a challenge that
    may affect the result and is not yet answered (Implementing Regulation art. 54).

    Return [{"kind": "suspension" | "challenge", "reference": "suspension:3", "until":
    "YYYY-MM-DD" or None, "stops": ["transaction", "signing", "performance"] (what it stops:
    the transaction's steps, the contract's signing, its performance), "reason": str}, ...],
    [] or None. Built in: the complaints domain answers from its suspensions and challenges;
    transaction and contracts, below it, ask only through this hook, with core/plugins/hooks.py
    `collect`, and refuse a stopped step (PROCUREMENT_SUSPENDED, CHALLENGE_PENDING).
    Firstresult: no. Call style: call (a block that cannot be checked lets nothing through).
    """


@hookspec
def gpcloud_evaluation_result(tenant: str, project_id: int) -> list[dict] | None:
    """The evaluations of a project of `tenant` (the region code, not a TenantContext) and the
    winner each confirmed, so that the result names the purchaser's confirmed winner
    (Implementing Regulation art. 43) and the experts (art. 43 para. 3).

    Return [{"reference": "evaluation:3", "lot": str ("" for the whole project), "method":
    "comprehensive" | "lowest_price", "status": "pending" | "confirmed", "winner":
    {"organisation_id": int, "supplier_name": str, "amount": "yuan with 2 places",
    "evaluated_price": "yuan", "total": "points" or None (lowest price)} or None, "experts":
    [names], "valid_bids": int, "invalid_bids": int}, ...], [] or None. Built in:
    the evaluation domain answers from its evaluation reports; transaction, below it, asks only
    through this hook, with core/plugins/hooks.py `collect`, and refuses a result that is not
    the confirmed winner (EVALUATION_NOT_CONFIRMED, AWARD_NOT_EVALUATED_WINNER).
    Firstresult: no. Call style: call (a result that cannot be checked is not published).
    """


@hookspec
def gpcloud_payee_account(tenant: str, contract_id: int) -> dict | None:
    """The account a contract's payments go to instead of the supplier's own, for the payment
    exchange (contracts, below the finance centre, reaches it only through this hook).

    `tenant` is the contract's region code (a string, not a TenantContext). Return
    {"account_name": str, "bank_name": str, "account_number": str, "reference": str (why: e.g.
    "payee_account_change:7")}, or None when the contract's payee did not change. Built in: the
    finance centre answers from approved payee account changes (purchaser and institution both
    approved). The first answer wins.
    Firstresult: no. Call style: call (a payment is not sent while its payee cannot be known).
    """


@hookspec
def gpcloud_bid_security_check(
    tenant: str, project_id: int, lot: str, organisation_id: int, security: str
) -> dict | None:
    """Check the bid security a sealed bid names as it is submitted (投标保证金: a bid without
    the security the documents ask for is invalid, Implementing Regulation art. 33).

    `tenant` is the project's region code (a string, not a TenantContext); `security` the
    reference the bidder gave (an e-guarantee number, a deposit reference). Return None when the
    reference is not one the implementation knows, else {"valid": bool, "reference": str (e.g.
    "bid_guarantee:7"), "problems": [{"code": str, "message": str}]}; the bid is refused with the
    problems of any answer that is not valid. Built in: the finance centre answers for its
    electronic bid guarantees (issued to the bidder for this project, in force, authentic,
    meeting the requirement, not expired, named by no other live bid); transaction, below it,
    asks only through this hook.
    Firstresult: no. Call style: call (a security that cannot be checked lets no bid in).
    """


@hookspec(firstresult=True)
def gpcloud_fetch_credit_list(tenant: Any, list_code: str) -> list[dict] | None:
    """A national credit list from a live interface (Credit China, the courts' list of
    dishonest judgment debtors, the tax administration's major cases).

    `list_code` is "blacklist" | "dishonest_debtor" | "major_tax_violation". Return rows as
    dicts keyed by the columns of docs/import-formats/credit-records.md (values as text; the
    list column may be left out), or None to let another plugin answer. Runs in a background
    job, off the event loop; the rows are validated and loaded exactly as an uploaded file
    (reject report included, idempotent by the list's record id).
    Firstresult: yes. Call style: call (the job fails naming the plugin; no other is asked).
    """


# ---------------------------------------------------------------------------------------------
# E-mall price monitoring (the median of other listings and a listing's own history are built in)
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def gpcloud_reference_prices(tenant: Any, items: list[dict]) -> dict[str, str] | None:
    """Live reference prices for goods items (a market price feed), which e-mall price
    monitoring compares each listing with beside the median of the item's other listings and
    the listing's own earlier price.

    `tenant` is the province (price monitoring is the operating centre's; listings are shared).
    `items` is one batch of monitoring (at most 500): dicts with "code" (the goods item's
    code), "name", "brand", "model", "unit", "category_code". Return {code: unit price in yuan
    as text, e.g. "4299.00"} for the items the source knows (leave the others out), or None to
    let another plugin answer. Runs in the monitoring job, off the event loop; prices that are
    not positive amounts of at most 2 places are ignored (and logged).
    Firstresult: yes. Call style: call_robust (a failing feed is logged with its name and
    monitoring goes on with the median and the history).
    """


# ---------------------------------------------------------------------------------------------
# Cryptography (keys and sealed bids; the built-in scheme is docs/sealed-bids.md)
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def gpcloud_sealing_scheme(tenant: Any) -> dict | None:
    """The tenant's scheme for signing and sealing keys and sealed bids, replacing the built-in
    gpcloud-bid-v1 (Ed25519, X25519, AES-256-GCM), e.g. a Chinese CA's SM2/SM3/SM4.

    Return None to keep the built-in scheme, or a dict of plain callables, each optional (a
    missing one keeps the built-in behaviour): "name": str (the format name, recorded with the
    bid); "check_public_key"(purpose: "signing" | "sealing", public_key: bytes) -> str | None,
    a problem (the key is refused with INVALID_KEY naming the plugin) or None, asked after the
    built-in checks when a key is registered; "check_sealed"(ciphertext: bytes) -> str, the
    digest, raising ValueError for an upload not in the scheme's format; "verify_bid_signature"
    (public_key: bytes, signature: bytes, project_id: int, lot: str, digest: str) -> bool;
    "unseal"(ciphertext: bytes, content_key: bytes) -> bytes, the plaintext package, raising
    ValueError for a wrong key. Called for the supplier's tenant when a key is registered and
    for the project's tenant when a bid is submitted or opened.
    Firstresult: yes. Call style: call (the registration or submission fails naming the plugin).
    """


# ---------------------------------------------------------------------------------------------
# Identity and signatures: commercial services billed per use to the agency (seed 四(二)); the
# usage domain implements a development provider built in and bills every use (docs/usage-billing.md)
# ---------------------------------------------------------------------------------------------


@hookspec
def gpcloud_verify_face(
    tenant: Any, subject: dict, sample: bytes, purpose: str, idempotency_key: str
) -> dict | None:
    """Compare a live face capture with a person's identity (an expert checking in at the
    evaluation room), through a face verification service.

    `tenant` is the TenantContext of the project's tenant. `subject` is {"reference":
    "expert:7", "name": str, "id_number": str}; `sample` the captured image (JPEG bytes from
    the room's camera); `purpose` "evaluation_check_in" | ...; `idempotency_key` the platform's
    key of this attempt: pass it to the service where it takes one (a retry after a crash may
    ask again with the same key, and is billed once). Return {"matched": bool, "score": str (a
    decimal 0-1 as text), "reference": str (the service's transaction id), "provider": str
    (the service's name, shown on the bill), "message": str}, or None when this plugin does not
    serve the tenant. Built in: the usage domain's development provider ("builtin:development",
    labelled as such in its answer) answers for every tenant; the answer of a tenant's approved
    plugin, where one answers, is the one used (the first, in pluggy's order).
    Firstresult: no. Call style: call (a service that fails leaves the expert unverified and
    nothing billed).
    """


@hookspec
def gpcloud_sign_document(
    tenant: Any, signer: dict, document: dict, confirmation: str, idempotency_key: str
) -> dict | None:
    """Sign a document for a person with an electronic signature (an expert signing the
    evaluation report), through an e-signature service.

    `tenant` is the TenantContext of the project's tenant. `signer` is {"reference":
    "expert:7", "name": str, "id_number": str, "mobile": str}; `document` {"reference":
    "evaluation_report:3", "title": str, "digest": sha256 of the document, hex}; `confirmation`
    what the signer gave to authorise this signature (the service's SMS code or PIN);
    `idempotency_key` as for gpcloud_verify_face. Return {"signed": bool, "signature": base64,
    "algorithm": str, "certificate": str (the signer's certificate, PEM, or the service's id of
    it), "reference": str (the service's transaction id), "provider": str, "message": str}, or
    None when this plugin does not serve the tenant. Built in: as for gpcloud_verify_face.
    Firstresult: no. Call style: call (a service that fails leaves the document unsigned and
    nothing billed).
    """
