"""OCDS release packages in the legacy migration: each release is kept whole, as published (an
OcdsRelease row that /ocds serves back unchanged), and a notice is derived from it for the
portal's search and pages. Nothing of the release is rebuilt from the notice.

The notice's stage is the furthest stage the release's tags name (a ["tender", "award",
"contract"] release is a contract notice; its awards stay in the stored release). Its day is
the release's instant in China time (a `2019-12-31T22:00-04:00` release is of 2020-01-01).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.portal.legacy_records import Record, Rejected, fen_of
from gpcloud.portal.tables import STAGES, OcdsRelease

CHINA = timezone(timedelta(hours=8))
LEGACY_ID = 48  # legacy_id's length (Notice.source is "legacy:" and it)
MAX_OCID = 64  # Notice.ocid
# The largest release kept: /ocds serves up to 500 of them on an anonymous page.
MAX_RELEASE = 1024 * 1024
# OCDS releaseTag codelist (1.1) -> notice kinds; `compiled` is not a release of a publisher.
OCDS_KINDS = {
    "planning": "plan",
    "planningUpdate": "plan",
    "tender": "tender",
    "tenderAmendment": "correction",
    "tenderUpdate": "correction",
    "tenderCancellation": "correction",
    "award": "result",
    "awardUpdate": "result",
    "awardCancellation": "result",
    "contract": "contract",
    "contractUpdate": "contract",
    "contractAmendment": "contract",
    "implementation": "acceptance",
    "implementationUpdate": "acceptance",
    "contractTermination": "acceptance",
}


def legacy_id(ocid: str, release_id: str) -> str:
    """The release's key among migrated notices: ocid/id, or its digest when longer (cutting
    it would drop the ocid, and two processes' releases would collide)."""
    key = f"{ocid}/{release_id}"
    return key if len(key) <= LEGACY_ID else hashlib.sha256(key.encode()).hexdigest()[:LEGACY_ID]


def moment(value) -> datetime:
    """The release's instant; a time without a zone is read as China time."""
    try:
        found = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        raise Rejected(
            "INVALID_OCDS_DATE", f"date {value!r}: a date-time like 2020-06-30T09:30:00Z"
        ) from None
    return found if found.tzinfo else found.replace(tzinfo=CHINA)


def _name_of(release: dict, field: str, role: str) -> str:
    named = release.get(field) if field == "buyer" else (release.get("tender") or {}).get(field)
    if isinstance(named, dict) and named.get("name"):
        return str(named["name"])
    for party in release.get("parties") or []:
        if isinstance(party, dict) and role in (party.get("roles") or []) and party.get("name"):
            return str(party["name"])
    return ""


def _objects(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def record(release: dict, region: str, extensions: str) -> Record:
    """The notice a release makes, carrying the release itself."""
    if not isinstance(release, dict):
        raise Rejected("INVALID_OCDS_RELEASE", "a release is a JSON object")
    ocid, release_id = release.get("ocid"), release.get("id")
    if not isinstance(ocid, str) or not ocid or release_id in (None, ""):
        raise Rejected("INVALID_OCDS_RELEASE", "a release needs its ocid and id")
    if len(ocid) > MAX_OCID:
        raise Rejected("OCID_TOO_LONG", f"ocid {ocid}: at most {MAX_OCID} characters")
    tags = release.get("tag") if isinstance(release.get("tag"), list) else []
    kinds = [OCDS_KINDS[t] for t in tags if isinstance(t, str) and t in OCDS_KINDS]
    if not kinds:
        raise Rejected(
            "UNKNOWN_OCDS_TAG", f"tag {json.dumps(tags)}: none of {', '.join(OCDS_KINDS)}"
        )
    kind = max(kinds, key=STAGES.index)
    kept = json.dumps(release, ensure_ascii=False)
    if len(kept.encode()) > MAX_RELEASE:
        raise Rejected("RELEASE_TOO_LARGE", f"release {release_id}: more than 1 MB of JSON")
    at = moment(release.get("date"))
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    awards, contracts = _objects(release.get("awards")), _objects(release.get("contracts"))
    planning = release.get("planning") if isinstance(release.get("planning"), dict) else {}
    part = {
        "result": awards[-1] if awards else {},
        "contract": contracts[-1] if contracts else {},
        "acceptance": contracts[-1] if contracts else {},
        "plan": planning.get("budget") or {},
    }.get(kind, tender)
    value = part.get("value") or part.get("amount") or tender.get("value") or {}
    value = value if isinstance(value, dict) else {}
    body = str(part.get("description") or tender.get("description") or "")
    amount = value.get("amount")
    if amount is not None and value.get("currency", "CNY") != "CNY":
        # Notices hold yuan: the page says the other currency in words (the release keeps it).
        body, amount = f"{body}\n金额：{amount} {value.get('currency')}".strip(), None
    names = []
    for award in awards:
        for supplier in _objects(award.get("suppliers")):
            name = str(supplier.get("name") or "")[:128]
            if name and name not in names:
                names.append(name)
    title = part.get("title") or tender.get("title") or planning.get("project") or release_id
    return Record(
        legacy_id=legacy_id(ocid, str(release_id)),
        kind=kind,
        region_code=region,
        title=str(title)[:200],
        body=body,
        published_on=at.astimezone(CHINA).date(),
        published_at=at,
        ocid=ocid,
        method=str(tender.get("procurementMethod") or "")[:32],
        purchaser_name=_name_of(release, "buyer", "buyer")[:128],
        agency_name=_name_of(release, "procuringEntity", "procuringEntity")[:128],
        amount_fen=fen_of(amount),
        suppliers=tuple((n, None) for n in names),
        release=kept,
        extensions=extensions,
    )


def read(path: Path, region: str) -> Iterator[tuple[int, Record | None, Rejected | None]]:
    """(release number, record or None, why not) for every release of a release package."""
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
        releases = package["releases"]
        if not isinstance(releases, list):
            raise TypeError("releases is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        yield 1, None, Rejected("INVALID_OCDS", f"not an OCDS release package: {exc}")
        return
    declared = package.get("extensions")
    extensions = json.dumps(declared if isinstance(declared, list) else [], ensure_ascii=False)
    for number, release in enumerate(releases, 1):
        try:
            yield number, record(release, region, extensions), None
        except Rejected as exc:
            yield number, None, exc
        except (ValueError, TypeError, AttributeError) as exc:
            yield number, None, Rejected("INVALID_OCDS_RELEASE", f"not a release: {exc}")


async def stored(notice_ids: list[int]) -> dict[int, tuple[dict, list[str]]]:
    """The releases kept for these notices, as published, with their package's extensions."""
    if not notice_ids:
        return {}
    with all_tenants("portal: OCDS releases of published notices are public", audited=False):
        rows = await OcdsRelease.select(
            OcdsRelease.notice, OcdsRelease.body, OcdsRelease.extensions
        ).where(OcdsRelease.notice.is_in(notice_ids))
    return {r["notice"]: (json.loads(r["body"]), json.loads(r["extensions"])) for r in rows}
