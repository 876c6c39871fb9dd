"""Institutions through the API: registration and the province's decision, API keys and
sign-in, the webhook endpoint and deliveries, the region's figures."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation, run_payload
from gpcloud.core.graphql.permissions import Public, Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.money import to_yuan
from gpcloud.finance_services.graphql.inputs import (
    InstitutionInput,
    arg,
)
from gpcloud.finance_services.graphql.types import (
    SIGNED_IN,
    ApiKey,
    ApiKeyPayload,
    ApiSignInPayload,
    DeliveryPayload,
    FinanceFigures,
    FinancialInstitution,
    InstitutionPayload,
    InstitutionStatus,
    WebhookDelivery,
    WebhookEndpointPayload,
    WebhookStatus,
)
from gpcloud.finance_services.service import (
    credentials,
    figures,
    institutions,
    webhooks,
)


def _institution(work):
    return run_payload(InstitutionPayload, "institution", FinancialInstitution.of, work)


def _key(work):
    async def run():
        row, secret = await work()
        return ApiKeyPayload(key=ApiKey.of(row), secret=secret)

    return run_mutation(ApiKeyPayload, run)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=SIGNED_IN,
        description="Institutions: the approved ones; every status for finance staff.",
    )
    async def financial_institutions(
        self,
        info: Info,
        status: Annotated[InstitutionStatus | None, arg("Only institutions in this state.")] = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FinancialInstitution]:
        page = await institutions.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, FinancialInstitution.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Your institution's API keys.",
        directives=[ListSize(max=100)],
    )
    async def my_api_keys(self, info: Info) -> list[ApiKey]:
        mine = await institutions.acting(info.context.user)
        return [ApiKey.of(r) for r in await credentials.keys_of(mine["id"])]

    @strawberry.field(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Your institution's webhook deliveries (DEAD: the dead letters).",
    )
    async def webhook_deliveries(
        self,
        info: Info,
        status: Annotated[WebhookStatus | None, arg("Only deliveries in this state.")] = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        page = await webhooks.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, WebhookDelivery.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.FINANCE_READ)),
        description="Institutions, loans, amounts, SMEs served, guarantees, deposits replaced.",
    )
    async def finance_figures(
        self,
        info: Info,
        region_code: Annotated[str | None, arg("The region; default yours.")] = None,
    ) -> FinanceFigures:
        f = await figures.figures(info.context.user, region_code)
        return FinanceFigures(
            region_code=f.region,
            institutions=f.institutions,
            loans=f.loans,
            loan_amount=to_yuan(f.loan_amount_fen),
            smes_served=f.smes_served,
            guarantees=f.guarantees,
            deposits_replaced=to_yuan(f.deposits_replaced_fen),
        )


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_REGISTER)),
        description="Register your organisation with the finance centre.",
    )
    async def register_financial_institution(
        self, info: Info, input: InstitutionInput
    ) -> InstitutionPayload:
        data = institutions.InstitutionInput(input.kind.value, input.licence, input.rate_limit)
        return await _institution(lambda: institutions.register(info.context.user, data))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_DECIDE)),
        description="Admit an institution (or end its suspension).",
    )
    async def approve_financial_institution(
        self, info: Info, id: strawberry.ID, reason: str = ""
    ) -> InstitutionPayload:
        return await _institution(
            lambda: institutions.approve(info.context.user, parse_id(id, "institution"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_DECIDE)),
        description="Refuse an institution's registration.",
    )
    async def reject_financial_institution(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> InstitutionPayload:
        return await _institution(
            lambda: institutions.reject(info.context.user, parse_id(id, "institution"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_DECIDE)),
        description="Suspend an institution: its users and keys may not act.",
    )
    async def suspend_financial_institution(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> InstitutionPayload:
        return await _institution(
            lambda: institutions.suspend(info.context.user, parse_id(id, "institution"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="A new API key acting for you; the full key is shown once.",
    )
    async def issue_api_key(self, info: Info) -> ApiKeyPayload:
        return await _key(lambda: credentials.issue(info.context.user))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Replace a key: the old one works 24 hours more.",
    )
    async def rotate_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        return await _key(lambda: credentials.rotate(info.context.user, parse_id(id, "API key")))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="End a key at once.",
    )
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        async def run():
            row = await credentials.revoke(info.context.user, parse_id(id, "API key"))
            return ApiKeyPayload(key=ApiKey.of(row))

        return await run_mutation(ApiKeyPayload, run)

    @strawberry.mutation(
        extensions=allow(Public()),
        description="Exchange an API key for an access token (rate limited per institution).",
    )
    async def sign_in_with_api_key(
        self, info: Info, api_key: Annotated[str, arg("gpk_<keyId>.<secret>.")]
    ) -> ApiSignInPayload:
        async def run():
            session = await credentials.sign_in(api_key)
            await info.context.sign_in(session.user)
            return ApiSignInPayload(token=session.token, expires_at=session.expires_at)

        return await run_mutation(ApiSignInPayload, run)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Send your webhooks to this URL with a fresh secret (shown once).",
    )
    async def set_webhook_endpoint(
        self, info: Info, url: Annotated[str, arg("An http(s) URL.")]
    ) -> WebhookEndpointPayload:
        async def run():
            row, secret = await institutions.set_webhook(info.context.user, url)
            return WebhookEndpointPayload(institution=FinancialInstitution.of(row), secret=secret)

        return await run_mutation(WebhookEndpointPayload, run)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Give a dead webhook delivery a fresh round of attempts.",
    )
    async def redeliver_webhook(self, info: Info, id: strawberry.ID) -> DeliveryPayload:
        return await run_payload(
            DeliveryPayload,
            "delivery",
            WebhookDelivery.of,
            lambda: webhooks.redeliver(info.context.user, parse_id(id, "delivery")),
        )
