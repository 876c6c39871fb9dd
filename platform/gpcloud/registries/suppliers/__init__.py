"""The suppliers registry."""
