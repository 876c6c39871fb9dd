"""The plaintext inside a sealed bid: the structured bid form and the attached files.

Layout (docs/sealed-bids.md): b"GPCPKG1\\n", a big-endian u32 manifest length, the manifest
(UTF-8 JSON: {"form": {...}, "files": [{"name", "size", "sha256"}]}), then the files' bytes
back to back in manifest order. Binary files stay binary (no base64 inflation of 1 MB bids);
the form's numbers read back as Decimal (money is never a float).
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

from gpcloud.core import jsonutil
from gpcloud.core.errors import DomainError

PACKAGE_MAGIC = b"GPCPKG1\n"
MAX_FILES = 200
MAX_MANIFEST_BYTES = 1 << 20
_LENGTH = struct.Struct(">I")
_BAD_NAME_CHARS = set('/\\\x00:*?"<>|')


@dataclass(frozen=True)
class BidFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class BidPackage:
    form: dict
    files: list[BidFile]


def _invalid(why: str) -> DomainError:
    return DomainError("BID_PACKAGE_INVALID", f"the unsealed bid package is malformed: {why}")


def _check_name(name: object) -> str:
    if (
        not isinstance(name, str)
        or not name.strip()
        or name in {".", ".."}
        or len(name.encode("utf-8")) > 255
        or any(c in _BAD_NAME_CHARS or ord(c) < 32 for c in name)
    ):
        raise _invalid(f"bad file name {name!r}")
    return name


def pack(package: BidPackage) -> bytes:
    if not isinstance(package.form, dict):
        raise _invalid("the form is a JSON object")
    if len(package.files) > MAX_FILES:
        raise _invalid(f"more than {MAX_FILES} files")
    names = [_check_name(f.name) for f in package.files]
    if len(set(names)) != len(names):
        raise _invalid("two files with the same name")
    manifest = {
        "form": package.form,
        "files": [
            {
                "name": f.name,
                "size": len(f.content),
                "sha256": hashlib.sha256(f.content).hexdigest(),
            }
            for f in package.files
        ],
    }
    text = jsonutil.dumps(manifest).encode("utf-8")
    return b"".join(
        [PACKAGE_MAGIC, _LENGTH.pack(len(text)), text, *(bytes(f.content) for f in package.files)]
    )


def read_package(plaintext: bytes) -> BidPackage:
    """The bid package, every length and file hash checked; BID_PACKAGE_INVALID otherwise."""
    start = len(PACKAGE_MAGIC) + _LENGTH.size
    if len(plaintext) < start or not plaintext.startswith(PACKAGE_MAGIC):
        raise _invalid("no GPCPKG1 header")
    (length,) = _LENGTH.unpack_from(plaintext, len(PACKAGE_MAGIC))
    if length > MAX_MANIFEST_BYTES or start + length > len(plaintext):
        raise _invalid("manifest length out of range")
    try:
        manifest = jsonutil.loads(plaintext[start : start + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _invalid("the manifest is not UTF-8 JSON") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("form"), dict):
        raise _invalid("the manifest has no form object")
    entries = manifest.get("files", [])
    if not isinstance(entries, list) or len(entries) > MAX_FILES:
        raise _invalid(f"files is a list of at most {MAX_FILES} entries")
    files, offset, seen = [], start + length, set()
    for entry in entries:
        if not isinstance(entry, dict):
            raise _invalid("a file entry is an object")
        name, size = _check_name(entry.get("name")), entry.get("size")
        if name in seen:
            raise _invalid(f"file {name!r} twice")
        seen.add(name)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _invalid(f"file {name!r} has no size")
        content = plaintext[offset : offset + size]
        if len(content) != size:
            raise _invalid(f"file {name!r} is truncated")
        if hashlib.sha256(content).hexdigest() != entry.get("sha256"):
            raise _invalid(f"file {name!r} does not match its sha256")
        files.append(BidFile(name, content))
        offset += size
    if offset != len(plaintext):
        raise _invalid("bytes after the last file")
    return BidPackage(form=manifest["form"], files=files)
