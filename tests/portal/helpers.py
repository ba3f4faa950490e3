"""Building public consultations in a municipality's schema through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from consultations import services
from consultations.models import Area, Category, Consultation
from portal.models import PublicConsultation
from tests.consultations.factories import complete_input, department_make, staff_make


def scheduled_consultation(admin: Any = None, **overrides: Any) -> Consultation:
    """A consultation taken draft → ordered → paid → scheduled by the services."""
    admin = admin or staff_make("admin")
    consultation = services.consultation_create(
        acting_user=admin, data=complete_input(department_make(), **overrides)
    )
    services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    services.consultation_payment_clear(consultation_id=consultation.pk, reference="pi_test")
    return services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)


def open_consultation(admin: Any = None, **overrides: Any) -> Consultation:
    consultation = scheduled_consultation(admin, **overrides)
    return services.consultation_open(
        consultation_id=consultation.pk, now=timezone.now() + timedelta(days=10)
    )


def row_of(municipality_pk: int, consultation: Consultation) -> PublicConsultation | None:
    return PublicConsultation.objects.filter(
        municipality_id=municipality_pk, consultation_id=consultation.pk
    ).first()


def area_make(name: str) -> Area:
    return Area.objects.create(name=name)


def category_make(name: str) -> Category:
    return Category.objects.get_or_create(name=name)[0]
