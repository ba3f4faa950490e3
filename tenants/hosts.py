"""Hosts other than the apex domain that the public schema serves (a regional portal's).

tenants sits below the apps that own such hosts: they register a predicate here from their
``AppConfig.ready()``. The tenant middleware asks it before it looks a host up among the
municipalities' domains, so such a host never resolves to a municipality, and provisioning
refuses a subdomain one of them already holds.
"""

from __future__ import annotations

from collections.abc import Callable

HostPredicate = Callable[[str], bool]

_predicates: list[HostPredicate] = []


def public_host_register(predicate: HostPredicate) -> None:
    if predicate not in _predicates:
        _predicates.append(predicate)


def public_host_unregister(predicate: HostPredicate) -> None:
    if predicate in _predicates:
        _predicates.remove(predicate)


def host_is_public(hostname: str) -> bool:
    """True when a registered app serves ``hostname`` from the public schema."""
    return any(predicate(hostname) for predicate in _predicates)
