"""Forms of participation as rows of registered kinds: the registry's rules, the services'
rules, the selectors, the phases, the add-on hook billing registers, and the pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations import participation, selectors, services
from consultations.models import AuditEvent, Consultation, ConsultationStatus, ParticipationForm
from tests.consultations.factories import (
    complete_input,
    consultation_in_state,
    department_make,
    staff_make,
)
from tests.consultations.test_views import client_as

S = ConsultationStatus

# Contributions a test kind reports, by consultation id (set by the tests themselves).
CONTRIBUTIONS: dict[int, int] = {}


@pytest.fixture
def test_kinds() -> Iterator[dict[str, participation.ParticipationKind]]:
    """Two kinds of the tests' own: one with contributions counted from CONTRIBUTIONS, one
    that needs the price-list add-on "geoankieta"."""
    kinds = {
        "counted": participation.ParticipationKind(
            name="test_counted",
            label="Formularz testowy",
            resident_actions=("submit",),
            contribution_count=lambda consultation: CONTRIBUTIONS.get(consultation.pk, 0),
            weight=30,
        ),
        "addon": participation.ParticipationKind(
            name="test_geosurvey",
            label="Geoankieta testowa",
            addon_code="geoankieta",
            weight=40,
        ),
    }
    for kind in kinds.values():
        participation.register(kind)
    yield kinds
    for kind in kinds.values():
        participation.unregister(kind.name)
    CONTRIBUTIONS.clear()


def kinds_of(consultation: Consultation) -> list[str]:
    return list(
        ParticipationForm.objects.filter(consultation=consultation)
        .order_by("position", "pk")
        .values_list("kind", flat=True)
    )


# --- The registry -------------------------------------------------------------------------


def test_a_kind_registers_once_and_a_different_kind_cannot_take_its_name(test_kinds):
    kind = test_kinds["counted"]
    # registering the same description again changes nothing
    assert participation.register(kind) is kind
    with pytest.raises(participation.KindAlreadyRegistered):
        participation.register(participation.ParticipationKind(name=kind.name, label="Inny"))
    assert participation.kind_get(kind.name) is kind


def test_unregister_removes_a_kind_from_the_choices(test_kinds):
    names = [name for name, _label in participation.kind_choices()]
    assert "test_counted" in names
    participation.unregister("test_counted")
    assert participation.kind_get("test_counted") is None
    assert "test_counted" not in [name for name, _label in participation.kind_choices()]


def test_kinds_come_in_weight_order(test_kinds):
    names = [kind.name for kind in participation.kinds()]
    # the stand-in "remarks" (10) before the test kinds (30, 40)
    assert names.index("remarks") < names.index("test_counted") < names.index("test_geosurvey")


# --- Adding, changing, removing -----------------------------------------------------------


@pytest.mark.django_db
def test_a_form_of_an_unregistered_kind_cannot_be_added(admin):
    consultation = consultation_in_state(S.DRAFT, participation_forms=[])
    with pytest.raises(ValidationError) as exc:
        services.participation_form_add(
            acting_user=admin, consultation_id=consultation.pk, kind_name="survey"
        )
    # (the wording of this older message belongs to the Polish-register work)
    assert "formy udziału z listy" in exc.value.message_dict["participation_forms"][0]
    assert kinds_of(consultation) == []


@pytest.mark.django_db
def test_a_kind_is_used_once_per_consultation(admin):
    consultation = consultation_in_state(S.DRAFT, participation_forms=["remarks"])
    with pytest.raises(ValidationError):
        services.participation_form_add(
            acting_user=admin, consultation_id=consultation.pk, kind_name="remarks"
        )
    # and the database says so too
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationForm.objects.create(consultation=consultation, kind="remarks")
    assert kinds_of(consultation) == ["remarks"]


# (own start, own end) relative to a consultation of days 10-31 → error fields (independent table)
WINDOWS = [
    ((10, 31), set()),
    ((12, 20), set()),
    ((None, 20), set()),
    ((12, None), set()),
    ((9, 20), {"starts_at"}),
    ((12, 32), {"ends_at"}),
    ((20, 12), {"ends_at"}),
    ((31, None), {"starts_at"}),
    ((None, 10), {"ends_at"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("window", "bad_fields"), WINDOWS)
def test_a_forms_own_window_lies_inside_the_consultations(admin, window, bad_fields):
    base = timezone.now().replace(microsecond=0)
    consultation = consultation_in_state(
        S.DRAFT,
        participation_forms=[],
        starts_at=base + timedelta(days=10),
        ends_at=base + timedelta(days=31),
    )

    def day(n: int | None) -> datetime | None:
        return None if n is None else base + timedelta(days=n)

    call = dict(
        acting_user=admin,
        consultation_id=consultation.pk,
        kind_name="remarks",
        starts_at=day(window[0]),
        ends_at=day(window[1]),
    )
    if bad_fields:
        with pytest.raises(ValidationError) as exc:
            services.participation_form_add(**call)
        assert set(exc.value.message_dict) == bad_fields
        assert kinds_of(consultation) == []
    else:
        form = services.participation_form_add(**call)
        assert (form.starts_at, form.ends_at) == (day(window[0]), day(window[1]))


@pytest.mark.django_db
def test_the_database_refuses_a_window_that_ends_before_it_starts(in_a):
    consultation = consultation_in_state(S.DRAFT, participation_forms=[])
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationForm.objects.create(
            consultation=consultation, kind="remarks", starts_at=now, ends_at=now
        )


@pytest.mark.django_db
def test_changing_a_forms_window_and_settings_is_recorded(admin):
    consultation = consultation_in_state(S.DRAFT, participation_forms=["remarks"])
    form = selectors.participation_form_get(consultation, "remarks")
    start = consultation.starts_at + timedelta(days=2)
    services.participation_form_update(
        acting_user=admin,
        form_id=form.pk,
        starts_at=start,
        ends_at=None,
        settings={"anonymous": False},
    )
    form.refresh_from_db()
    assert (form.starts_at, form.ends_at, form.settings) == (start, None, {"anonymous": False})
    event = AuditEvent.objects.filter(consultation=consultation).first()
    assert (event.action, event.actor_id, event.actor_email) == (
        "participation_form_update",
        admin.pk,
        admin.email,
    )


@pytest.mark.django_db
def test_a_form_with_contributions_cannot_be_removed(admin, test_kinds):
    consultation = consultation_in_state(S.OPEN, participation_forms=["remarks", "test_counted"])
    form = selectors.participation_form_get(consultation, "test_counted")
    CONTRIBUTIONS[consultation.pk] = 3
    with pytest.raises(ValidationError) as exc:
        services.participation_form_remove(acting_user=admin, form_id=form.pk)
    assert exc.value.message_dict["participation_forms"] == [
        "Nie można usunąć formy „Formularz testowy”: mieszkańcy złożyli w niej już 3 wypowiedzi."
    ]
    assert kinds_of(consultation) == ["remarks", "test_counted"]
    # nor by unticking it on the consultation form
    with pytest.raises(ValidationError):
        services.participation_forms_set(
            acting_user=admin, consultation_id=consultation.pk, kind_names=["remarks"]
        )
    assert kinds_of(consultation) == ["remarks", "test_counted"]
    assert not AuditEvent.objects.filter(action="participation_form_remove").exists()


# count → the Polish plural the message uses (pl: one, few, many)
PLURALS = {1: "1 wypowiedź", 2: "2 wypowiedzi", 5: "5 wypowiedzi", 22: "22 wypowiedzi"}


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "words"), PLURALS.items())
def test_the_refusal_names_the_contributions_in_polish_plural(admin, test_kinds, count, words):
    consultation = consultation_in_state(S.OPEN, participation_forms=["test_counted"])
    CONTRIBUTIONS[consultation.pk] = count
    form = selectors.participation_form_get(consultation, "test_counted")
    with pytest.raises(ValidationError) as exc:
        services.participation_form_remove(acting_user=admin, form_id=form.pk)
    assert exc.value.messages[0].endswith(f"już {words}.")


@pytest.mark.django_db
def test_a_form_without_contributions_is_removed_and_that_is_recorded(admin, test_kinds):
    consultation = consultation_in_state(S.DRAFT, participation_forms=["remarks", "test_counted"])
    form = selectors.participation_form_get(consultation, "test_counted")
    services.participation_form_remove(acting_user=admin, form_id=form.pk)
    assert kinds_of(consultation) == ["remarks"]
    event = AuditEvent.objects.get(action="participation_form_remove", consultation=consultation)
    assert (event.actor_id, event.target_id, event.details["kind"]) == (
        admin.pk,
        str(form.pk),
        "test_counted",
    )


@pytest.mark.django_db
def test_rows_of_unregistered_kinds_stay_and_are_not_offered(admin):
    consultation = consultation_in_state(S.DRAFT, participation_forms=["survey", "remarks"])
    # unticking everything offered leaves the survey row: its app is not installed
    services.participation_forms_set(
        acting_user=admin, consultation_id=consultation.pk, kind_names=["paragraph_comments"]
    )
    assert kinds_of(consultation) == ["survey", "paragraph_comments"]
    assert "survey" not in [k.name for k in selectors.participation_kinds_for_panel(consultation)]
    # and it cannot be removed on its own: whether it holds contributions is unknown
    survey = selectors.participation_form_get(consultation, "survey")
    with pytest.raises(ValidationError):
        services.participation_form_remove(acting_user=admin, form_id=survey.pk)
    assert kinds_of(consultation) == ["survey", "paragraph_comments"]


@pytest.mark.django_db
def test_an_archived_consultations_forms_do_not_change(admin):
    consultation = consultation_in_state(S.ARCHIVED, participation_forms=["remarks"])
    with pytest.raises(ValidationError):
        services.participation_forms_set(
            acting_user=admin,
            consultation_id=consultation.pk,
            kind_names=["remarks", "paragraph_comments"],
        )
    assert kinds_of(consultation) == ["remarks"]


@pytest.mark.django_db
def test_ordering_needs_a_form_of_a_registered_kind(admin):
    only_planned = consultation_in_state(S.DRAFT, participation_forms=["poll"])
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=only_planned.pk)
    assert "co najmniej jedną dostępną formę udziału" in exc.value.messages[0]
    assert Consultation.objects.get(pk=only_planned.pk).status == S.DRAFT

    usable = consultation_in_state(S.DRAFT, participation_forms=["survey", "remarks"])
    services.consultation_order(acting_user=admin, consultation_id=usable.pk)
    assert Consultation.objects.get(pk=usable.pk).status == S.ORDERED


@pytest.mark.django_db
def test_new_dates_must_keep_the_forms_windows_inside(admin):
    department = department_make(coordinators=(admin,))
    data = complete_input(department)
    consultation = services.consultation_create(acting_user=admin, data=data)
    form = selectors.participation_form_get(consultation, "remarks")
    services.participation_form_update(
        acting_user=admin,
        form_id=form.pk,
        starts_at=data.starts_at + timedelta(days=5),
        ends_at=None,
    )
    data.starts_at = data.starts_at + timedelta(days=6)
    with pytest.raises(ValidationError) as exc:
        services.consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
    assert "starts_at" in exc.value.message_dict
    assert Consultation.objects.get(pk=consultation.pk).starts_at == consultation.starts_at


# --- The add-on a kind needs, asked of billing ------------------------------------------------


def order_with(tenant, consultation: Consultation, codes: list[str], status: str) -> None:
    from billing.models import Order, OrderItem
    from tenants.models import Municipality

    with schema_context("public"):
        order = Order.objects.create(
            municipality=Municipality.objects.get(pk=tenant.pk),
            consultation_id=consultation.pk,
            consultation_title=consultation.title,
            status=status,
            payment_method="transfer",
            net_total=100,
            vat_total=23,
            gross_total=123,
            buyer_name="Gmina",
            ordered_by_email="a@urzad.test",
        )
        for position, code in enumerate(codes):
            OrderItem.objects.create(
                order=order,
                code=code,
                name=code,
                net_amount=100,
                vat_rate_bp=2300,
                vat_amount=23,
                gross_amount=123,
                position=position,
            )


# the order (add-on codes, status) → is the add-on kind offered (independent table)
ADDON_CASES = [
    (None, False),
    ((["base-30", "newsletter"], "awaiting_payment"), False),
    ((["base-30", "geoankieta"], "awaiting_payment"), True),
    ((["base-30", "geoankieta"], "paid"), True),
    ((["base-30", "geoankieta"], "cancelled"), False),
    ((["base-30", "geoankieta"], "refunded"), False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("order", "offered"), ADDON_CASES)
def test_a_kind_needing_an_add_on_is_offered_only_when_the_order_includes_it(
    in_a, admin, test_kinds, order, offered
):
    consultation = consultation_in_state(S.ORDERED, participation_forms=["remarks"])
    if order is not None:
        order_with(in_a, consultation, *order)
    names = [kind.name for kind in participation.kinds_offered(consultation)]
    assert ("test_geosurvey" in names) is offered
    assert "test_counted" in names
    call = dict(acting_user=admin, consultation_id=consultation.pk, kind_name="test_geosurvey")
    if offered:
        services.participation_form_add(**call)
        assert kinds_of(consultation) == ["remarks", "test_geosurvey"]
    else:
        with pytest.raises(ValidationError) as exc:
            services.participation_form_add(**call)
        assert "dodatek" in exc.value.messages[0]
        assert kinds_of(consultation) == ["remarks"]


@pytest.mark.django_db
def test_another_municipalitys_order_does_not_unlock_an_add_on(in_a, tenant_b, test_kinds):
    consultation = consultation_in_state(S.ORDERED, participation_forms=["remarks"])
    # B's order for a consultation with the same id
    order_with(tenant_b, consultation, ["base-30", "geoankieta"], "paid")
    assert "test_geosurvey" not in [k.name for k in participation.kinds_offered(consultation)]


# --- When a form is open --------------------------------------------------------------------

# (consultation status, own window in hours from now or None, now offset in hours) →
# (is_open_at, phase); the consultation runs from -24 h to +24 h. Independent table.
NOW_CASES = [
    (S.OPEN, None, 0, True, "open"),
    (S.OPEN, None, -25, False, "before"),
    (S.OPEN, None, 24, False, "after"),
    (S.OPEN, (-2, 2), 0, True, "open"),
    (S.OPEN, (1, 2), 0, False, "before"),
    (S.OPEN, (-2, -1), 0, False, "after"),
    (S.OPEN, (-2, 0), 0, False, "after"),  # the end itself is out
    (S.OPEN, (0, 2), 0, True, "open"),  # the start itself is in
    (S.SCHEDULED, None, 0, False, "before"),
    (S.ORDERED, None, 0, False, "before"),
    (S.CLOSED, None, 0, False, "after"),
    (S.CLOSED, (-2, 2), 0, False, "after"),
    (S.REPORT_PUBLISHED, None, 0, False, "after"),
    (S.ARCHIVED, None, 0, False, "after"),
]


@pytest.mark.parametrize(("status", "window", "offset", "is_open", "phase"), NOW_CASES)
def test_a_form_is_open_only_while_the_consultation_is_open_and_inside_its_window(
    status, window, offset, is_open, phase
):
    now = timezone.now()
    consultation = Consultation(
        status=status, starts_at=now - timedelta(hours=24), ends_at=now + timedelta(hours=24)
    )
    form = ParticipationForm(consultation=consultation, kind="remarks")
    if window:
        form.starts_at = now + timedelta(hours=window[0])
        form.ends_at = now + timedelta(hours=window[1])
    at = now + timedelta(hours=offset)
    assert form.is_open_at(at) is is_open
    assert form.phase_at(at) == phase


@pytest.mark.django_db
def test_the_selectors_give_a_consultations_forms_in_order(admin, test_kinds):
    consultation = consultation_in_state(S.DRAFT, participation_forms=["test_counted", "survey"])
    other = consultation_in_state(S.DRAFT, participation_forms=["remarks"])
    services.participation_form_add(
        acting_user=admin, consultation_id=consultation.pk, kind_name="remarks"
    )
    forms = selectors.participation_forms_of(consultation)
    assert [form.kind for form in forms] == ["test_counted", "survey", "remarks"]
    assert selectors.participation_form_get(consultation, "remarks").consultation_id == (
        consultation.pk
    )
    assert selectors.participation_form_get(other, "test_counted") is None


# --- The pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_panel_offers_registered_kinds_only_and_marks_the_rest_not_available(
    tenant_a, test_kinds
):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = consultation_in_state(S.DRAFT, participation_forms=["survey", "remarks"])
    client = client_as(tenant_a, admin)
    edit = client.get(f"/panel/konsultacje/{consultation.pk}/edycja/").content.decode()
    assert 'value="remarks"' in edit and 'value="test_counted"' in edit
    assert 'value="survey"' not in edit  # not registered
    assert 'value="test_geosurvey"' not in edit  # its add-on is not ordered
    assert "Ankieta internetowa" in edit  # named in the help text as kept
    detail = client.get(f"/panel/konsultacje/{consultation.pk}/").content.decode()
    assert "jeszcze niedostępna" in detail
    # ticking an unregistered kind by hand changes nothing
    form_data = {
        "title": consultation.title,
        "legal_basis": "art5a",
        "participation_forms": ["remarks", "poll"],
    }
    response = client.post(f"/panel/konsultacje/{consultation.pk}/edycja/", form_data)
    assert response.status_code == 200
    with schema_context(tenant_a.schema_name):
        assert kinds_of(consultation) == ["survey", "remarks"]


@pytest.mark.django_db
def test_the_panel_page_shows_the_consultations_history(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        department = department_make(coordinators=(coordinator,))
        consultation = services.consultation_create(
            acting_user=coordinator, data=complete_input(department)
        )
        services.consultation_order(acting_user=coordinator, consultation_id=consultation.pk)
    page = client_as(tenant_a, coordinator).get(f"/panel/konsultacje/{consultation.pk}/")
    html = page.content.decode()
    assert "Historia" in html
    assert html.count(coordinator.email) >= 3
    for words in (
        "utworzenie konsultacji",
        "zamówienie konsultacji",
        "dodanie formy udziału (Formularz uwag)",
    ):
        assert words in html


@pytest.mark.django_db
def test_how_to_take_part_is_built_from_the_registry(tenant_a, test_kinds):
    now = timezone.now()
    with schema_context(tenant_a.schema_name):
        opened = consultation_in_state(
            S.OPEN, participation_forms=["remarks", "test_counted", "survey"]
        )
        later = selectors.participation_form_get(opened, "test_counted")
        later.starts_at = now + timedelta(days=2)
        later.save()
        closed = consultation_in_state(S.CLOSED, participation_forms=["test_counted"])
        CONTRIBUTIONS[closed.pk] = 2
    client = Client(HTTP_HOST=tenant_a.host)
    html = client.get(f"/konsultacje/{opened.slug}/").content.decode()
    assert "Formularz uwag" in html and "Formularz testowy" in html
    assert "phase-open" in html and "phase-before" in html
    assert "Ankieta" not in html  # an unregistered kind is not shown to residents
    html = client.get(f"/konsultacje/{closed.slug}/").content.decode()
    assert "phase-after" in html and "Wpłynęły 2 wypowiedzi." in html


@pytest.mark.django_db
def test_a_kinds_own_template_gets_the_consultation_the_form_and_the_phase(
    tenant_a, tmp_path, settings
):
    (tmp_path / "kind_page.html").write_text(
        "<p id='kind'>{{ form.kind }} of {{ consultation.slug }}: {{ phase }}</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), tmp_path]}
    ]
    kind = participation.ParticipationKind(
        name="test_templated", label="Z własnym szablonem", template_name="kind_page.html"
    )
    participation.register(kind)
    try:
        with schema_context(tenant_a.schema_name):
            consultation = consultation_in_state(
                S.SCHEDULED, participation_forms=["test_templated"]
            )
        html = Client(HTTP_HOST=tenant_a.host).get(f"/konsultacje/{consultation.slug}/")
    finally:
        participation.unregister("test_templated")
    assert (
        f"<p id='kind'>test_templated of {consultation.slug}: before</p>" in html.content.decode()
    )
