"""The agencies registry."""
