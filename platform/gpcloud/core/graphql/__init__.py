"""GraphQL conventions every domain follows: context, permissions, connections, payloads."""
