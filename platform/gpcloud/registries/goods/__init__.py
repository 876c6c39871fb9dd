"""The goods registry."""
