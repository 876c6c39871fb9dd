"""Institutions admitted, with signing keys, for the finance centre's tests."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gpcloud.core.keys import service as keys
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.finance_services.service import institutions
from tests.integration.procurement import actor


async def admitted(username: str, kind: str = "guarantor", rate_limit: int = 120) -> dict:
    """The institution of `username` (a demo financial_institution account) registered and
    approved by the province; its user and the scope it acts in."""
    user = await actor(username)
    scope = (await tenant_tree()).scope_for(user.tenant, user_id=user.id)
    with use_scope(scope):
        row = await institutions.register(
            user, institutions.InstitutionInput(kind, "L-2026-0001", rate_limit)
        )
    province = await actor("gd.admin")
    with use_scope((await tenant_tree()).scope_for("440000", user_id=province.id)):
        row = await institutions.approve(province, row["id"])
    return {"row": row, "user": user, "scope": scope}


async def signing_key(institution: dict) -> Ed25519PrivateKey:
    """A fresh Ed25519 key registered for the institution's organisation."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw().hex()
    with use_scope(institution["scope"]):
        await keys.register_signing_key(institution["user"], public)
    return private
