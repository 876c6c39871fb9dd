from piccolo.columns import BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from gpcloud.core.tenancy.tables import ProvinceShared, TenantOwned


class AuditEntry(TenantOwned, Table, tablename="audit_entry"):
    """One state change, written in the transaction that made it. The sequencer later gives it
    its place in the log (`seq`, the leaf index in the Merkle tree) and its `leaf_hash`.

    `tenant_id` is the tenant the changed object belongs to (for province-shared objects, the
    acting user's tenant), so an auditor's scope limits what they read, not what is recorded.
    """

    actor_id = Integer(null=True, default=None, index=True)
    # For changes made by no user (CLI, seed, worker): what made them.
    actor = Varchar(length=64, default="")
    action = Varchar(length=64, index=True)
    object_type = Varchar(length=64)
    object_id = Varchar(length=64)
    before_digest = Varchar(length=64, null=True, default=None)
    after_digest = Varchar(length=64, null=True, default=None)
    # Canonical JSON (sorted keys) of what an auditor needs beyond the digests: reason, fields.
    detail = Text(default="{}")
    # Null until sequenced (a unique index, see the migrations).
    seq = BigInt(null=True, default=None)
    leaf_hash = Varchar(length=64, null=True, default=None)


class AuditTreeHead(ProvinceShared, Table, tablename="audit_tree_head"):
    """A signed tree head: the log's size and Merkle root as the platform signed them. Public."""

    tree_size = BigInt(unique=True)
    root_hash = Varchar(length=64)
    signed_at = Timestamptz()
    signature = Varchar(length=128)  # Ed25519 over heads.message(), hex
    key_id = Varchar(length=16)
    # The sequencer's state after this head (merkle.CompactRange.frontier, hex): not signed,
    # only read to append the next batch; verify recomputes it.
    frontier = Text(default="[]")
    lease_token = BigInt(default=0)


class AuditNode(ProvinceShared, Table, tablename="audit_node"):
    """The hash of a complete perfect subtree of STORED_SIZE leaves or more, so a proof reads a
    few rows instead of every leaf. `node` = index << 6 | level (tree.node_key)."""

    node = BigInt(unique=True)
    hash = Varchar(length=64)
