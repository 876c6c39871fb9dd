"""The e-mall through the API: orders, reverse auctions, price alerts and framework agreements
(mall.py), group buys (group_buys.py)."""

from strawberry.tools import merge_types

from gpcloud.emall.graphql import group_buys, mall
from gpcloud.emall.graphql.mall import LIVE, MallOrderPayload, order_payload

Queries = merge_types("EmallQueries", (mall.Queries, group_buys.Queries))
Mutations = merge_types("EmallMutations", (mall.Mutations, group_buys.Mutations))

__all__ = ["LIVE", "MallOrderPayload", "Mutations", "Queries", "order_payload"]
