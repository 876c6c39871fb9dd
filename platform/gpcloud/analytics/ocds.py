"""Red flags on an uploaded OCDS file (a release or record package, or JSON lines of compiled
releases): each contracting process mapped to a flags.Process and checked like the platform's
own, with cardinal-rs' quartile fences computed over the file for R024, R058 and R038. Read
only: nothing is stored."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from gpcloud.analytics import flags as red
from gpcloud.core.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
MAX_PROCESSES = 20000
# OCDS bid statuses (bidStatus codelist): valid counts, disqualified is disqualified; pending
# and invited bids are neither.
STATUSES = {"valid": red.VALID, "disqualified": red.DISQUALIFIED}


def _releases(data: bytes) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise DomainError("FILE_TOO_LARGE", f"at most {MAX_BYTES // 1024 // 1024} MB", "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("INVALID_OCDS", "UTF-8 JSON", "file") from None
    try:
        parsed = json.loads(text)
        items = [parsed]
    except json.JSONDecodeError:
        try:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise DomainError("INVALID_OCDS", f"not JSON (line {exc.lineno})", "file") from None
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise DomainError("INVALID_OCDS", "a package, a release or JSON lines", "file")
        if "records" in item:
            out += [r.get("compiledRelease") or {} for r in item["records"] or []]
        elif "releases" in item:
            out += list(item["releases"] or [])
        else:
            out.append(item)
    if len(out) > MAX_PROCESSES:
        raise DomainError("FILE_TOO_LARGE", f"at most {MAX_PROCESSES} processes", "file")
    return [r for r in out if isinstance(r, dict) and r.get("ocid")]


def _date(value) -> date | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _instant(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _fen(value) -> int | None:
    try:
        return int(Decimal(str((value or {}).get("amount"))) * 100)
    except (InvalidOperation, TypeError, ValueError):
        return None


def process(release: dict) -> red.Process:
    """One compiled release as a flags.Process (a release's later stages merge by ocid)."""
    tender = release.get("tender") or {}
    period = tender.get("tenderPeriod") or {}
    bids = []
    for bid in (release.get("bids") or {}).get("details") or []:
        status = STATUSES.get(str(bid.get("status", "")).lower())
        for who in bid.get("tenderers") or []:
            if status:
                bids.append(
                    red.Bid(
                        str(who.get("id") or who.get("name")),
                        _fen(bid.get("value")),
                        _instant(bid.get("date")),
                        status,
                    )
                )
    winners = sorted(
        {
            str(s.get("id") or s.get("name"))
            for a in release.get("awards") or []
            if a.get("status") == "active"
            for s in a.get("suppliers") or []
        }
    )
    method = tender.get("procurementMethod") or ""
    return red.Process(
        key=release["ocid"],
        method=method,
        buyer=str((release.get("buyer") or {}).get("id") or ""),
        tender_start=_date(period.get("startDate")),
        tender_end=_date(period.get("endDate")),
        deadline_at=_instant(period.get("endDate")),
        bid_period_min=15 if method == "open" else None,  # cardinal-rs' default threshold
        bids=tuple(bids),
        winners=tuple(winners),
    )


def _merged(releases: list[dict]) -> list[red.Process]:
    """Releases of the same ocid merged: the later stage's sections win."""
    by_ocid: dict[str, dict] = {}
    for r in releases:
        by_ocid.setdefault(r["ocid"], {}).update({k: v for k, v in r.items() if v})
    return [process(r) for r in by_ocid.values()]


def flag_file(data: bytes) -> list[tuple[str, red.Flag]]:
    """[(ocid or buyer, flag)] for the file, fences over the file where cardinal-rs uses them."""
    processes = _merged(_releases(data))
    diffs = [d for p in processes if (d := red.difference(p)) is not None]
    limits = red.fences(diffs)
    low, high = limits if limits else (red.R024_THRESHOLD, red.R058_THRESHOLD)
    out = []
    for p in processes:
        for check in (red.r003, red.r018, red.r028, red.r030, red.r035, red.r036):
            if (flag := check(p)) is not None:
                out.append((p.key, flag))
        if (flag := red.r024(p, low)) is not None:
            out.append((p.key, flag))
        if (flag := red.r058(p, high)) is not None:
            out.append((p.key, flag))
    for buyer, flag in red.r038(processes).items():
        out.append((buyer, flag))
    return out
