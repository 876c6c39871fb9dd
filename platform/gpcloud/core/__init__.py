"""Cross-cutting machinery: tenancy, auth, GraphQL conventions, jobs. No business rules."""
