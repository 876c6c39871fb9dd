"""Exchanges with systems outside the platform."""
