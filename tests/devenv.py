"""A pytest plugin loaded before the settings (``-p tests.devenv`` in pyproject.toml): the
tests run with development settings, whether started by `make test` or by pytest directly.

The settings default to production, which refuses to start without its secrets; a conftest.py
is read too late for this (pytest-django loads the settings first)."""

from __future__ import annotations

import os

os.environ.setdefault("KONSULTA_ENV", "development")
# Other tests write rows with the ORM (no page version bump) and roll their transactions back
# (Redis keeps what was cached): the page cache is off for them, and on in the tests of it
# (tests/consultations/test_page_cache.py), which clear its entries first.
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")
os.environ.setdefault("CARD_CACHE_SECONDS", "0")
