"""The finance centre through the API: institutions and their credentials, electronic bid
guarantees, contract financing with consent, payee account changes, webhook deliveries and
the region's figures (types in types.py, inputs in inputs.py)."""

from strawberry.tools import merge_types

from gpcloud.finance_services.graphql import financing, guarantees, institutions

Queries = merge_types(
    "FinanceServicesQueries", (institutions.Queries, guarantees.Queries, financing.Queries)
)
Mutations = merge_types(
    "FinanceServicesMutations", (institutions.Mutations, guarantees.Mutations, financing.Mutations)
)
