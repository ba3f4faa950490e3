"""Fixtures of the reports tests: municipality A's schema and its admin, as consultations'."""

from tests.consultations.conftest import admin, in_a

__all__ = ["admin", "in_a"]
