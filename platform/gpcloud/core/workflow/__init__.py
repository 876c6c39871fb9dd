"""Declarative state machines and compare-and-set transitions (machine.py)."""
