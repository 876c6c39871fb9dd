from piccolo.columns import BigInt, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.tenancy.tables import TenantOwned
from gpcloud.registries.purchasers.tables import Purchaser

STATUSES = ("active", "frozen")


class BudgetIndicator(TenantOwned, Table, tablename="budget_indicator"):
    """A budget line (预算指标) from digital_finance that funds a purchaser's procurement.

    Money is kept in fen (integers): the balance check is one SQL comparison, exact on SQLite
    and PostgreSQL alike. Balance = amount - reserved (by plans) - paid, never below zero.
    """

    code = Varchar(length=64)  # the finance system's id; unique per tenant (migration index)
    purchaser = ForeignKey(Purchaser, on_delete=OnDelete.restrict, index=True)
    fiscal_year = Integer(index=True)
    name = Varchar(length=200)
    funding_source = Varchar(length=64, default="")
    amount_fen = BigInt()
    reserved_fen = BigInt(default=0)
    paid_fen = BigInt(default=0)
    status = Varchar(length=16, default="active")
    updated_at = Timestamptz(default=TimestamptzNow())


class BudgetEntry(TenantOwned, Table, tablename="budget_entry"):
    """One movement on an indicator: a plan reserves, a recalled plan releases, a payment pays
    (and releases what it pays from the plan's reservation). The ledger behind usage exports."""

    indicator = ForeignKey(BudgetIndicator, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(
        length=16
    )  # digital_finance.service.MOVES: reserve, release, pay, reverse_payment
    amount_fen = BigInt()
    reference = Varchar(length=64, index=True)  # e.g. plan:12, payment:7
