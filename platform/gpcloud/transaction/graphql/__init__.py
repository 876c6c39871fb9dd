"""The transaction domain's API: projects and announcements (projects.py), procurement documents
and questions (documents.py), sealed bids (bids.py, bid_types.py), the opening hall and record
(opening.py), prequalification (prequalification.py), the invited tender's draw of invitees
(invitations.py), quote rounds (quotes.py), the finance
department's view of the region's projects (supervision.py)."""

from strawberry.tools import merge_types

from gpcloud.transaction.graphql import (
    bids,
    documents,
    invitations,
    opening,
    prequalification,
    projects,
    quotes,
    supervision,
)

Queries = merge_types(
    "TransactionQueries",
    (
        projects.Queries,
        documents.Queries,
        bids.Queries,
        opening.Queries,
        supervision.Queries,
        prequalification.Queries,
        invitations.Queries,
        quotes.Queries,
    ),
)
Mutations = merge_types(
    "TransactionMutations",
    (
        projects.Mutations,
        documents.Mutations,
        bids.Mutations,
        opening.Mutations,
        supervision.Mutations,
        prequalification.Mutations,
        invitations.Mutations,
        quotes.Mutations,
    ),
)
