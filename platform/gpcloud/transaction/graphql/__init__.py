"""The transaction domain's API: projects and announcements (projects.py), procurement documents
and questions (documents.py), sealed bids and the opening (bids.py)."""

from strawberry.tools import merge_types

from gpcloud.transaction.graphql import bids, documents, projects

Queries = merge_types("TransactionQueries", (projects.Queries, documents.Queries, bids.Queries))
Mutations = merge_types(
    "TransactionMutations", (projects.Mutations, documents.Mutations, bids.Mutations)
)
