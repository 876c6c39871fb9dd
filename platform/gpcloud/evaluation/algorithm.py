"""The expert draw: core/draws.py's verifiable draw under the expert domain
(docs/evaluation.md states it for re-implementers)."""

from __future__ import annotations

from gpcloud.core.draws import Pairs, canonical, digest, seed_hash, snapshot_text
from gpcloud.core.draws import draw as _draw
from gpcloud.core.draws import reference_draw as _reference_draw

DOMAIN = b"gpcloud-expert-draw-v1"
__all__ = ["DOMAIN", "canonical", "digest", "draw", "reference_draw", "seed_hash", "snapshot_text"]


def draw(seed_hex: str, draw_id: int, snapshot: Pairs, picks: int) -> list[int]:
    """The expert ids picked, in order (fewer when the snapshot runs out)."""
    return _draw(DOMAIN, seed_hex, draw_id, snapshot, picks)


def reference_draw(seed_hex: str, draw_id: int, snapshot: Pairs, picks: int) -> list[int]:
    """The same draw, written as the definition reads (used to verify a draw)."""
    return _reference_draw(DOMAIN, seed_hex, draw_id, snapshot, picks)
