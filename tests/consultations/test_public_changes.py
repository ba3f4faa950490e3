"""Services tell the public-change listeners, inside their own transaction."""

import pytest
from django.core.exceptions import ValidationError

from consultations import services
from consultations.models import Consultation, ConsultationStatus
from consultations.public_changes import PublicChange, listener_register, listener_unregister
from tests.consultations.factories import complete_input, department_make

S = ConsultationStatus


@pytest.fixture
def heard():
    changes: list[PublicChange] = []
    listener_register(changes.append)
    yield changes
    listener_unregister(changes.append)


@pytest.mark.django_db
def test_every_step_from_draft_to_scheduled_is_heard(admin, heard):
    consultation = services.consultation_create(
        acting_user=admin, data=complete_input(department_make())
    )
    services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    services.consultation_payment_clear(consultation_id=consultation.pk, reference="pi_1")
    services.consultation_schedule(
        acting_user=admin, consultation_id=consultation.pk, channels_confirmed=True
    )
    scopes = [(change.scope, change.consultation_id) for change in heard]
    assert ("content", consultation.pk) in scopes
    # ordering and scheduling each told once (scheduling also attaches the announcement)
    assert scopes.count(("lifecycle", consultation.pk)) == 2


@pytest.mark.django_db
def test_a_listener_that_refuses_rolls_the_change_back(admin):
    consultation = services.consultation_create(
        acting_user=admin, data=complete_input(department_make())
    )

    def refuse(change: PublicChange) -> None:
        raise ValidationError("no")

    listener_register(refuse)
    try:
        with pytest.raises(ValidationError):
            services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    finally:
        listener_unregister(refuse)
    assert Consultation.objects.get(pk=consultation.pk).status == S.DRAFT


@pytest.mark.django_db
def test_a_site_wide_change_names_no_consultation(admin, heard):
    services.category_save(acting_user=admin, category_id=None, name="Zieleń")
    assert heard[-1] == PublicChange(scope="site", consultation_id=None)
