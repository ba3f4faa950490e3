"""The lifecycle: every state × action, legal ones move, illegal ones change nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations import services
from consultations.models import Consultation, ConsultationStatus
from tests.consultations.factories import (
    complete_input,
    consultation_in_state,
    department_make,
    pdf_bytes,
    staff_make,
    upload,
)

S = ConsultationStatus


def run(action: str, consultation: Consultation, admin) -> Consultation:
    if action == "order":
        return services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    if action == "schedule":
        return services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
    if action == "open":
        return services.consultation_open(consultation_id=consultation.pk)
    if action == "close":
        return services.consultation_close(consultation_id=consultation.pk)
    if action == "report_publish":
        return services.consultation_report_publish(
            acting_user=admin, consultation_id=consultation.pk, report_text="Wpłynęło 12 uwag."
        )
    return services.consultation_archive(acting_user=admin, consultation_id=consultation.pk)


LEGAL = {
    (S.DRAFT, "order"): S.ORDERED,
    (S.ORDERED, "schedule"): S.SCHEDULED,
    (S.SCHEDULED, "open"): S.OPEN,
    (S.OPEN, "close"): S.CLOSED,
    (S.CLOSED, "report_publish"): S.REPORT_PUBLISHED,
    (S.CLOSED, "archive"): S.ARCHIVED,
    (S.REPORT_PUBLISHED, "archive"): S.ARCHIVED,
}
ACTIONS = sorted({action for _, action in LEGAL})
MATRIX = [(state, action) for state in S.values for action in ACTIONS]


def test_the_transition_table_is_the_legal_list():
    table = {
        (source, action): t.target
        for action, t in services.TRANSITIONS.items()
        for source in t.sources
    }
    assert table == LEGAL


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), MATRIX)
def test_every_state_and_action(admin, state, action):
    # given a paid consultation in ``state`` (paid, so only the table decides)
    consultation = consultation_in_state(state, payment_cleared_at=timezone.now())
    before = Consultation.objects.values().get(pk=consultation.pk)
    # when / then
    if (state, action) in LEGAL:
        result = run(action, consultation, admin)
        assert result.status == LEGAL[(state, action)]
        assert Consultation.objects.get(pk=consultation.pk).status == LEGAL[(state, action)]
    else:
        with pytest.raises(ValidationError) as exc:
            run(action, consultation, admin)
        assert exc.value.messages[0].startswith("Nie można ")
        assert Consultation.objects.values().get(pk=consultation.pk) == before


@pytest.mark.django_db
def test_ordering_an_incomplete_draft_names_what_is_missing_and_changes_nothing(admin):
    consultation = consultation_in_state(S.DRAFT, summary="", contact_email="")
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    assert "streszczenie" in exc.value.messages[0]
    assert "e-mail" in exc.value.messages[0]
    assert Consultation.objects.get(pk=consultation.pk).status == S.DRAFT


@pytest.mark.django_db
def test_ordering_with_a_start_in_the_past_is_refused(admin):
    now = timezone.now()
    consultation = consultation_in_state(
        S.DRAFT, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=20)
    )
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    assert "przeszłości" in exc.value.message_dict["starts_at"][0]


@pytest.mark.django_db
def test_an_unpaid_order_cannot_be_scheduled_until_billing_clears_it(admin):
    # given an ordered consultation without payment
    consultation = consultation_in_state(S.ORDERED)
    # when scheduling before payment
    with pytest.raises(ValidationError) as exc:
        services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
    # then it is refused and stays ordered
    assert "opłacone" in exc.value.messages[0]
    assert Consultation.objects.get(pk=consultation.pk).status == S.ORDERED
    # and once billing records the payment (the test calls what billing calls), it schedules
    services.consultation_payment_clear(consultation_id=consultation.pk, reference="pi_test")
    scheduled = services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
    assert scheduled.status == S.SCHEDULED
    assert scheduled.scheduled_at is not None


# --- Legal bases' date rules ----------------------------------------------------------------


@pytest.mark.django_db
def test_revitalisation_is_refused_at_ordering_with_the_article_cited(admin):
    # art. 6 ust. 5 of the revitalisation act (Dz.U. 2024 poz. 278): at least 35 days from
    # the start. A draft may be saved with shorter dates; ordering refuses them.
    department = department_make()
    start = timezone.now() + timedelta(days=10)
    data = complete_input(
        department,
        legal_basis="revitalisation",
        participation_forms=["remarks", "survey", "poll"],
        starts_at=start,
        ends_at=start + timedelta(days=34),
    )
    consultation = services.consultation_create(acting_user=admin, data=data)
    services.document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title="Projekt programu",
        upload=upload("projekt.pdf", pdf_bytes()),
    )
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    message = exc.value.message_dict["ends_at"][0]
    assert "rewitalizacji" in message and "art. 6 ust. 5" in message and "35 dni" in message
    assert Consultation.objects.get(pk=consultation.pk).status == S.DRAFT


@pytest.mark.django_db
def test_revitalisation_may_be_announced_on_the_day_it_starts(admin):
    # art. 6 ust. 2: announced "nie później niż w dniu rozpoczęcia"; the 7 days' notice of the
    # wording before Dz.U. 2023 poz. 1688 no longer applies
    department = department_make()
    start = timezone.now() + timedelta(hours=3)
    data = complete_input(
        department,
        legal_basis="revitalisation",
        participation_forms=["remarks", "survey", "poll"],
        starts_at=start,
        ends_at=start + timedelta(days=35),
    )
    consultation = services.consultation_create(acting_user=admin, data=data)
    services.document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title="Projekt programu",
        upload=upload("projekt.pdf", pdf_bytes()),
    )
    services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    assert Consultation.objects.get(pk=consultation.pk).status == S.ORDERED


@pytest.mark.django_db
def test_the_end_must_follow_the_start(admin):
    department = department_make()
    start = timezone.now() + timedelta(days=10)
    data = complete_input(department, starts_at=start, ends_at=start - timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        services.consultation_create(acting_user=admin, data=data)
    assert "późniejszy" in exc.value.message_dict["ends_at"][0]


@pytest.mark.django_db
def test_a_complete_consultation_goes_from_draft_to_scheduled(admin):
    department = department_make()
    consultation = services.consultation_create(acting_user=admin, data=complete_input(department))
    assert consultation.slug.startswith("konsultacje-projektu-uchwaly-")
    services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    # billing's part, standing in for a paid order:
    services.consultation_payment_clear(consultation_id=consultation.pk, reference="pi_1")
    services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
    assert Consultation.objects.get(pk=consultation.pk).status == S.SCHEDULED


@pytest.mark.django_db
def test_slugs_stay_unique_for_equal_titles(admin):
    department = department_make()
    first = services.consultation_create(
        acting_user=admin, data=complete_input(department, title="Budżet obywatelski 2027")
    )
    second = services.consultation_create(
        acting_user=admin, data=complete_input(department, title="Budżet obywatelski 2027")
    )
    assert first.slug == "budzet-obywatelski-2027"
    assert second.slug == "budzet-obywatelski-2027-2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "slug"),
    [
        # en dash, em dash, hyphen, minus sign, slash: both numbers stay, apart
        ("Strategia rozwoju gminy 2027–2035", "strategia-rozwoju-gminy-2027-2035"),
        ("Program 2026—2030", "program-2026-2030"),
        ("Plan 2026-2030", "plan-2026-2030"),
        ("Plan 2026−2030", "plan-2026-2030"),
        ("Budżet 2026/2027", "budzet-2026-2027"),
        ("Łąka – Żółć", "laka-zolc"),
    ],
)
def test_a_slug_keeps_both_ends_of_a_range(admin, title, slug):
    department = department_make()
    created = services.consultation_create(
        acting_user=admin, data=complete_input(department, title=title)
    )
    assert created.slug == slug


@pytest.mark.django_db
def test_announced_dates_cannot_be_changed(admin):
    consultation = consultation_in_state(S.SCHEDULED)
    data = complete_input(consultation.department, title=consultation.title)
    with pytest.raises(ValidationError) as exc:
        services.consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
    assert "starts_at" in exc.value.message_dict


@pytest.mark.django_db
def test_a_coordinator_cannot_create_for_another_department(in_a):
    coordinator = staff_make("coordinator")
    own = department_make(coordinators=(coordinator,))
    other = department_make()
    assert services.consultation_create(acting_user=coordinator, data=complete_input(own))
    with pytest.raises(ValidationError) as exc:
        services.consultation_create(acting_user=coordinator, data=complete_input(other))
    assert "department" in exc.value.message_dict


@pytest.mark.django_db
def test_cancelling_the_order_of_a_scheduled_consultation_takes_it_back_to_draft(tenant_a):

    from consultations.services import consultation_is_cleared, consultation_payment_revoke
    from tests.consultations.factories import consultation_in_state

    with schema_context(tenant_a.schema_name):
        # given a paid consultation announced to residents
        consultation = consultation_in_state("scheduled")
        # when its order is cancelled and refunded
        revoked = consultation_payment_revoke(consultation_id=consultation.pk)
        # then it can no longer open by itself
        assert revoked.status == "draft"
        assert not consultation_is_cleared(revoked)


@pytest.mark.django_db
@pytest.mark.parametrize("title", ["RSS", "Atom"])
def test_a_consultation_never_takes_the_address_of_a_feed(tenant_a, title):

    from consultations.services.content import _slug_for

    with schema_context(tenant_a.schema_name):
        assert _slug_for(title) == f"{title.lower()}-konsultacje"


@pytest.mark.django_db
def test_the_dates_of_an_ordered_consultation_are_frozen(tenant_a):
    from datetime import timedelta

    from django.core.exceptions import ValidationError

    from consultations.models import Consultation
    from consultations.services import DATES_EDITABLE

    with schema_context(tenant_a.schema_name):
        from tests.consultations.factories import consultation_in_state, staff_make

        consultation = consultation_in_state("ordered")
        assert consultation.status not in DATES_EDITABLE
        from consultations import services

        data = services.ConsultationInput(
            **{
                **{
                    f: getattr(consultation, f)
                    for f in (
                        "title",
                        "summary",
                        "description",
                        "legal_basis",
                        "contact_name",
                        "contact_email",
                        "contact_phone",
                        "starts_at",
                    )
                },
                "department_id": consultation.department_id,
                "participation_forms": ["remarks"],
                "ends_at": consultation.ends_at + timedelta(days=30),
            }
        )
        with pytest.raises(ValidationError):
            services.consultation_update(
                acting_user=staff_make("admin"), consultation_id=consultation.pk, data=data
            )
        assert Consultation.objects.get(pk=consultation.pk).ends_at == consultation.ends_at
