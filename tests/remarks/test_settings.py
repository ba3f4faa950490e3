"""The panel page for what a remark form (or the comments on the draft) asks and allows: who
may use it, what is stored, what is refused, what a legal rule set's lock keeps, and what
residents then see."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from consultations.models import AuditEvent, ParticipationForm
from remarks import services
from tests.consultations.factories import consultation_in_state
from tests.remarks.helpers import coordinator_with, form_settings, remark_input, staff_make
from tests.remarks.test_views import client_as

URL = "/panel/konsultacje/{pk}/uwagi/ustawienia/"
COMMENTS_URL = "/panel/konsultacje/{pk}/projekt/ustawienia/"

# What the page stores for these posts, written out by hand (not computed by the code).
POSTED = {
    "name_required": "on",
    "address_required": "on",
    "anonymous_accepted": "",
    "moderation": "pre",
    "sections": "§ 1\r\n§ 2 ust. 1\r\n\r\n§ 2 ust. 1\r\n  Rozdział 3  ",
    "source": "§ 4 ust. 2 uchwały nr XII/85/2026 Rady Gminy Dębno",
}
STORED = {
    "name_required": True,
    "address_required": True,
    "anonymous_accepted": False,
    "moderation": "pre",
    "sections": ["§ 1", "§ 2 ust. 1", "Rozdział 3"],
    "source": "§ 4 ust. 2 uchwały nr XII/85/2026 Rady Gminy Dębno",
}


def _consultation(status: str = "draft", kinds=("remarks",), department=None):
    consultation = consultation_in_state(
        status, department=department, participation_forms=list(kinds)
    )
    return consultation


def _settings(consultation, kind="remarks"):
    return ParticipationForm.objects.get(consultation=consultation, kind=kind).settings


@pytest.mark.django_db
def test_a_coordinator_sets_the_remark_form_and_the_history_records_it(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(department=department)
    client = client_as(tenant_a, coordinator)
    page = client.get(URL.format(pk=consultation.pk))
    assert page.status_code == 200
    assert "Ustawienia formularza „Formularz uwag”" in page.content.decode()

    response = client.post(URL.format(pk=consultation.pk), POSTED)

    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert _settings(consultation) == STORED
        event = AuditEvent.objects.filter(
            consultation=consultation, action="participation_form_update"
        ).get()
        assert event.actor_email == coordinator.email
        assert event.details["after"]["settings"] == STORED


@pytest.mark.django_db
def test_the_consultation_page_links_each_form_to_its_settings(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(department=department, kinds=("remarks", "paragraph_comments"))
    html = client_as(tenant_a, coordinator).get(f"/panel/konsultacje/{consultation.pk}/")
    text = html.content.decode()
    assert f'href="{URL.format(pk=consultation.pk)}"' in text
    assert f'href="{COMMENTS_URL.format(pk=consultation.pk)}"' in text


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["closed", "report_published"])
def test_a_closed_consultation_page_does_not_link_to_settings_that_answer_404(tenant_a, status):
    # given: a consultation past the point where its forms' settings may change
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(
            status, department=department, kinds=("remarks", "paragraph_comments")
        )
    client = client_as(tenant_a, coordinator)

    # when
    text = client.get(f"/panel/konsultacje/{consultation.pk}/").content.decode()

    # then: no link to the settings pages (they answer 404 now), the register still linked
    for url in (URL, COMMENTS_URL):
        assert client.get(url.format(pk=consultation.pk)).status_code == 404
        assert f'href="{url.format(pk=consultation.pk)}"' not in text
    assert f'href="/panel/konsultacje/{consultation.pk}/uwagi/"' in text


@pytest.mark.django_db
def test_residents_then_see_what_the_settings_ask(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation("open", department=department)
    client = client_as(tenant_a, coordinator)
    client.post(
        URL.format(pk=consultation.pk),
        {**POSTED, "anonymous_accepted": "on", "address_required": ""},
    )
    form = client_as(tenant_a).get(f"/konsultacje/{consultation.slug}/uwagi/").content.decode()
    assert "Bez podawania imienia i nazwiska" in form
    assert '<option value="§ 2 ust. 1">§ 2 ust. 1</option>' in form
    assert "Adres (wymagane)" not in form
    with schema_context(tenant_a.schema_name):
        # A part of the document not on the coordinator's list is refused, nothing stored.
        with pytest.raises(ValidationError) as refused:
            services.remark_submit(
                consultation_id=consultation.pk,
                data=remark_input(document_part="§ 99"),
                idempotency_key=uuid.uuid4(),
                consent=True,
            )
        assert refused.value.message_dict["document_part"] == [
            "Proszę wybrać część dokumentu z listy."
        ]


@pytest.mark.django_db
def test_the_comments_page_shows_only_the_comments_settings(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(department=department, kinds=("paragraph_comments",))
    client = client_as(tenant_a, coordinator)
    page = client.get(COMMENTS_URL.format(pk=consultation.pk)).content.decode()
    assert 'name="supports_allowed"' in page and 'name="replies_allowed"' in page
    assert 'name="address_required"' not in page and 'name="sections"' not in page
    response = client.post(
        COMMENTS_URL.format(pk=consultation.pk),
        {"name_required": "", "moderation": "post", "supports_allowed": "on"},
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert _settings(consultation, "paragraph_comments") == {
            "name_required": False,
            "moderation": "post",
            "replies_allowed": False,
            "supports_allowed": True,
            "source": "",
        }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", "x" * 100_000, "co najwyżej 300 znak"),
        ("moderation", "<script>alert(1)</script>", "Wybierz poprawną wartość"),
        ("sections", "\n".join(f"§ {n}" for n in range(1, 102)), "najwyżej 100 części"),
        ("sections", "§ 1\n" + "y" * 301, "Wiersz 2 jest za długi"),
        ("source", "uchwała\x00", "null"),
    ],
)
def test_bad_settings_get_a_polish_message_and_change_nothing(tenant_a, field, value, message):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(department=department)
        form_settings(consultation, name_required=False)
    response = client_as(tenant_a, coordinator).post(
        URL.format(pk=consultation.pk), {**POSTED, field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert _settings(consultation) == {"name_required": False}
        assert not AuditEvent.objects.filter(action="participation_form_update").exists()


@pytest.mark.django_db
def test_control_characters_and_markup_are_stored_clean_and_shown_escaped(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(department=department)
    client = client_as(tenant_a, coordinator)
    client.post(
        URL.format(pk=consultation.pk),
        {**POSTED, "source": "<script>alert(1)</script>\u202e uchwała", "sections": "§\u202e 1"},
    )
    with schema_context(tenant_a.schema_name):
        stored = _settings(consultation)
    assert stored["source"] == "<script>alert(1)</script> uchwała"
    assert stored["sections"] == ["§ 1"]
    page = client.get(URL.format(pk=consultation.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_a_key_a_legal_rule_set_locked_keeps_its_value_and_names_the_provision(tenant_a):
    citation = "art. 8g ust. 2 ustawy o planowaniu i zagospodarowaniu przestrzennym"
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(department=department)
        form_settings(
            consultation,
            name_required=True,
            address_required=True,
            locked={"name_required": citation, "address_required": citation},
        )
    client = client_as(tenant_a, coordinator)
    page = client.get(URL.format(pk=consultation.pk)).content.decode()
    assert f"Wymagane przez prawo: {citation}." in page
    address_input = re.search(r'<input[^>]*id="id_address_required"[^>]*>', page)
    assert address_input is not None and "disabled" in address_input.group(0)
    source_input = re.search(r'<input[^>]*id="id_source"[^>]*>', page)
    assert source_input is not None and "disabled" not in source_input.group(0)

    # A posted change of a locked key is ignored by the page (the field is disabled)...
    client.post(URL.format(pk=consultation.pk), {**POSTED, "address_required": ""})
    with schema_context(tenant_a.schema_name):
        assert _settings(consultation)["address_required"] is True
        assert _settings(consultation)["locked"] == {
            "name_required": citation,
            "address_required": citation,
        }
        # ...and refused by the service, which names the provision.
        with pytest.raises(ValidationError) as refused:
            services.remark_form_settings_update(
                acting_user=coordinator,
                consultation_id=consultation.pk,
                kind="remarks",
                data=services.RemarkSettingsInput(name_required=False, address_required=True),
            )
        assert refused.value.message_dict["name_required"] == [
            f"To ustawienie jest wymagane przez prawo ({citation}) i nie można go tu zmienić."
        ]
        assert _settings(consultation)["name_required"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "role", "same_department", "expected"),
    [
        # An independent table: who may open the settings page in which state.
        ("draft", "coordinator", True, 200),
        ("scheduled", "coordinator", True, 200),
        ("open", "coordinator", True, 200),
        ("closed", "coordinator", True, 404),
        ("report_published", "coordinator", True, 404),
        ("draft", "coordinator", False, 404),
        ("draft", "admin", False, 200),
        ("draft", "moderator", False, 404),
        ("draft", "", False, 404),
    ],
)
def test_who_may_change_the_settings_and_when(tenant_a, status, role, same_department, expected):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation(status, department=department)
        user = coordinator if same_department else staff_make(role)
    response = client_as(tenant_a, user).get(URL.format(pk=consultation.pk))
    assert response.status_code == expected


@pytest.mark.django_db
def test_the_service_refuses_a_closed_consultation(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = _consultation("closed", department=department)
        with pytest.raises(ValidationError) as refused:
            services.remark_form_settings_update(
                acting_user=coordinator,
                consultation_id=consultation.pk,
                kind="remarks",
                data=services.RemarkSettingsInput(),
            )
        assert "nie można już zmienić" in refused.value.messages[0]


@pytest.mark.django_db
def test_b_settings_page_is_404_on_a(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        _coordinator_b, department_b = coordinator_with()
        consultation_b = _consultation(department=department_b)
    with schema_context(tenant_a.schema_name):
        admin_a = staff_make("admin")
        ids_a = set(ParticipationForm.objects.values_list("consultation_id", flat=True))
    if consultation_b.pk in ids_a:
        pytest.skip("the ids collide in this run")
    response = client_as(tenant_a, admin_a).get(URL.format(pk=consultation_b.pk))
    assert response.status_code == 404
