"""Billing fixtures: consultations in a municipality's schema, invoice data, and localstripe
(started by the session fixture ``localstripe`` in tests/conftest.py) wired to the live web
server's webhook endpoint."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.conftest import unique


def consultation_make(
    schema_name: str,
    *,
    title: str = "Budżet obywatelski 2027",
    days: int = 21,
    starts_in: int = 10,
    order: bool = True,
) -> int:
    """A consultation starting in ``starts_in`` days and lasting ``days`` days, made as a
    clerk does: created as a draft by an administrator, then ordered through
    consultations' own consultation_order() (its checks run; its dates are frozen). With
    ``order=False`` it stays a draft."""
    from consultations.services import consultation_create, consultation_order
    from tests.consultations.factories import complete_input, department_make, staff_make

    start = timezone.now() + dt.timedelta(days=starts_in)
    with schema_context(schema_name):
        admin = staff_make("admin")
        data = complete_input(
            department_make(),
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(days=days),
        )
        consultation = consultation_create(acting_user=admin, data=data)
        if order:
            consultation = consultation_order(acting_user=admin, consultation_id=consultation.pk)
        return consultation.pk


def orderer_make(schema_name: str, role: str = "admin") -> Any:
    """A staff account of the municipality that may order its consultations (no password:
    the tests call services with it, or log it in with force_login)."""
    from accounts.services import user_create

    with schema_context(schema_name):
        return user_create(email=unique("orders") + "@gmina.test", password=None, role=role)


def consultation_cleared(schema_name: str, consultation_id: int) -> bool:
    from consultations.models import Consultation
    from consultations.services import consultation_is_cleared

    with schema_context(schema_name):
        return consultation_is_cleared(Consultation.objects.get(pk=consultation_id))


def invoice_data_enter(municipality: Any) -> None:
    from billing.services import billing_profile_update

    billing_profile_update(
        municipality=municipality,
        invoice_name=f"{municipality.name} – Urząd Gminy",
        street="ul. Rynek 1",
        postal_code="74-400",
        city="Dębno",
        invoice_email="faktury@gmina.test",
    )


def wait_until(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def municipality_a(tenant_a: Any) -> Any:
    from tenants.models import Municipality

    municipality = Municipality.objects.get(pk=tenant_a.pk)
    invoice_data_enter(municipality)
    return municipality


@pytest.fixture
def orderer(tenant_a: Any) -> Any:
    """The administrator of municipality A, who orders and pays in the tests."""
    return orderer_make(tenant_a.schema_name)


@pytest.fixture
def addons_deliverable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Participation kinds that deliver the seeded survey and printed-report add-ons, registered
    for one test only (in this process: the live server sees none)."""
    from consultations import participation

    for name, code in (("test-survey", "addon-survey"), ("test-report", "addon-printed-report")):
        kind = participation.ParticipationKind(name=name, label=name, addon_code=code)
        monkeypatch.setitem(participation._registry, name, kind)
