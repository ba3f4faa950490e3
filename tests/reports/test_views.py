"""The report's pages: who may see what, the refusal page listing the blocking remarks, the
archive ZIP, the opt-out link that a GET never uses up, and no report across tenants."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from common.tokens import row_token
from consultations.models import Consultation, ConsultationStatus
from reports import services
from reports.models import ReportMail, ReportOptOut
from tests.conftest import force_login, unique
from tests.consultations.factories import consultation_in_state, department_make, staff_make
from tests.reports.helpers import remarks_seed, survey_seed

S = ConsultationStatus


def client_as(tenant, user=None):
    client = Client(HTTP_HOST=tenant.host)
    if user is not None:
        force_login(client, user, tenant.schema_name)
    return client


def _closed_with(coordinator, *, unanswered=0):
    consultation = consultation_in_state(
        S.CLOSED,
        department=department_make(coordinators=(coordinator,)),
        participation_forms=["remarks", "survey"],
        rules_snapshot={"report_deadline_days": 30, "report_article": "§ 9"},
    )
    Consultation.objects.filter(pk=consultation.pk).update(closed_at=timezone.now())
    consultation.refresh_from_db()
    remarks_seed(
        consultation,
        count=4,
        drafter=coordinator,
        approver=staff_make("coordinator"),
        unanswered=unanswered,
    )
    survey_seed(consultation, responses=10)
    return consultation


@pytest.mark.django_db
def test_the_panel_lists_the_blocking_remarks_and_publishing_changes_nothing(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        consultation = _closed_with(coordinator, unanswered=2)
    client = client_as(tenant_a, coordinator)
    panel = f"/panel/konsultacje/{consultation.pk}/raport/"
    page = client.get(panel).content.decode()
    assert "Uwagi bez zatwierdzonej odpowiedzi" in page
    assert "Pozostało 30 dni." in page
    refused = client.post(panel + "publikuj/")
    assert refused.status_code == 400
    assert "Raportu nie można opublikować" in refused.content.decode()
    assert refused.content.decode().count("(brak odpowiedzi)") == 2
    with schema_context(tenant_a.schema_name):
        assert Consultation.objects.get(pk=consultation.pk).status == S.CLOSED


@pytest.mark.django_db
def test_a_preview_is_for_staff_only_and_the_public_sees_only_published_versions(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        outsider = staff_make("coordinator")  # runs no department of this consultation
        consultation = _closed_with(coordinator)
        preview = services.report_generate(acting_user=coordinator, consultation_id=consultation.pk)
        services.report_version_render(version_id=preview.pk)
    preview_pdf = f"/panel/konsultacje/{consultation.pk}/raport/podglad/{preview.pk}/raport.pdf"
    assert client_as(tenant_a, coordinator).get(preview_pdf).status_code == 200
    assert client_as(tenant_a, outsider).get(preview_pdf).status_code == 404
    assert client_as(tenant_a).get(preview_pdf).status_code in (302, 403, 404)
    public = client_as(tenant_a)
    assert public.get(f"/konsultacje/{consultation.slug}/raport/").status_code == 404
    with schema_context(tenant_a.schema_name):
        version = services.report_publish(acting_user=coordinator, consultation_id=consultation.pk)
        services.report_version_render(version_id=version.pk)
    assert public.get(f"/konsultacje/{consultation.slug}/raport/").status_code == 200
    detail = public.get(f"/konsultacje/{consultation.slug}/").content.decode()
    assert f"/konsultacje/{consultation.slug}/raport/" in detail


@pytest.mark.django_db
def test_another_municipality_sees_no_report_of_this_one(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        consultation = _closed_with(coordinator)
        version = services.report_publish(acting_user=coordinator, consultation_id=consultation.pk)
        services.report_version_render(version_id=version.pk)
    with schema_context(tenant_b.schema_name):
        admin_b = staff_make("admin")
    other = client_as(tenant_b, admin_b)
    assert other.get(f"/konsultacje/{consultation.slug}/raport/").status_code == 404
    assert (
        other.get(f"/konsultacje/{consultation.slug}/raport/wersja/1/raport.pdf").status_code == 404
    )
    assert other.get(f"/panel/konsultacje/{consultation.pk}/raport/archiwum.zip").status_code in (
        302,
        403,
        404,
    )


@pytest.mark.django_db
def test_the_archive_holds_every_part_of_the_consultation(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        consultation = _closed_with(coordinator)
        version = services.report_publish(acting_user=coordinator, consultation_id=consultation.pk)
        services.report_version_render(version_id=version.pk)
    response = client_as(tenant_a, coordinator).get(
        f"/panel/konsultacje/{consultation.pk}/raport/archiwum.zip"
    )
    assert response.status_code == 200
    package = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(package.namelist())
    expected = {
        "ogloszenie.txt",
        "rejestr-uwag.xlsx",
        "rejestr-uwag.csv",
        "survey-odpowiedzi.csv",
        "survey-kodowanie.csv",
        "dziennik-zdarzen.csv",
        *(f"raport/wersja-1/raport.{fmt}" for fmt in ("pdf", "odt", "docx", "xlsx", "csv")),
    }
    assert expected <= names
    assert "report_publish" in package.read("dziennik-zdarzen.csv").decode("utf-8-sig")
    assert consultation.title in package.read("ogloszenie.txt").decode()


@pytest.mark.django_db
def test_the_opt_out_link_asks_on_get_and_acts_on_post(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        consultation = _closed_with(coordinator)
        version = services.report_publish(acting_user=coordinator, consultation_id=consultation.pk)
        email = unique("ktos-") + "@poczta.test"
        mail = ReportMail.objects.create(version=version, email=email)
        token = row_token(services.OPT_OUT_PURPOSE, mail.pk, mail.opt_out_key)
        forged = row_token(services.OPT_OUT_PURPOSE, mail.pk, "x")
    client = client_as(tenant_a)
    # a token signed for the row but with another key (as before, a fixed one) opts nobody out
    assert client.post(f"/raport/wypisz/{forged}/").status_code == 404
    assert client.get(f"/raport/wypisz/{token}/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert not ReportOptOut.objects.filter(email=email).exists()
    assert client.get("/raport/wypisz/zly-token/").status_code == 404
    done = client.post(f"/raport/wypisz/{token}/")
    assert "nie będzie już otrzymywać" in done.content.decode()
    with schema_context(tenant_a.schema_name):
        assert ReportOptOut.objects.filter(email=email).exists()
        # and planning plans no mail to it, though a remark of the consultation gave it
        from remarks.models import Remark

        Remark.objects.filter(consultation=consultation).update(email=email)
        ReportMail.objects.filter(version=version).delete()
        services.report_mails_plan(version_id=version.pk)
        assert not ReportMail.objects.filter(version=version, email=email).exists()
