"""A consultation whose dates are frozen (ordered and later) can still have its content
edited: the disabled date fields must not read as changed dates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import Consultation, ConsultationStatus
from tests.conftest import force_login
from tests.consultations.factories import consultation_in_state, staff_make

S = ConsultationStatus


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.ORDERED, S.SCHEDULED, S.OPEN])
def test_a_frozen_consultation_with_seconds_in_its_dates_can_be_edited(tenant_a, status):
    # given a consultation as the demo seeds it: dates to the microsecond, frozen by its state
    now = timezone.now().replace(microsecond=654321)
    starts = now + timedelta(days=3, seconds=17) if status != S.OPEN else now - timedelta(days=1)
    ends = starts + timedelta(days=30, seconds=41)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = consultation_in_state(status, starts_at=starts, ends_at=ends)
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    url = f"/panel/konsultacje/{consultation.pk}/edycja/"
    assert client.get(url).status_code == 200

    # when the clerk changes the title and saves (a browser sends no disabled field)
    response = client.post(
        url,
        {
            "title": "Nowy tytuł konsultacji",
            "summary": consultation.summary,
            "description": consultation.description,
            "legal_basis": consultation.legal_basis,
            "department": consultation.department_id,
            "participation_forms": list(
                consultation.participation_forms.values_list("kind", flat=True)
            ),
            "contact_name": consultation.contact_name,
            "contact_email": consultation.contact_email,
        },
    )

    # then it is saved and the dates are exactly as they were
    assert response.status_code == 302, response.content.decode()[-3000:]
    with schema_context(tenant_a.schema_name):
        saved = Consultation.objects.get(pk=consultation.pk)
    assert saved.title == "Nowy tytuł konsultacji"
    assert (saved.starts_at, saved.ends_at) == (starts, ends)


@pytest.mark.django_db
def test_a_frozen_consultations_dates_still_can_not_be_changed(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = consultation_in_state(S.ORDERED)
        from consultations.services import ConsultationInput, consultation_update

        data = ConsultationInput(
            title=consultation.title,
            department_id=consultation.department_id,
            starts_at=consultation.starts_at + timedelta(minutes=1),
            ends_at=consultation.ends_at,
        )
        with pytest.raises(Exception, match="anulować zamówienie"):
            consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
        assert Consultation.objects.get(pk=consultation.pk).starts_at == consultation.starts_at
