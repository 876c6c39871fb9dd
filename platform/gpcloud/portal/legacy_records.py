"""A record of the old portal as the legacy migration reads it (JSON Lines or CSV, or derived
from an OCDS release: legacy_ocds.py), and why one is rejected.

A rejection carries a stable code and an English message with its values, like a UserError:
the reject report words it from the message catalogue (core/i18n.py) in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gpcloud.core.i18n import SOURCE, language, translate
from gpcloud.core.imports.columns import CellError, fen
from gpcloud.portal.tables import KINDS
from gpcloud.settings import get_settings


@dataclass(frozen=True)
class Record:
    legacy_id: str
    kind: str
    region_code: str
    title: str
    body: str
    published_on: date
    ocid: str
    method: str = ""
    purchaser_name: str = ""
    agency_name: str = ""
    amount_fen: int | None = None
    suppliers: tuple[tuple[str, int | None], ...] = ()
    published_at: datetime | None = None  # the instant, where the source gives one
    release: str = ""  # an OCDS release's JSON, as published
    extensions: str = "[]"  # its package's extensions


class Rejected(ValueError):
    """Why a record is not migrated: a code for programs, a message for the report."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.code = code
        self.message = message
        self.field = field  # the record's field (as the file names it), said before the message

    def words(self) -> str:
        said = translate(self.code, self.message)
        colon = ": " if language.get() == SOURCE else "："
        return f"{self.field}{colon}{said}" if self.field else said


def fen_of(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return fen(str(value))
    except ValueError as exc:
        code = exc.code if isinstance(exc, CellError) else "INVALID_AMOUNT"
        raise Rejected(code, str(exc), f"amount {value!r}") from None


def parse(raw: dict, regions: frozenset[str]) -> Record:
    """A JSONL object or CSV row, checked."""
    legacy_id = str(raw.get("legacy_id") or "").strip()
    if not legacy_id or len(legacy_id) > 48:
        raise Rejected("INVALID_LEGACY_ID", "legacy_id: 1 to 48 characters")
    kind = str(raw.get("kind") or "").strip()
    if kind not in KINDS:
        raise Rejected("UNKNOWN_KIND", f"kind: one of {', '.join(KINDS)}")
    region = str(raw.get("region_code") or "").strip()
    if region not in regions:
        raise Rejected("UNKNOWN_REGION", f"region_code: no region {region!r}")
    title = str(raw.get("title") or "").strip()
    if not 1 <= len(title) <= 200:
        raise Rejected("INVALID_TITLE", "title: 1 to 200 characters")
    try:
        published = date.fromisoformat(str(raw.get("published_on") or "")[:10])
    except ValueError:
        raise Rejected("INVALID_DATE", "published_on: a date like 2020-06-30") from None
    suppliers = raw.get("suppliers") or []
    if isinstance(suppliers, str):  # CSV: "name:amount;name:amount"
        suppliers = [
            dict(zip(("name", "amount"), part.split(":", 1), strict=False))
            for part in suppliers.split(";")
            if part.strip()
        ]
    if not isinstance(suppliers, list) or not all(isinstance(s, dict) for s in suppliers):
        raise Rejected("INVALID_SUPPLIERS", "suppliers: a list of {name, amount}")
    project = str(raw.get("project_code") or "").strip()
    return Record(
        legacy_id=legacy_id,
        kind=kind,
        region_code=region,
        title=title,
        body=str(raw.get("body") or "").strip(),
        published_on=published,
        ocid=f"{get_settings().ocid_prefix}-legacy-{project}" if project else "",
        method=str(raw.get("method") or "").strip()[:32],
        purchaser_name=str(raw.get("purchaser_name") or "").strip()[:128],
        agency_name=str(raw.get("agency_name") or "").strip()[:128],
        amount_fen=fen_of(raw.get("amount")),
        suppliers=tuple(
            (str(s.get("name") or "").strip()[:128], fen_of(s.get("amount"))) for s in suppliers
        ),
    )
