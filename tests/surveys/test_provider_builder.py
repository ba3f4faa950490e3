"""The provider's staff build a municipality's survey when its order includes the add-on
"Przygotowanie ankiety przez operatora": the permission matrix (provider vs. municipality
staff, with and without the add-on, another municipality), the provider's way through the
builder's own pages in the municipality's schema, the audit rows naming the provider's staff
member, and what the coordinator sees."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from billing import selectors as billing_selectors
from billing.services import order_place
from consultations.models import AuditEvent, Consultation
from surveys import permissions, selectors
from surveys.models import Question, Survey
from tenants.models import Municipality
from tests.billing.conftest import consultation_make, invoice_data_enter, orderer_make
from tests.conftest import PASSWORD, force_login, unique
from tests.consultations.factories import staff_make
from tests.consultations.test_views import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)


@pytest.fixture
def provider_client(operator):
    client = Client(HTTP_HOST="localhost")
    force_login(client, operator, "public")
    return client


def ordered(tenant, *, addon: bool) -> int:
    """A consultation of ``tenant`` ordered (by transfer), with or without the add-on."""
    municipality = Municipality.objects.get(pk=tenant.pk)
    invoice_data_enter(municipality)
    consultation_id = consultation_make(tenant.schema_name, title=unique("Park "))
    order_place(
        municipality=municipality,
        consultation_id=consultation_id,
        addon_codes=["addon-survey"] if addon else [],
        payment_method="transfer",
        acting_user=orderer_make(tenant.schema_name),
    )
    return consultation_id


def base(tenant, consultation_id: int) -> str:
    return f"/operator/gminy/{tenant.pk}/konsultacje/{consultation_id}/ankieta/"


def test_the_survey_add_on_can_be_ordered_since_the_surveys_app_delivers_it():
    assert "addon-survey" in billing_selectors.addon_codes_with_capability()
    assert billing_selectors.price_list_addons_orderable().filter(code="addon-survey").exists()


def test_the_predicate_follows_the_order_and_the_consultations_state(tenant_a):
    with_addon = ordered(tenant_a, addon=True)
    without = ordered(tenant_a, addon=False)
    with schema_context(tenant_a.schema_name):
        yes = Consultation.objects.get(pk=with_addon)
        no = Consultation.objects.get(pk=without)
        assert permissions.provider_may_build_survey(None, yes)
        assert not permissions.provider_may_build_survey(None, no)
        yes.status = "closed"
        assert not permissions.provider_may_build_survey(None, yes)


def test_the_provider_builds_a_survey_through_the_builders_own_pages(
    tenant_a, operator, provider_client
):
    consultation_id = ordered(tenant_a, addon=True)
    # the municipality's page in the provider panel leads to the builder
    page = provider_client.get(f"/operator/gminy/{tenant_a.pk}/").content.decode()
    assert base(tenant_a, consultation_id) in page
    assert "Ankiety przygotowywane przez operatora" in page
    # creates the survey, names it, adds a question
    assert provider_client.get(base(tenant_a, consultation_id)).status_code == 200
    created = provider_client.post(base(tenant_a, consultation_id))
    assert created.status_code == 302 and created["Location"] == base(tenant_a, consultation_id)
    settings = provider_client.post(
        base(tenant_a, consultation_id) + "ustawienia/",
        {"title": "Ankieta o parku", "intro": "", "audience": "anyone"},
    )
    assert settings.status_code == 302
    builder = provider_client.get(base(tenant_a, consultation_id)).content.decode()
    assert "Ankieta o parku" in builder
    with schema_context(tenant_a.schema_name):
        survey = Survey.objects.get(consultation_id=consultation_id, kind="survey")
        section_key = selectors.survey_current_version(survey).sections.get().key
    add = provider_client.post(
        base(tenant_a, consultation_id) + f"sekcje/{section_key}/nowe-pytanie/",
        {"type": "single", "text": "Czy bywa Pan/Pani w parku?", "choices": "Tak\nNie"},
    )
    assert add.status_code == 302
    with schema_context(tenant_a.schema_name):
        question = Question.objects.get(section__version__survey=survey)
        # every change leaves an audit row naming the provider's staff member
        rows = AuditEvent.objects.filter(target_type="surveys.survey", target_id=str(survey.pk))
        assert {r.action for r in rows} == {
            "survey_create",
            "survey_settings_update",
            "survey_change",
        }
        assert all(r.actor_email == operator.email and r.details["provider"] for r in rows)
    preview = provider_client.get(base(tenant_a, consultation_id) + "podglad/")
    assert preview.status_code == 200 and question.text in preview.content.decode()
    move = provider_client.post(
        base(tenant_a, consultation_id) + "zmien/",
        {"item": "question", "key": question.key, "action": "remove"},
    )
    assert move.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert not Question.objects.filter(section__version__survey=survey).exists()


def test_the_coordinator_sees_who_built_the_survey(tenant_a, operator, provider_client):
    consultation_id = ordered(tenant_a, addon=True)
    provider_client.post(base(tenant_a, consultation_id))
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
    page = client_as(tenant_a, admin).get(f"/panel/konsultacje/{consultation_id}/ankieta/")
    html = page.content.decode()
    assert "Ankietę przygotował operator platformy" in html and operator.email in html


def test_without_the_add_on_the_provider_is_refused_with_a_polish_message(
    tenant_a, provider_client
):
    consultation_id = ordered(tenant_a, addon=False)
    for path in ("", "ustawienia/", "podglad/"):
        response = provider_client.get(base(tenant_a, consultation_id) + path)
        assert response.status_code == 403, path
        assert "nie obejmuje usługi" in response.content.decode()
    response = provider_client.post(base(tenant_a, consultation_id))
    assert response.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert not Survey.objects.filter(consultation_id=consultation_id).exists()


def test_the_permission_matrix(tenant_a, tenant_b, provider_client):
    consultation_id = ordered(tenant_a, addon=True)
    url = base(tenant_a, consultation_id)
    # the provider: yes; under B's id (the consultation is A's): 404 or B's own refusal
    assert provider_client.get(url).status_code == 200
    wrong = provider_client.get(base(tenant_b, consultation_id))
    with schema_context(tenant_b.schema_name):
        in_b = Consultation.objects.filter(pk=consultation_id).exists()
    assert wrong.status_code == 404 or (in_b and wrong.status_code == 403)
    assert (
        provider_client.get(
            f"/operator/gminy/999999/konsultacje/{consultation_id}/ankieta/"
        ).status_code
        == 404
    )
    # signed out: to the sign-in page; a provider account without staff rights: 404
    assert Client(HTTP_HOST="localhost").get(url).status_code == 302
    plain = user_create(email=unique("plain") + "@konsulta.test", password=PASSWORD)
    plain_client = Client(HTTP_HOST="localhost")
    force_login(plain_client, plain, "public")
    assert plain_client.get(url).status_code == 404
    # the municipality's staff never reach the provider's pages (another host, another
    # schema): on their own host the path does not exist
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        moderator = staff_make("moderator")
    assert client_as(tenant_a, admin).get(url).status_code == 404
    # and the municipality's admin builds with or without the add-on, a moderator never
    without = ordered(tenant_a, addon=False)
    for consultation in (consultation_id, without):
        panel = f"/panel/konsultacje/{consultation}/ankieta/"
        assert client_as(tenant_a, admin).post(panel).status_code == 302
        assert client_as(tenant_a, moderator).get(panel).status_code == 404


def test_a_closed_consultations_survey_is_shown_to_the_provider_but_not_changed(
    tenant_a, provider_client
):
    consultation_id = ordered(tenant_a, addon=True)
    provider_client.post(base(tenant_a, consultation_id))
    with schema_context(tenant_a.schema_name):
        Consultation.objects.filter(pk=consultation_id).update(status="closed")
    assert provider_client.get(base(tenant_a, consultation_id)).status_code == 200
    refused = provider_client.post(
        base(tenant_a, consultation_id) + "ustawienia/",
        {"title": "Inna", "intro": "", "audience": "anyone"},
    )
    assert refused.status_code == 404
    with schema_context(tenant_a.schema_name):
        assert Survey.objects.get(consultation_id=consultation_id).title != "Inna"
