"""The audit log's Merkle tree against RFC 6962: test vectors, and every proof of small trees
checked by the RFC 9162 verifiers, honest and altered."""

import pytest

from gpcloud.core.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_ranges,
    hash_ranges,
    inclusion_ranges,
    leaf_hash,
    perfect_subtrees,
    root,
    verify_consistency,
    verify_inclusion,
)

# The inputs and roots of the Certificate Transparency reference implementation's tests.
VECTOR_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAVES = [leaf_hash(f"entry {i}".encode()) for i in range(70)]


def subtree_hash(subtree):
    start, size = subtree
    assert start % size == 0 and size & (size - 1) == 0, subtree
    return root(LEAVES[start : start + size])


def test_roots_match_the_rfc_test_vectors():
    leaves = [leaf_hash(d) for d in VECTOR_LEAVES]
    assert root([]) == EMPTY_ROOT
    assert [root(leaves[:n]).hex() for n in range(1, 9)] == VECTOR_ROOTS


def test_the_compact_range_tracks_the_root_and_reports_completed_subtrees():
    tree = CompactRange()
    completed = {}
    for n, leaf in enumerate(LEAVES, 1):
        for level, index, value in tree.append(leaf):
            completed[(level, index)] = value
        assert tree.root() == root(LEAVES[:n])
    assert completed[(3, 2)] == root(LEAVES[16:24])
    assert completed[(6, 0)] == root(LEAVES[:64])
    resumed = CompactRange(tree.size, tree.frontier)
    resumed.append(LEAVES[0])
    assert resumed.root() == root([*LEAVES, LEAVES[0]])
    with pytest.raises(ValueError):
        CompactRange(5, tree.frontier[:1])


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 16, 17, 31, 64, 70])
def test_every_inclusion_proof_verifies_and_an_altered_one_does_not(size):
    top = root(LEAVES[:size])
    for index in range(size):
        path = hash_ranges(inclusion_ranges(index, size), subtree_hash)
        assert verify_inclusion(LEAVES[index], index, size, path, top)
        other = LEAVES[(index + 1) % len(LEAVES)]
        assert not verify_inclusion(other, index, size, path, top)
        if path:
            assert not verify_inclusion(LEAVES[index], index, size, path[:-1], top)
            bent = [path[0][::-1], *path[1:]]
            assert not verify_inclusion(LEAVES[index], index, size, bent, top)
        if size > 1:
            assert not verify_inclusion(LEAVES[index], (index + 1) % size, size, path, top)


@pytest.mark.parametrize("second", [1, 2, 3, 4, 7, 8, 9, 21, 32, 33, 70])
def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not(second):
    second_root = root(LEAVES[:second])
    for first in range(1, second + 1):
        first_root = root(LEAVES[:first])
        path = hash_ranges(consistency_ranges(first, second), subtree_hash)
        assert verify_consistency(first, second, first_root, second_root, path)
        forged = root([leaf_hash(b"forged"), *LEAVES[1:first]])
        assert not verify_consistency(first, second, forged, second_root, path)
        if path:
            assert not verify_consistency(first, second, first_root, second_root, path[1:])


def test_proof_ranges_split_into_aligned_subtrees_only():
    for size in range(1, 130):
        for index in range(size):
            for a, b in inclusion_ranges(index, size):
                assert all(s % n == 0 for s, n in perfect_subtrees(a, b))
        for first in range(1, size + 1):
            for a, b in consistency_ranges(first, size):
                assert all(s % n == 0 for s, n in perfect_subtrees(a, b))


def test_impossible_proofs_are_refused():
    with pytest.raises(ValueError):
        inclusion_ranges(3, 3)
    with pytest.raises(ValueError):
        consistency_ranges(0, 3)
    assert not verify_inclusion(LEAVES[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_consistency(4, 3, LEAVES[0], LEAVES[0], [])
