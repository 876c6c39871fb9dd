"""Sealed electronic bids (gpcloud-bid-v1): the format, its checks, the platform's receipts and
the reference client's sealing. The transaction domain calls these; docs/sealed-bids.md is the
specification a browser client implements.
"""

from gpcloud.transaction.sealing.envelope import (
    FORMAT,
    SealedBid,
    bid_message,
    check_sealed,
    digest_of,
    generate_sealing_key,
    generate_signing_key,
    raw_public,
    recover_content_key,
    seal,
    sealed_for,
    unseal,
    verify_bid_signature,
    wrap_key,
)
from gpcloud.transaction.sealing.package import BidFile, BidPackage, pack, read_package
from gpcloud.transaction.sealing.receipts import (
    canonical_json,
    sign_receipt,
    verify_receipt,
)

__all__ = [
    "FORMAT",
    "BidFile",
    "BidPackage",
    "Scheme",
    "SealedBid",
    "bid_message",
    "canonical_json",
    "check_sealed",
    "digest_of",
    "generate_sealing_key",
    "generate_signing_key",
    "pack",
    "raw_public",
    "read_package",
    "recover_content_key",
    "seal",
    "scheme_for",
    "sealed_for",
    "sign_receipt",
    "unseal",
    "verify_bid_signature",
    "verify_receipt",
    "wrap_key",
]


def __getattr__(name: str):
    """The plugin-aware scheme lookup loads the plugin machinery: only when asked for, so the
    reference client (gpcloud bid) starts without it."""
    if name in ("Scheme", "scheme_for"):
        from gpcloud.transaction.sealing import scheme

        return getattr(scheme, name)
    raise AttributeError(name)
