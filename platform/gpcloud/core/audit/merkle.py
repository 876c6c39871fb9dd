"""The audit log's Merkle tree, exactly as RFC 6962 §2.1 defines it (pure: no storage).

    leaf hash  = SHA-256(0x00 || leaf)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n

Proofs are computed as lists of leaf ranges `(start, end)`, each stood for by its MTH, so that
the store can load every hash a proof needs in one go (`hash_ranges`). Every range in a proof
splits into perfect subtrees `(start, size)` aligned on their size (`perfect_subtrees`); the log
keeps the larger ones (tables.AuditNode) and recomputes the smaller ones from leaf hashes.
Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]  # leaves [start, end)
Subtree = tuple[int, int]  # (start, size): a perfect subtree, start a multiple of size


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (the definition, recursively)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = split(n)
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


def perfect_subtrees(start: int, end: int) -> list[Subtree]:
    """The perfect subtrees whose hashes, folded from the right, give MTH(D[start:end]).

    Holds for every range a proof names: its start is a multiple of the largest power of two not
    above its length (RFC 6962's recursion only ever splits off such left parts)."""
    parts = []
    while end - start > 0:
        n = end - start
        size = n if n & (n - 1) == 0 else split(n)
        parts.append((start, size))
        start += size
    return parts


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees' hashes, left to right."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1 as ranges, leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return list(reversed(path))


def consistency_ranges(first: int, second: int) -> list[Range]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2 as ranges (empty when the sizes are equal)."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    path: list[Range] = []
    start, end, m, complete = 0, second, first, True
    while m != end - start:
        k = split(end - start)
        if m <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            m -= k
            start += k
            complete = False
    if not complete:
        path.append((start, end))
    return list(reversed(path))


class CompactRange:
    """The tree's right edge: one hash per perfect subtree the size splits into (its binary
    digits), enough to append leaves and compute the root without reading the leaves again."""

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()):
        if len(frontier) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} frontier hashes")
        self.size = size
        self.frontier = list(frontier)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the subtrees it completes as (level, index, hash), level > 0."""
        completed = []
        node, level, index = leaf, 0, self.size
        while (self.size >> level) & 1:
            node = node_hash(self.frontier.pop(), node)
            level += 1
            index >>= 1
            completed.append((level, index, node))
        self.frontier.append(node)
        self.size += 1
        return completed

    def root(self) -> bytes:
        return fold(self.frontier) if self.frontier else EMPTY_ROOT


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `path` lead from leaf hash `leaf` at `index` to the root?"""
    if not 0 <= index < size:
        return False
    fn, sn, result = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(p, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == expected_root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `second` leaves an append-only extension of `first`?"""
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    path = list(path)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def hash_ranges(ranges: Sequence[Range], subtree: Callable[[Subtree], bytes]) -> list[bytes]:
    """MTH of each range, given the hash of any perfect subtree."""
    return [fold([subtree(s) for s in perfect_subtrees(a, b)]) for a, b in ranges]
