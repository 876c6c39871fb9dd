"""The verifiable draw as a pure function, for every draw the platform runs: the evaluation's
expert draw (docs/evaluation.md, domain "gpcloud-expert-draw-v1") and the invited tender's draw
of invitees (docs/sealed-bids.md, "gpcloud-invitation-draw-v1"). The domain string separates
the draws' hash inputs: the same seed never yields related picks in two kinds of draw.

Inputs: the domain, a 32-byte seed, the draw's id, the snapshot (the eligible candidates as
[id, weight] with positive integer weights, sorted by id) and how many to pick. For pick
k = 0, 1, ...: T is the sum of the weights still in the list; r = H(domain, seed, draw, k, c)
mod T with c = 0, 1, ... the first counter whose 256-bit SHA-256 value lies below the largest
multiple of T (rejection sampling, so every r is equally likely); the pick is the first
remaining candidate, in id order, whose running weight sum exceeds r; it leaves the list.
Nothing depends on floats or the platform.

The commit-reveal around it is the caller's: a fresh seed (`new_seed`) whose `seed_hash` is
audited before the snapshot is frozen, the snapshot kept with its `digest`, the result with its
digest; anyone given the seed recomputes the result with `reference_draw`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, pairwise

Pairs = Sequence[Sequence[int]]  # [id, weight] lists (as stored) or tuples (as a draw builds)
SPACE = 1 << 256


def new_seed() -> str:
    """32 bytes from the operating system's CSPRNG, hex."""
    return secrets.token_bytes(32).hex()


def seed_hash(seed_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def canonical(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def digest(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def snapshot_text(snapshot: Pairs) -> str:
    """The snapshot as stored and digested (compact JSON; equal to `canonical`)."""
    return json.dumps(snapshot, separators=(",", ":"))


def _uniform(domain: bytes, seed: bytes, draw_id: int, k: int, total: int) -> int:
    limit = SPACE - SPACE % total
    c = 0
    while True:
        block = domain + seed + draw_id.to_bytes(8, "big") + k.to_bytes(4, "big")
        h = int.from_bytes(hashlib.sha256(block + c.to_bytes(4, "big")).digest(), "big")
        if h < limit:
            return h % total
        c += 1


def _check(snapshot: Pairs) -> None:
    if any(a[0] >= b[0] for a, b in pairwise(snapshot)):
        raise ValueError("the snapshot is sorted by id, each once")
    if any(type(w) is not int or w < 1 for _, w in snapshot):
        raise ValueError("weights are positive integers")


def draw(domain: bytes, seed_hex: str, draw_id: int, snapshot: Pairs, picks: int) -> list[int]:
    """The ids picked, in order (fewer when the snapshot runs out).

    Fast form: the running sums are computed once; a pick's r (counted over the remaining
    candidates) is moved past the removed ones before it, then found by bisection."""
    _check(snapshot)
    seed = bytes.fromhex(seed_hex)
    weights = [w for _, w in snapshot]
    sums = list(accumulate(weights))
    total = sums[-1] if sums else 0
    removed: list[int] = []  # indexes, kept sorted
    result = []
    for k in range(min(picks, len(snapshot))):
        x = _uniform(domain, seed, draw_id, k, total)
        for index in removed:
            if sums[index] - weights[index] <= x:
                x += weights[index]
            else:
                break
        index = bisect_right(sums, x)
        result.append(snapshot[index][0])
        removed.append(index)
        removed.sort()
        total -= weights[index]
    return result


def reference_draw(
    domain: bytes, seed_hex: str, draw_id: int, snapshot: Pairs, picks: int
) -> list[int]:
    """The same draw, written as the definition reads (used to verify a draw)."""
    _check(snapshot)
    seed = bytes.fromhex(seed_hex)
    remaining = [list(pair) for pair in snapshot]
    result = []
    for k in range(min(picks, len(snapshot))):
        r = _uniform(domain, seed, draw_id, k, sum(w for _, w in remaining))
        running = 0
        for i, (ident, weight) in enumerate(remaining):
            running += weight
            if running > r:
                result.append(ident)
                del remaining[i]
                break
    return result
