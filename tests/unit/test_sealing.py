"""The sealed bid format against its specification (docs/sealed-bids.md) and its failure modes."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from gpcloud.core.errors import DomainError
from gpcloud.settings import PROJECT_ROOT
from gpcloud.transaction import sealing
from gpcloud.transaction.sealing import receipts
from gpcloud.transaction.sealing.package import pack

DOC = PROJECT_ROOT / "docs" / "sealed-bids.md"


def _vector() -> dict[str, str]:
    block = re.search(r"```vector\n(.*?)```", DOC.read_text(), re.S).group(1)
    return dict(line.split(": ", 1) for line in block.splitlines() if line)


def _code(excinfo) -> str:
    return excinfo.value.code


@pytest.fixture(scope="module")
def keys():
    return sealing.generate_signing_key(), sealing.generate_sealing_key()


def _sealed(keys, package=None, project_id=7, lot="1"):
    signing, sealing_key = keys
    package = package or sealing.BidPackage({"price": "99.50"}, [sealing.BidFile("a.txt", b"x")])
    bid = sealing.seal(
        package,
        project_id=project_id,
        lot=lot,
        signing_key=signing,
        sealing_public_key=sealing_key.public_key(),
    )
    return bid, sealing.recover_content_key(bid.wrapped_key, sealing_key)


def test_documented_vector_matches_the_code():
    v = _vector()
    signing = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v["signing_private"]))
    sealing_key = X25519PrivateKey.from_private_bytes(bytes.fromhex(v["sealing_private"]))
    ephemeral = X25519PrivateKey.from_private_bytes(bytes.fromhex(v["ephemeral_private"]))
    assert sealing.raw_public(signing).hex() == v["signing_public"]
    assert sealing.raw_public(sealing_key).hex() == v["sealing_public"]
    assert sealing.raw_public(ephemeral).hex() == v["ephemeral_public"]
    package = sealing.BidPackage(
        {"currency": "CNY", "lot": "1", "price": "1234.50"},
        [sealing.BidFile("offer.txt", "报价 1234.50".encode())],
    )
    assert pack(package).hex() == v["plaintext"]
    bid = sealing.seal(
        package,
        project_id=int(v["project_id"]),
        lot=v["lot"],
        signing_key=signing,
        sealing_public_key=bytes.fromhex(v["sealing_public"]),
        content_key=bytes.fromhex(v["content_key"]),
        nonce=bytes.fromhex(v["nonce"]),
        wrap_nonce=bytes.fromhex(v["wrap_nonce"]),
        ephemeral=ephemeral,
    )
    assert bid.ciphertext.hex() == v["ciphertext"]
    assert bid.digest == v["digest"] == sealing.check_sealed(bytes.fromhex(v["ciphertext"]))
    assert bid.wrapped_key.hex() == v["wrapped_key"]
    assert bid.signature.hex() == v["signature"]
    # the other direction: from the documented bytes alone
    content_key = sealing.recover_content_key(bytes.fromhex(v["wrapped_key"]), sealing_key)
    assert content_key.hex() == v["content_key"]
    opened = sealing.read_package(sealing.unseal(bytes.fromhex(v["ciphertext"]), content_key))
    assert opened == package
    sealing.verify_bid_signature(
        bytes.fromhex(v["signing_public"]), bytes.fromhex(v["signature"]), 42, "1", v["digest"]
    )

    receipt = {
        "bid": 9,
        "bidder_organisation": 17,
        "bidder_name": "兴宁市合水电子科技有限公司",
        "bidder_uscc": "91441481MA4W00006",
        "project": 42,
        "lot": "1",
        "digest": v["digest"],
        "size": len(bid.ciphertext),
        "received_at": datetime(2026, 12, 6, 9, 59, 58, 123456, tzinfo=UTC).isoformat(),
    }
    message = v["receipt_message_utf8"].replace("\\n", "\n").encode()
    assert receipts.receipt_message(receipt) == message
    platform = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v["platform_private"]))
    assert base64.b64encode(platform.sign(message)).decode() == v["receipt_signature_base64"]
    assert sealing.verify_receipt(receipt, v["receipt_signature_base64"], v["platform_public"])


def test_round_trip_of_a_one_megabyte_bid(keys):
    big = bytes(range(256)) * 4096  # 1 MiB
    package = sealing.BidPackage(
        {"lots": [{"lot": "1", "price": "1000000.00"}], "sme": True},
        [sealing.BidFile("技术方案.pdf", b"%PDF-1.7\n" + big), sealing.BidFile("empty.txt", b"")],
    )
    bid, key = _sealed(keys, package)
    assert len(bid.ciphertext) > len(big)
    assert sealing.check_sealed(bid.ciphertext) == bid.digest
    assert sealing.sealed_for(bid.ciphertext) == (7, "1")
    assert sealing.read_package(sealing.unseal(bid.ciphertext, key)) == package
    assert big not in bid.ciphertext


def test_tampered_ciphertext_does_not_open(keys):
    bid, key = _sealed(keys)
    for position in (len(bid.ciphertext) - 1, 40, 9):  # tag, body, project id in the header
        tampered = bytearray(bid.ciphertext)
        tampered[position] ^= 1
        assert sealing.check_sealed(bytes(tampered)) != bid.digest
        with pytest.raises(DomainError) as e:
            sealing.unseal(bytes(tampered), key)
        assert _code(e) == "BID_KEY_WRONG"


def test_wrong_key_does_not_open(keys):
    bid, key = _sealed(keys)
    with pytest.raises(DomainError) as e:
        sealing.unseal(bid.ciphertext, bytes(32))
    assert _code(e) == "BID_KEY_WRONG"
    with pytest.raises(DomainError) as e:
        sealing.unseal(bid.ciphertext, key[:16])
    assert _code(e) == "BID_KEY_WRONG"
    with pytest.raises(DomainError) as e:
        sealing.recover_content_key(bid.wrapped_key, sealing.generate_sealing_key())
    assert _code(e) == "BID_KEY_WRONG"


@pytest.mark.parametrize(
    "upload",
    [
        json.dumps({"price": "99.50", "lot": "1"}).encode(),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" * 3,
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(60),
        "投标报价：九十九元五角，交货期三十天。".encode() * 4,
        b"",
        b"GPCBID\x01\x00",  # header only
        b"GPCBID\x02\x00" + bytes(60),  # another version
    ],
)
def test_plaintext_is_refused(upload):
    with pytest.raises(DomainError) as e:
        sealing.check_sealed(upload)
    assert _code(e) == "BID_NOT_SEALED"


def test_signature_binds_project_lot_and_digest(keys):
    bid, _ = _sealed(keys)
    public = sealing.raw_public(keys[0])
    sealing.verify_bid_signature(public, bid.signature, 7, "1", bid.digest)
    for project_id, lot, digest in [(8, "1", bid.digest), (7, "2", bid.digest), (7, "1", "0" * 64)]:
        with pytest.raises(DomainError) as e:
            sealing.verify_bid_signature(public, bid.signature, project_id, lot, digest)
        assert _code(e) == "BID_SIGNATURE_INVALID"
    other = sealing.raw_public(sealing.generate_signing_key())
    with pytest.raises(DomainError) as e:
        sealing.verify_bid_signature(other, bid.signature, 7, "1", bid.digest)
    assert _code(e) == "BID_SIGNATURE_INVALID"
    with pytest.raises(DomainError) as e:
        sealing.verify_bid_signature(b"short", bid.signature, 7, "1", bid.digest)
    assert _code(e) == "BID_SIGNATURE_INVALID"


def test_malformed_packages_are_refused():
    good = pack(sealing.BidPackage({"a": 1}, [sealing.BidFile("f", b"abc")]))
    for bad in (
        b"",
        good[:-1],
        good + b"!",
        b"GPCPKG1\n\x00\x00\x00\x02[]",
        good.replace(b"abc", b"abd"),
    ):
        with pytest.raises(DomainError) as e:
            sealing.read_package(bad)
        assert _code(e) == "BID_PACKAGE_INVALID"
    for name in ("../x", "", "a/b"):
        with pytest.raises(DomainError):
            pack(sealing.BidPackage({}, [sealing.BidFile(name, b"")]))


def test_platform_receipt_signature():
    receipt = {"bid": 3, "digest": "ab", "lot": "一", "received_at": "2026-12-06T10:00:00+00:00"}
    signature = sealing.sign_receipt(receipt)
    assert sealing.verify_receipt(receipt, signature)
    assert sealing.verify_receipt(json.loads(json.dumps(receipt, indent=1)), signature)
    assert not sealing.verify_receipt({**receipt, "bid": 4}, signature)
    assert not sealing.verify_receipt(receipt, "not base64!")
