"""The cryptographic scheme a tenant uses for keys and sealed bids: gpcloud-bid-v1 (Ed25519,
X25519, AES-256-GCM) unless an approved plugin answers gpcloud_sealing_scheme (a Chinese CA's
SM2/SM4, for instance). A plugin's scheme is a plain dict of callables (hookspecs.py)."""

from __future__ import annotations

from gpcloud.core.errors import DomainError
from gpcloud.core.plugins.hooks import tenant_context, tenant_hooks

DEFAULT = "gpcloud-bid-v1"


async def plugin_scheme(region_code: str) -> tuple[str, dict] | None:
    """(plugin name, its scheme) for the tenant, or None for the built-in scheme."""
    hooks = await tenant_hooks(region_code)
    if not hooks.active:
        return None
    answer = hooks.call("gpcloud_sealing_scheme", tenant=await tenant_context(region_code))
    return (answer.plugin, answer.value) if answer is not None else None


async def scheme_name(region_code: str) -> str:
    found = await plugin_scheme(region_code)
    return found[1].get("name", found[0]) if found else DEFAULT


async def check_public_key(region_code: str, purpose: str, public_key: bytes) -> None:
    """A plugin scheme may refuse a key the built-in checks accepted (wrong curve, no CA
    certificate behind it): its message comes back as INVALID_KEY naming the plugin."""
    found = await plugin_scheme(region_code)
    check = found[1].get("check_public_key") if found else None
    if check is None:
        return
    problem = check(purpose, public_key)
    if problem:
        raise DomainError("INVALID_KEY", f"{found[0]}: {problem}", "publicKey")
