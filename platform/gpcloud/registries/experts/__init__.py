"""The experts registry."""
