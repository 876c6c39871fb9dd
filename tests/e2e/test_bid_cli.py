"""`gpcloud bid keygen | seal | unseal` as a bidder runs them, offline, as real processes."""

import base64
import json
import os
import stat

from gpcloud.transaction import bid_cli, sealing
from tests.e2e.test_cli import gpcloud


def test_keygen_seal_and_unseal_a_bid(tmp_path):
    keys, bid, opened = tmp_path / "keys", tmp_path / "bid", tmp_path / "opened"
    made = gpcloud("bid", "keygen", "--out", str(keys))
    assert made.returncode == 0, made.stderr
    assert f"signing public key: {(keys / 'signing.pub').read_text().strip()}" in made.stdout
    assert stat.S_IMODE(os.stat(keys / "sealing.key").st_mode) == 0o600
    again = gpcloud("bid", "keygen", "--out", str(keys))
    assert again.returncode != 0 and "exists" in again.stderr

    form = tmp_path / "form.json"
    form.write_text(json.dumps({"lot": "1", "price": "1234.50", "sme": True}), encoding="utf-8")
    offer = tmp_path / "技术方案.pdf"
    offer.write_bytes(b"%PDF-1.7 MARKER-3f9a " + os.urandom(1_000_000))
    result = gpcloud(
        "bid", "seal", "--project", "42", "--lot", "1", "--form", str(form),
        "--file", str(offer), "--keys", str(keys), "--out", str(bid),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    ciphertext = (bid / "bid.sealed").read_bytes()
    about = json.loads((bid / "bid.json").read_text())
    assert about["digest"] == sealing.check_sealed(ciphertext)
    assert (about["projectId"], about["lot"]) == (42, "1") == sealing.sealed_for(ciphertext)
    assert b"MARKER-3f9a" not in ciphertext and b"1234.50" not in ciphertext
    signing_public = bytes.fromhex((keys / "signing.pub").read_text())
    sealing.verify_bid_signature(
        signing_public, (bid / "bid.sig").read_bytes(), 42, "1", about["digest"]
    )

    printed = gpcloud("bid", "unseal", "--bid", str(bid), "--keys", str(keys))
    assert printed.returncode == 0, printed.stderr
    content_key = base64.b64decode(printed.stdout.strip())
    package = sealing.read_package(sealing.unseal(ciphertext, content_key))
    assert package.files[0].content == offer.read_bytes()

    local = gpcloud("bid", "unseal", "--bid", str(bid), "--keys", str(keys), "--out", str(opened))
    assert local.returncode == 0, local.stderr
    assert (opened / offer.name).read_bytes() == offer.read_bytes()
    assert json.loads((opened / "form.json").read_text()) == {
        "lot": "1",
        "price": "1234.50",
        "sme": True,
    }

    submitted = bid_cli.submit_input(bid, security="BH-2026-001")
    assert base64.b64decode(submitted["ciphertext"]) == ciphertext
    assert submitted["projectId"] == "42" and submitted["security"] == "BH-2026-001"


def test_another_bidders_key_does_not_unseal(tmp_path):
    for folder in ("mine", "theirs"):
        assert gpcloud("bid", "keygen", "--out", str(tmp_path / folder)).returncode == 0
    form = tmp_path / "form.json"
    form.write_text("{}", encoding="utf-8")
    sealed = gpcloud(
        "bid", "seal", "--project", "7", "--lot", "2", "--form", str(form),
        "--keys", str(tmp_path / "mine"), "--out", str(tmp_path / "bid"),
    )  # fmt: skip
    assert sealed.returncode == 0, sealed.stderr
    refused = gpcloud(
        "bid", "unseal", "--bid", str(tmp_path / "bid"), "--keys", str(tmp_path / "theirs")
    )
    assert refused.returncode != 0 and "BID_KEY_WRONG" in refused.stderr
