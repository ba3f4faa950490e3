"""The audit log: every lifecycle action and staff write of consultations leaves one row with
who did it, and a failed action leaves none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations import services
from consultations.models import AuditEvent, Consultation, ConsultationStatus
from tests.consultations.factories import (
    complete_input,
    consultation_in_state,
    department_make,
    pdf_bytes,
    upload,
)

S = ConsultationStatus


def events(**filters) -> list[tuple[str, int | None, str]]:
    return [
        (e.action, e.actor_id, e.target_type)
        for e in AuditEvent.objects.filter(**filters).order_by("pk")
    ]


# action → (start state, call, acting user recorded?) — written from the services' contract
LIFECYCLE = {
    "consultation_order": (S.DRAFT, True),
    "consultation_schedule": (S.ORDERED, True),
    "consultation_open": (S.SCHEDULED, False),
    "consultation_close": (S.OPEN, False),
    "consultation_report_publish": (S.CLOSED, True),
    "consultation_archive": (S.CLOSED, True),
}


def lifecycle_call(action: str, consultation: Consultation, user) -> None:
    if action == "consultation_order":
        consultation.starts_at = timezone.now() + timedelta(days=10)
        consultation.ends_at = consultation.starts_at + timedelta(days=21)
        consultation.save()
        services.consultation_order(acting_user=user, consultation_id=consultation.pk)
    elif action == "consultation_schedule":
        Consultation.objects.filter(pk=consultation.pk).update(payment_cleared_at=timezone.now())
        services.consultation_schedule(acting_user=user, consultation_id=consultation.pk)
    elif action == "consultation_open":
        services.consultation_open(consultation_id=consultation.pk)
    elif action == "consultation_close":
        services.consultation_close(consultation_id=consultation.pk)
    elif action == "consultation_report_publish":
        services.consultation_report_publish(
            acting_user=user, consultation_id=consultation.pk, report_text="Wpłynęło 5 uwag."
        )
    else:
        services.consultation_archive(acting_user=user, consultation_id=consultation.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "spec"), LIFECYCLE.items())
def test_each_lifecycle_action_leaves_one_row_naming_who_acted(admin, action, spec):
    start, by_user = spec
    consultation = consultation_in_state(start)
    before = AuditEvent.objects.filter(consultation=consultation).count()
    lifecycle_call(action, consultation, admin)
    expected = [(action, admin.pk if by_user else None, "consultations.consultation")]
    if action == "consultation_schedule":
        # scheduling also stores the announcement with the documents (issue 8): its own row
        expected.append(("notice_generate", admin.pk, "consultations.document"))
    assert events(consultation=consultation)[before:] == expected
    event = AuditEvent.objects.filter(consultation=consultation, action=action).latest("pk")
    assert event.actor_email == (admin.email if by_user else "")
    assert event.details["status"] == Consultation.objects.get(pk=consultation.pk).status


@pytest.mark.django_db
def test_a_refused_action_leaves_no_row(admin):
    consultation = consultation_in_state(S.DRAFT, summary="")
    with pytest.raises(ValidationError):
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    with pytest.raises(ValidationError):
        services.consultation_archive(acting_user=admin, consultation_id=consultation.pk)
    assert events(consultation=consultation) == []


@pytest.mark.django_db
def test_payment_clearing_and_revoking_are_recorded_once(admin):
    consultation = consultation_in_state(S.ORDERED)
    services.consultation_payment_clear(consultation_id=consultation.pk, reference="KON/1")
    services.consultation_payment_clear(consultation_id=consultation.pk, reference="KON/1")
    services.consultation_payment_revoke(consultation_id=consultation.pk, acting_user=admin)
    assert events(consultation=consultation, action__startswith="consultation_payment") == [
        ("consultation_payment_clear", None, "consultations.consultation"),
        ("consultation_payment_revoke", admin.pk, "consultations.consultation"),
    ]


@pytest.mark.django_db
def test_creating_and_editing_a_consultation_records_the_changed_fields(admin):
    department = department_make(coordinators=(admin,))
    data = complete_input(department)
    consultation = services.consultation_create(acting_user=admin, data=data)
    data.title = "Nowy tytuł"
    data.contact_phone = "95 000 00 00"
    services.consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
    # saving again unchanged records nothing
    services.consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
    assert [action for action, _actor, _type in events(consultation=consultation)] == [
        "consultation_create",
        "participation_form_add",
        "consultation_update",
    ]
    update = AuditEvent.objects.get(consultation=consultation, action="consultation_update")
    assert sorted(update.details["fields"]) == ["contact_phone", "title"]


@pytest.mark.django_db
def test_staff_writes_leave_rows_with_their_target(admin):
    consultation = consultation_in_state(S.DRAFT)
    document = services.document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title="Projekt",
        upload=upload("projekt.pdf", pdf_bytes()),
    )
    services.document_remove(acting_user=admin, document_id=document.pk)
    department = services.department_save(
        acting_user=admin, department_id=None, name="Wydział Audytu", coordinator_ids=[]
    )
    area = services.area_save(acting_user=admin, area_id=None, name="Osiedle Audytowe")
    category = services.category_save(acting_user=admin, category_id=None, name="Audyt")
    news = services.news_save(
        acting_user=admin, news_id=None, title="Wieści", body="Treść.", area_id=None
    )
    services.site_settings_update(acting_user=admin, primary_colour="#1f4e79", tagline="Herb")
    expected = [
        ("document_add", "consultations.document", str(document.pk), consultation.pk),
        ("document_remove", "consultations.document", str(document.pk), consultation.pk),
        ("department_save", "consultations.department", str(department.pk), None),
        ("area_save", "consultations.area", str(area.pk), None),
        ("category_save", "consultations.category", str(category.pk), None),
        ("news_save", "consultations.news", str(news.pk), None),
        ("site_settings_update", "consultations.sitesettings", "1", None),
    ]
    rows = AuditEvent.objects.filter(actor_id=admin.pk).order_by("pk")
    assert [(e.action, e.target_type, e.target_id, e.consultation_id) for e in rows] == expected
    assert {e.actor_email for e in rows} == {admin.email}


@pytest.mark.django_db
def test_another_app_records_its_own_action_and_names_it(admin):
    consultation = consultation_in_state(S.OPEN)
    services.audit_action_labels_register({"remark_answer": "odpowiedź na uwagę"})
    event = services.audit_record(
        acting_user=admin,
        action="remark_answer",
        target=consultation,
        details={"reference": "UW/2026/0001", "at": timezone.now()},
    )
    assert event.consultation_id == consultation.pk
    assert services.audit_action_label("remark_answer") == "odpowiedź na uwagę"
    assert services.audit_action_label("unknown_action") == "unknown_action"
