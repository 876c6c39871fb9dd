"""The sealed-bid checks of a tenant: gpcloud-bid-v1's, or those of the plugin answering
gpcloud_sealing_scheme (core/keys/schemes.py), with the same stable error codes either way.
The transaction domain asks `await scheme_for(project's tenant)` and calls what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gpcloud.core.errors import DomainError
from gpcloud.core.keys import schemes
from gpcloud.transaction.sealing import envelope


@dataclass(frozen=True)
class Scheme:
    name: str
    check_sealed: Callable[[bytes], str]
    verify_bid_signature: Callable[[bytes, bytes, int, str, str], None]
    unseal: Callable[[bytes, bytes], bytes]


DEFAULT = Scheme(
    envelope.FORMAT, envelope.check_sealed, envelope.verify_bid_signature, envelope.unseal
)


def _plugin_scheme(plugin: str, given: dict) -> Scheme:
    def refusing(code: str, field: str, fn: Callable, fallback: Callable) -> Callable:
        if fn is None:
            return fallback

        def call(*args):
            try:
                result = fn(*args)
            except ValueError as error:
                raise DomainError(code, f"{plugin}: {error}", field) from None
            if result is False:
                raise DomainError(code, f"{plugin}: the signature does not verify", field)
            return None if result is True else result

        return call

    return Scheme(
        name=str(given.get("name") or plugin),
        check_sealed=refusing(
            "BID_NOT_SEALED", "ciphertext", given.get("check_sealed"), DEFAULT.check_sealed
        ),
        verify_bid_signature=refusing(
            "BID_SIGNATURE_INVALID",
            "signature",
            given.get("verify_bid_signature"),
            DEFAULT.verify_bid_signature,
        ),
        unseal=refusing("BID_KEY_WRONG", "contentKey", given.get("unseal"), DEFAULT.unseal),
    )


async def scheme_for(region_code: str) -> Scheme:
    found = await schemes.plugin_scheme(region_code)
    return _plugin_scheme(*found) if found else DEFAULT
