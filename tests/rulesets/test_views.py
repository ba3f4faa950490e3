"""The provider's pages of the legal rule sets: staff only, and bad input changes nothing."""

import pytest
from django.test import Client

from accounts.services import user_create
from rulesets.models import LegalRuleSet
from tests.conftest import PASSWORD, force_login, unique


@pytest.fixture
def provider_client():
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    client = Client(HTTP_HOST="localhost")
    force_login(client, operator, "public")
    return client


@pytest.mark.django_db
def test_the_rules_pages_are_not_for_other_accounts():
    user = user_create(email=unique("x") + "@konsulta.test", password=PASSWORD)
    client = Client(HTTP_HOST="localhost")
    force_login(client, user, "public")
    assert client.get("/operator/reguly-prawne/").status_code == 404
    assert client.post("/operator/reguly-prawne/nowa/", {}).status_code == 404


@pytest.mark.django_db
def test_the_list_shows_every_basis_and_its_versions(provider_client):
    response = provider_client.get("/operator/reguly-prawne/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ustawa o rewitalizacji, art. 6" in text
    assert "t.j. Dz.U. 2024 poz. 278" in text and "Dz.U. 2020 poz. 802" in text


@pytest.mark.django_db
def test_a_rule_without_its_provision_or_a_duplicate_date_is_refused(provider_client):
    data = {
        "legal_basis": "revitalisation",
        "valid_from": "2023-09-24",
        "act": "Ustawa o rewitalizacji",
        "journal_reference": "Dz.U. 2099 poz. 1",
        "duration_counted_from": "start",
        "min_notice_days": "0",
        "min_other_forms": "0",
        "min_duration_days": "40",
        "anonymous_remarks_count": "on",
    }
    count = LegalRuleSet.objects.count()
    response = provider_client.post(
        "/operator/reguly-prawne/nowa/", {**data, "valid_from": "2098-01-01"}
    )
    assert response.status_code == 200
    assert "Prosimy wskazać przepis" in response.content.decode()
    response = provider_client.post(
        "/operator/reguly-prawne/nowa/", {**data, "duration_article": "art. 6 ust. 5"}
    )
    assert "Od tego dnia obowiązuje już wersja" in response.content.decode()
    assert LegalRuleSet.objects.count() == count
    response = provider_client.post(
        "/operator/reguly-prawne/nowa/",
        {**data, "duration_article": "art. 6 ust. 5", "valid_from": "2099-01-01"},
    )
    assert response.status_code == 302
    assert LegalRuleSet.objects.filter(valid_from="2099-01-01", min_duration_days=40).exists()


@pytest.mark.django_db
def test_the_municipality_records_its_council_resolution(tenant_a):
    from django_tenants.utils import schema_context

    from consultations.models import AuditEvent, CouncilResolution

    with schema_context(tenant_a.schema_name):
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
        coordinator = user_create(
            email=unique("koord") + "@a.test", password=PASSWORD, role="coordinator"
        )
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, coordinator, tenant_a.schema_name)
    assert client.get("/panel/ustawienia/uchwala-o-konsultacjach/").status_code == 404
    force_login(client, admin, tenant_a.schema_name)
    page = client.get("/panel/ustawienia/uchwala-o-konsultacjach/")
    assert "art. 5a ust. 2" in page.content.decode()
    form = {
        "number": "XII/85/2024",
        "adopted_on": "2024-03-14",
        "url": "https://bip.example.test/uchwala",
        "min_duration_days": "21",
        "min_notice_days": "7",
        "required_forms": ["remarks"],
        "required_channels": ["bip", "website"],
        "report_deadline_days": "30",
    }
    # a number without a date changes nothing
    response = client.post("/panel/ustawienia/uchwala-o-konsultacjach/", {**form, "adopted_on": ""})
    assert "Prosimy podać datę podjęcia uchwały." in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not CouncilResolution.objects.filter(number="XII/85/2024").exists()
    response = client.post("/panel/ustawienia/uchwala-o-konsultacjach/", form)
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        saved = CouncilResolution.objects.get(pk=1)
        assert saved.number == "XII/85/2024" and saved.required_channels == ["bip", "website"]
        assert AuditEvent.objects.filter(action="council_resolution_update").exists()
        saved.delete()


@pytest.mark.django_db
def test_the_coordinator_moves_the_dates_from_the_panel_and_records_a_publication(tenant_a):
    from datetime import timedelta

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from consultations import services
    from consultations.models import Consultation
    from tests.consultations.factories import complete_input, department_make, pdf_bytes, upload

    with schema_context(tenant_a.schema_name):
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
        start = timezone.now() + timedelta(days=10)
        consultation = services.consultation_create(
            acting_user=admin,
            data=complete_input(
                department_make(),
                legal_basis="revitalisation",
                participation_forms=["remarks", "survey", "poll"],
                starts_at=start,
                ends_at=start + timedelta(days=35),
            ),
        )
        services.document_add(
            acting_user=admin,
            consultation_id=consultation.pk,
            title="Projekt",
            upload=upload("p.pdf", pdf_bytes()),
        )
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
        services.consultation_payment_clear(
            consultation_id=consultation.pk, reference="KON/x", paid_days=(31, 60)
        )
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    base = f"/panel/konsultacje/{consultation.pk}/"
    page = client.get(base).content.decode()
    assert "Przesuń terminy" in page and "31–60 dni" in page
    new_start = timezone.localtime() + timedelta(days=15)
    fmt = "%Y-%m-%dT%H:%M"
    # 20 days: outside the paid band; nothing moves
    response = client.post(
        base + "terminy/",
        {
            "starts_at": new_start.strftime(fmt),
            "ends_at": (new_start + timedelta(days=20)).strftime(fmt),
        },
    )
    assert response.status_code == 400 and "31–60" in response.content.decode()
    response = client.post(
        base + "terminy/",
        {
            "starts_at": new_start.strftime(fmt),
            "ends_at": (new_start + timedelta(days=36)).strftime(fmt),
        },
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        moved = Consultation.objects.get(pk=consultation.pk)
        assert moved.dates_moved_at is not None
        assert timezone.localtime(moved.starts_at).strftime(fmt) == new_start.strftime(fmt)
    assert "Przesuń terminy" not in client.get(base).content.decode()
    # a publication with a proof file; the proof downloads for staff
    response = client.post(
        base + "ogloszenie/",
        {
            "channel": "press",
            "published_on": timezone.localdate().isoformat(),
            "proof_file": upload("wycinek.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        publication = Consultation.objects.get(pk=consultation.pk).announcement_publications.get()
    proof = client.get(base + f"ogloszenie/{publication.pk}/dowod/")
    assert proof.status_code == 200 and b"".join(proof.streaming_content).startswith(b"%PDF")
    assert Client(HTTP_HOST=tenant_a.host).get(
        base + f"ogloszenie/{publication.pk}/dowod/"
    ).status_code in (302, 404)
