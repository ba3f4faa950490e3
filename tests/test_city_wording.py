"""A city's site says "miasto" where a gmina's says "gmina" (issue 15): the administrator's
role, "the whole municipality" for news and subscriptions, the last-administrator message."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import StaffRole, User
from accounts.services import user_create
from tenants.models import Municipality
from tests.conftest import PASSWORD, force_login, unique

# What each kind of unit reads, written out from Polish (not taken from the catalogues).
WORDING = {
    "miasto": {
        "admin": "Administrator miasta",
        "news": "Całe miasto",
        "subscribe": "Wszystkie konsultacje w całym mieście",
        "last_admin": "To jedyny administrator miasta.",
    },
    "gmina": {
        "admin": "Administrator gminy",
        "news": "Cała gmina",
        "subscribe": "Wszystkie konsultacje w całej gminie",
        "last_admin": "To jedyny administrator gminy.",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["miasto", "gmina"])
def test_the_site_names_the_unit_by_its_kind(tenant_a, kind):
    # given: municipality A is of this kind, with one administrator
    Municipality.objects.filter(pk=tenant_a.pk).update(kind=kind)
    with schema_context(tenant_a.schema_name):
        User.objects.filter(role=StaffRole.ADMIN).update(role="")
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    expected = WORDING[kind]
    other = WORDING["gmina" if kind == "miasto" else "miasto"]

    # when / then
    pages = {
        "admin": client.get("/panel/").content.decode(),
        "news": client.get("/panel/aktualnosci/nowa/").content.decode(),
        "subscribe": Client(HTTP_HOST=tenant_a.host).get("/subskrypcje/").content.decode(),
        "last_admin": client.post(
            f"/panel/zespol/{admin.pk}/", {"role": "moderator"}
        ).content.decode(),
    }
    for key, page in pages.items():
        text = re.sub(r"\s+", " ", page)
        assert expected[key] in text, key
        assert other[key] not in text, key
