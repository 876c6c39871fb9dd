"""The purchasers registry."""
