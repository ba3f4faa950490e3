"""Two provider staff registering the same municipality at the same moment (same subdomain,
same NIP): one is registered, the other gets a Polish message, never a 500. Real threads,
real PostgreSQL, committed data."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenants.models import Domain, Municipality
from tenants.services import municipality_create
from tests.concurrency import at_once
from tests.conftest import nip_make, unique

ROUNDS = 6


def register(subdomain: str, nip: str, name: str) -> Municipality:
    return municipality_create(
        name=name,
        kind="gmina",
        teryt="3207023",
        nip=nip,
        contact_email=f"kontakt@{subdomain}.test",
        subdomain=subdomain,
        admin_email=f"admin@{subdomain}.test",
        acting_user=None,
        provision_async=False,  # only the registration races here; no schema is made
    )


@pytest.mark.parametrize(
    "same", ["subdomain and NIP", "subdomain", "NIP"], ids=["both", "subdomain", "nip"]
)
def test_the_same_municipality_registered_twice_at_once_is_one_and_a_message(committed_db, same):
    created: list[int] = []
    try:
        for _ in range(ROUNDS):
            subdomain, nip = unique("wyscig-"), nip_make()
            other_subdomain = subdomain if "subdomain" in same else unique("inna-")
            other_nip = nip if "NIP" in same else nip_make()
            outcomes = at_once(
                lambda s=subdomain, n=nip: register(s, n, "Gmina Pierwsza"),
                lambda s=other_subdomain, n=other_nip: register(s, n, "Gmina Druga"),
            )
            registered = [o.pk for o in outcomes if isinstance(o, Municipality)]
            created += registered
            refused = [o for o in outcomes if isinstance(o, ValidationError)]
            assert len(refused) == 1 and len(registered) == 1, outcomes
            messages = " ".join(m for ms in refused[0].message_dict.values() for m in ms)
            assert "już" in messages  # "…już zajęta" / "…już istnieje"
            assert Municipality.objects.filter(pk__in=created).count() == len(created)
    finally:
        Domain.objects.filter(tenant_id__in=created).delete()
        Municipality.objects.filter(pk__in=created).delete()
