"""The reference bid client (`gpcloud bid keygen | seal | submit | unseal`): what tests, the
demo and agencies' own tools use to do the whole sealed-bid flow of docs/sealed-bids.md.

Runs on the bidder's machine: nothing here needs the platform's database or settings, and the
private keys never leave the key folder (hex, mode 0600). A sealed bid is a folder:
bid.sealed (ciphertext), bid.key (wrapped content key), bid.sig (signature), bid.json (what it
is: project, lot, digest) and, once submitted, receipt.json.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from gpcloud.core import jsonutil
from gpcloud.core.errors import DomainError
from gpcloud.transaction import sealing

SUBMIT = """mutation($input: SubmitBidInput!) { submitBid(input: $input) {
  bid { id } receipt { digest receivedAt signature content } errors { code message } } }"""
KEY_FILES = {"signing": Ed25519PrivateKey, "sealing": X25519PrivateKey}


def _private_hex(key) -> str:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def keygen(folder: Path, force: bool = False) -> dict[str, str]:
    """New signing and sealing keys; returns their public halves (hex) to register."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = {"signing": sealing.generate_signing_key(), "sealing": sealing.generate_sealing_key()}
    for purpose in keys:
        if (folder / f"{purpose}.key").exists() and not force:
            raise click.ClickException(f"{folder / f'{purpose}.key'} exists (--force replaces it)")
    public = {}
    for purpose, key in keys.items():
        path = folder / f"{purpose}.key"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(_private_hex(key) + "\n")
        public[purpose] = sealing.raw_public(key).hex()
        (folder / f"{purpose}.pub").write_text(public[purpose] + "\n")
    return public


def load_key(folder: Path, purpose: str):
    path = folder / f"{purpose}.key"
    try:
        return KEY_FILES[purpose].from_private_bytes(bytes.fromhex(path.read_text().strip()))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: not a {purpose} key ({exc})") from None


def seal_folder(
    *, project_id: int, lot: str, form: Path, files: list[Path], keys: Path, out: Path
) -> sealing.SealedBid:
    try:
        form_value = jsonutil.loads(form.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{form}: not a JSON object ({exc})") from None
    package = sealing.BidPackage(
        form=form_value, files=[sealing.BidFile(f.name, f.read_bytes()) for f in files]
    )
    bid = sealing.seal(
        package,
        project_id=project_id,
        lot=lot,
        signing_key=load_key(keys, "signing"),
        sealing_public_key=load_key(keys, "sealing").public_key(),
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "bid.sealed").write_bytes(bid.ciphertext)
    (out / "bid.key").write_bytes(bid.wrapped_key)
    (out / "bid.sig").write_bytes(bid.signature)
    about = {
        "format": sealing.FORMAT,
        "projectId": project_id,
        "lot": lot,
        "digest": bid.digest,
        "files": [f.name for f in files],
    }
    (out / "bid.json").write_text(json.dumps(about, ensure_ascii=False, indent=2) + "\n")
    return bid


def _about(bid: Path) -> dict:
    try:
        return json.loads((bid / "bid.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{bid}: not a sealed bid folder ({exc})") from None


def submit_input(bid: Path, security: str | None = None) -> dict:
    """The SubmitBidInput of a sealed bid folder, byte fields in base64."""
    about = _about(bid)
    b64 = lambda name: base64.b64encode((bid / name).read_bytes()).decode("ascii")  # noqa: E731
    value = {
        "projectId": str(about["projectId"]),
        "lot": about["lot"],
        "ciphertext": b64("bid.sealed"),
        "wrappedKey": b64("bid.key"),
        "signature": b64("bid.sig"),
    }
    if security:
        value["security"] = security
    return value


def submit(
    url: str, token: str, bid: Path, security: str | None = None, platform_key: str | None = None
) -> dict:
    """Upload the bid; with `platform_key` (hex) the receipt's signature is checked too."""
    body = json.dumps({"query": SUBMIT, "variables": {"input": submit_input(bid, security)}})
    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            result = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise click.ClickException(f"{url}: HTTP {exc.code} {exc.read()[:500]!r}") from None
    except urllib.error.URLError as exc:
        raise click.ClickException(f"{url}: {exc.reason}") from None
    if result.get("errors"):
        raise click.ClickException(f"refused: {result['errors']}")
    payload = result["data"]["submitBid"]
    if payload["errors"]:
        raise click.ClickException(
            "refused: " + "; ".join(f"{e['code']}: {e['message']}" for e in payload["errors"])
        )
    receipt = {"bidId": payload["bid"]["id"], **payload["receipt"]}
    content = json.loads(receipt["content"])
    if content.get("digest") != _about(bid)["digest"]:
        raise click.ClickException(f"the receipt names another digest: {content.get('digest')}")
    if platform_key and not sealing.verify_receipt(content, receipt["signature"], platform_key):
        raise click.ClickException("the receipt's signature does not verify with that key")
    (bid / "receipt.json").write_text(json.dumps(receipt, indent=2) + "\n")
    return receipt


def content_key(bid: Path, keys: Path) -> bytes:
    return sealing.recover_content_key((bid / "bid.key").read_bytes(), load_key(keys, "sealing"))


def unseal_folder(bid: Path, keys: Path, out: Path) -> sealing.BidPackage:
    """Decrypt a sealed bid locally (the bidder checking what it sent)."""
    package = sealing.read_package(
        sealing.unseal((bid / "bid.sealed").read_bytes(), content_key(bid, keys))
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "form.json").write_text(jsonutil.dumps(package.form) + "\n", encoding="utf-8")
    for f in package.files:  # names were checked by read_package: no separators, no ".."
        (out / f.name).write_bytes(f.content)
    return package


# The commands (cli.py adds the group)

_folder = click.Path(path_type=Path, file_okay=False)


@click.group()
def bid() -> None:
    """The reference bid client: keys, sealing, submission, unsealing (docs/sealed-bids.md)."""


@bid.command("keygen")
@click.option("--out", "folder", type=_folder, required=True, help="Folder for the key files.")
@click.option("--force", is_flag=True, help="Replace existing key files.")
def keygen_command(folder: Path, force: bool) -> None:
    """New Ed25519 signing and X25519 sealing keys; prints the public keys to register
    (registerSigningKey, registerSealingKey)."""
    for purpose, value in keygen(folder, force).items():
        click.echo(f"{purpose} public key: {value}")


@bid.command("seal")
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
@click.option("--lot", required=True)
@click.option("--form", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True)
@click.option(
    "--file", "files", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--keys", type=_folder, required=True)
@click.option("--out", type=_folder, required=True, help="Folder for the sealed bid.")
def seal_command(project_id, lot, form, files, keys, out) -> None:
    """Seal a bid form (JSON) and its files for a project's lot, signed with your key."""
    try:
        sealed = seal_folder(
            project_id=project_id, lot=lot, form=form, files=list(files), keys=keys, out=out
        )
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: {exc}") from None
    click.echo(f"sealed {len(sealed.ciphertext)} bytes, sha256 {sealed.digest} -> {out}")


@bid.command("submit")
@click.option("--url", required=True, help="The platform's GraphQL endpoint, .../graphql.")
@click.option("--token", envvar="GPCLOUD_TOKEN", required=True, help="Your bearer token.")
@click.option("--bid", "folder", type=_folder, required=True)
@click.option("--security", default=None, help="Bid bond: deposit or e-guarantee reference.")
@click.option("--platform-key", default=None, help="Check the receipt with this key (hex).")
def submit_command(url, token, folder, security, platform_key) -> None:
    """Upload a sealed bid; keeps the platform's signed receipt in receipt.json."""
    receipt = submit(url, token, folder, security, platform_key)
    click.echo(f"bid {receipt['bidId']} received {receipt['receivedAt']}, {receipt['digest']}")


@bid.command("unseal")
@click.option("--bid", "folder", type=_folder, required=True)
@click.option("--keys", type=_folder, required=True)
@click.option("--out", type=_folder, default=None, help="Decrypt here instead of printing the key.")
def unseal_command(folder, keys, out) -> None:
    """Print the content key (base64) to give at the opening (unsealBid), or with --out decrypt
    the bid here."""
    try:
        if out is None:
            click.echo(base64.b64encode(content_key(folder, keys)).decode("ascii"))
            return
        package = unseal_folder(folder, keys, out)
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: {exc}") from None
    click.echo(f"form.json and {len(package.files)} file(s) -> {out}")
