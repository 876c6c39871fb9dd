"""Signed tree heads over plain HTTP, for anyone who wants to hold the platform to them."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, get
from litestar.exceptions import ValidationException
from litestar.params import FromQuery

from gpcloud.core.audit import heads

MAX_HEADS = 100


@get("/audit/heads")
async def audit_heads(
    request: Request, before: FromQuery[int | None] = None, limit: FromQuery[int] = 20
) -> dict:
    """The platform's public key and its signed tree heads, newest first (`limit` at most 100);
    `links.next` pages on to older heads. heads.py documents the signed text."""
    if not 1 <= limit <= MAX_HEADS:
        raise ValidationException(detail=f"INVALID_LIMIT: limit is 1 to {MAX_HEADS}")
    page = await heads.newest_first(before, limit)
    next_uri = None
    if len(page) == limit and page[-1].tree_size > 1:
        query = urlencode({"before": page[-1].tree_size, "limit": limit})
        next_uri = f"{str(request.base_url).rstrip('/')}{request.url.path}?{query}"
    public_key = heads.public_key()
    return {
        "public_key": public_key,
        "key_id": heads.key_id(public_key),
        "signed_text_format": f"{heads.TITLE}\\ntree_size N\\nroot_hash HEX\\nsigned_at ISO8601\\n",
        "heads": [head.as_json() for head in page],
        "links": {"next": next_uri},
    }
