"""The site of the current schema, as accounts needs it (name and address for e-mails, whether
residents may sign up), without accounts importing the app that knows municipalities.

``tenants`` sits above ``accounts`` (docs/ARCHITECTURE.md, Layout), so it registers the one
resolver in its ``AppConfig.ready()``, the way participation kinds register with
consultations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    name: str
    # Absolute, without the trailing slash: links are built as base_url + reverse(...).
    base_url: str
    open_for_signup: bool
    # The municipality's kind (gmina, miasto, ...): a city reads "miasto" in some texts.
    kind: str = ""


_resolver: Callable[[], Site] | None = None


def site_resolver_register(resolver: Callable[[], Site]) -> None:
    """Install the function that describes the site of the connection's current schema."""
    # One process-wide registration, made at start-up.
    global _resolver
    _resolver = resolver


def site_current() -> Site:
    """The site whose schema the connection is in (a request, a task, a schema_context)."""
    if _resolver is None:
        raise RuntimeError("no site resolver registered: is the tenants app installed?")
    return _resolver()
