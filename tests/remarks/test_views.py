"""The register's pages over HTTP: residents' form and list, staff's register, isolation
between municipalities, scans only for staff and never under /media/."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from remarks import services
from remarks.models import Remark, RemarkState, Response
from remarks.selectors import token_hash
from tests.conftest import force_login
from tests.consultations.factories import pdf_bytes, upload
from tests.remarks.helpers import (
    coordinator_with,
    open_consultation,
    paper_remark,
    remark_input,
    staff_make,
)


def client_as(tenant, user=None):
    client = Client(HTTP_HOST=tenant.host)
    if user is not None:
        force_login(client, user, tenant.schema_name)
    return client


def form_data(**overrides):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "document_part": "§ 2",
        "current_wording": "Stare brzmienie",
        "proposed_wording": "Nowe brzmienie",
        "justification": "Uzasadnienie",
        "author_kind": "person",
        "author_name": "Anna Nowak",
        "organisation_name": "",
        "address": "ul. Polna 2",
        "email": "anna.nowak@example.pl",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_resident_sends_a_remark_and_confirms_it_with_a_post_not_a_get(tenant_a):
    with schema_context(tenant_a.schema_name):
        consultation = open_consultation()
    client = client_as(tenant_a)
    page = client.get(f"/konsultacje/{consultation.slug}/uwagi/")
    assert page.status_code == 200
    assert "Formularz uwag" in page.content.decode()
    response = client.post(f"/konsultacje/{consultation.slug}/uwagi/", form_data())
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "anna.nowak@example.pl" in done
    with schema_context(tenant_a.schema_name):
        remark = Remark.objects.get(consultation=consultation)
        Remark.objects.filter(pk=remark.pk).update(confirmation_hash=token_hash("klucz"))
    # a mail scanner opens the link: nothing is confirmed
    assert client.get("/uwagi/potwierdz/klucz/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert Remark.objects.get(pk=remark.pk).state == RemarkState.PENDING
    confirmed = client.post("/uwagi/potwierdz/klucz/")
    assert confirmed.status_code == 200
    with schema_context(tenant_a.schema_name):
        remark.refresh_from_db()
    assert remark.state == RemarkState.REGISTERED
    assert remark.reference in confirmed.content.decode()


@pytest.mark.django_db
def test_the_form_after_the_end_says_so_and_a_post_stores_nothing(tenant_a):
    from tests.consultations.factories import consultation_in_state

    with schema_context(tenant_a.schema_name):
        consultation = consultation_in_state("closed")
    client = client_as(tenant_a)
    page = client.get(f"/konsultacje/{consultation.slug}/uwagi/").content.decode()
    assert "nie są teraz przyjmowane" in page
    response = client.post(f"/konsultacje/{consultation.slug}/uwagi/", form_data())
    assert response.status_code == 200
    assert "nie są teraz przyjmowane" in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not Remark.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
def test_the_public_list_shows_texts_escaped_without_private_names(tenant_a):
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        paper_remark(
            consultation,
            clerk,
            data=remark_input(
                justification="<script>alert(1)</script>", author_name="Jan Tajny", email=""
            ),
        )
        paper_remark(
            consultation,
            clerk,
            data=remark_input(
                author_kind="organisation",
                organisation_name="Fundacja Park",
                author_name="Ewa Prezes",
                email="",
            ),
        )
    page = client_as(tenant_a).get(f"/konsultacje/{consultation.slug}/uwagi/rozpatrzenie/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Jan Tajny" not in html and "Ewa Prezes" not in html
    assert "Fundacja Park" in html and "Osoba prywatna" in html


@pytest.mark.django_db
def test_a_clerk_enters_a_paper_remark_with_a_scan_only_staff_can_download(tenant_a, settings):
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        moderator = staff_make("moderator")
        resident = staff_make("")
        other_coordinator = staff_make("coordinator")
    client = client_as(tenant_a, clerk)
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "channel": "paper",
        "received_on": timezone.localdate().isoformat(),
        "case_number": "OR.152.1.2026",
        "document_part": "§ 1",
        "proposed_wording": "Nowe",
        "justification": "Bo tak",
        "author_kind": "person",
        "author_name": "Piotr Zieliński",
        "scan": upload("skan.pdf", pdf_bytes()),
    }
    response = client.post(f"/panel/konsultacje/{consultation.pk}/uwagi/nowa/", data)
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        remark = Remark.objects.get(consultation=consultation)
    assert remark.scan.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    url = f"/panel/konsultacje/{consultation.pk}/uwagi/{remark.pk}/skan/"
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Cache-Control"] == "private, no-store"
    assert client_as(tenant_a, moderator).get(url).status_code == 200
    assert client_as(tenant_a, resident).get(url).status_code == 404
    assert client_as(tenant_a, other_coordinator).get(url).status_code == 404
    assert client_as(tenant_a).get(url).status_code == 302  # to sign in
    # never reachable through the media view, whatever path is tried
    relative = remark.scan.name
    for path in (f"/media/{tenant_a.schema_name}/{relative}", f"/media/{relative}"):
        assert client_as(tenant_a, clerk).get(path).status_code == 404
    register = client.get(f"/panel/konsultacje/{consultation.pk}/uwagi/").content.decode()
    assert remark.reference in register


def _ids_far_apart() -> None:
    """Move this schema's sequences and counter far from the other's, so that an id or a
    number found on A can only be B's own row leaking, never a coincidence."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("consultations_consultation", "remarks_remark"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                "GREATEST(900000000, (SELECT COALESCE(MAX(id), 0) FROM " + table + ")) )"
            )
        cursor.execute(
            "INSERT INTO remarks_referencecounter (year, last) VALUES (%s, 9000) "
            "ON CONFLICT (year) DO UPDATE SET last = GREATEST(remarks_referencecounter.last, 9000)",
            [timezone.localdate().year],
        )


@pytest.mark.django_db
def test_b_remark_scan_and_reference_are_404_on_a(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        _ids_far_apart()
        clerk_b, department_b = coordinator_with()
        consultation_b = open_consultation(department=department_b)
        remark_b = paper_remark(consultation_b, clerk_b, scan=upload("skan.pdf", pdf_bytes()))
    with schema_context(tenant_a.schema_name):
        admin_a = staff_make("admin")
        clerk_a, department_a = coordinator_with()
        consultation_a = open_consultation(department=department_a)
        remark_a = paper_remark(consultation_a, clerk_a)
    assert remark_b.reference != remark_a.reference
    client = client_as(tenant_a, admin_a)
    # B's own paths, and B's ids under A's consultation
    for path in (
        f"/panel/konsultacje/{consultation_b.pk}/uwagi/",
        f"/panel/konsultacje/{consultation_b.pk}/uwagi/{remark_b.pk}/",
        f"/panel/konsultacje/{consultation_b.pk}/uwagi/{remark_b.pk}/skan/",
        f"/panel/konsultacje/{consultation_a.pk}/uwagi/{remark_b.pk}/",
        f"/panel/konsultacje/{consultation_a.pk}/uwagi/{remark_b.pk}/skan/",
        f"/konsultacje/{consultation_b.slug}/uwagi/rozpatrzenie/",
        f"/konsultacje/{consultation_b.slug}/uwagi/",
        f"/media/{tenant_b.schema_name}/{remark_b.scan.name}",
        f"/media/{tenant_a.schema_name}/{remark_b.scan.name}",
        f"/panel/uwagi/numer/?numer={remark_b.reference}",
    ):
        assert client.get(path).status_code == 404, path
    # A's own reference is found on A
    found = client.get(f"/panel/uwagi/numer/?numer={remark_a.reference}")
    assert found.status_code == 302
    assert found["Location"].endswith(f"/uwagi/{remark_a.pk}/")
    listing = client.get(f"/konsultacje/{consultation_a.slug}/uwagi/rozpatrzenie/").content.decode()
    assert remark_b.reference not in listing


@pytest.mark.django_db
def test_a_moderator_hides_a_remark_and_the_public_reads_the_reason(tenant_a):
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        remark = paper_remark(
            consultation, clerk, data=remark_input(justification="Obraźliwy tekst", email="")
        )
        moderator = staff_make("moderator")
    client = client_as(tenant_a, moderator)
    response = client.post(
        f"/panel/konsultacje/{consultation.pk}/uwagi/{remark.pk}/moderacja/",
        {"action": "hide", "reason": "narusza regulamin"},
    )
    assert response.status_code == 302
    html = (
        client_as(tenant_a)
        .get(f"/konsultacje/{consultation.slug}/uwagi/rozpatrzenie/")
        .content.decode()
    )
    assert "Obraźliwy tekst" not in html
    assert "Ukryte przez moderatora: narusza regulamin" in html
    assert remark.reference in html  # hidden items stay in the register and the list


@pytest.mark.django_db
def test_a_resident_cannot_open_the_register(tenant_a):
    with schema_context(tenant_a.schema_name):
        consultation = open_consultation()
        resident = staff_make("")
    assert (
        client_as(tenant_a, resident)
        .get(f"/panel/konsultacje/{consultation.pk}/uwagi/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_register_filters_and_counts(tenant_a):
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        first = paper_remark(consultation, clerk, data=remark_input(document_part="§ 1", email=""))
        second = paper_remark(
            consultation, clerk, channel="email", data=remark_input(document_part="§ 2", email="")
        )
        services.formal_issue_record(
            acting_user=clerk, remark_id=second.pk, code="outside_subject", rule="§ 1 uchwały"
        )
    client = client_as(tenant_a, clerk)
    base = f"/panel/konsultacje/{consultation.pk}/uwagi/"
    by_channel = client.get(base, {"channel": "email"}).content.decode()
    assert second.reference in by_channel and first.reference not in by_channel
    by_formal = client.get(base, {"formal": "outside_subject"}).content.decode()
    assert second.reference in by_formal and first.reference not in by_formal
    by_section = client.get(base, {"section": "§ 1"}).content.decode()
    assert first.reference in by_section and second.reference not in by_section
    hostile = client.get(base, {"channel": "<script>", "decision": "x" * 5000})
    assert hostile.status_code == 200


@pytest.mark.django_db
def test_the_consultation_pages_lead_to_the_remark_form_and_the_register(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation = open_consultation(
            department=department, kinds=("remarks", "paragraph_comments")
        )
    resident_page = client_as(tenant_a).get(f"/konsultacje/{consultation.slug}/").content.decode()
    assert f'href="/konsultacje/{consultation.slug}/uwagi/"' in resident_page
    assert f'href="/konsultacje/{consultation.slug}/projekt/"' in resident_page
    panel_page = (
        client_as(tenant_a, coordinator)
        .get(f"/panel/konsultacje/{consultation.pk}/")
        .content.decode()
    )
    assert f'href="/panel/konsultacje/{consultation.pk}/uwagi/"' in panel_page
    assert f'href="/panel/konsultacje/{consultation.pk}/projekt/"' in panel_page


@pytest.mark.django_db
def test_the_register_counts_sections_channels_and_defects_and_filters_by_a_listed_section(
    tenant_a,
):
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        for part in ("§ 2", "§ 1", "§ 2"):
            paper_remark(consultation, clerk, data=remark_input(document_part=part, email=""))
        emailed = paper_remark(
            consultation, clerk, channel="email", data=remark_input(document_part="§ 1", email="")
        )
        services.formal_issue_record(
            acting_user=clerk, remark_id=emailed.pk, code="outside_subject", rule="§ 1 uchwały"
        )
    client = client_as(tenant_a, clerk)
    page = client.get(f"/panel/konsultacje/{consultation.pk}/uwagi/").content.decode()
    # Counts written out by hand: § 1 twice, § 2 twice; 3 on paper, 1 by e-mail.
    assert re.search(r"<th scope=\"row\">§ 1</th><td>2</td>", page)
    assert re.search(r"<th scope=\"row\">§ 2</th><td>2</td>", page)
    assert "Na piśmie: 3" in page and "Pocztą elektroniczną: 1" in page
    assert "Poza przedmiotem konsultacji: 1" in page
    assert '<option value="§ 2">§ 2</option>' in page
    unknown = client.get(f"/panel/konsultacje/{consultation.pk}/uwagi/", {"section": "§ 9"})
    assert unknown.status_code == 200
    assert "Wybierz poprawną wartość" in unknown.content.decode()


@pytest.mark.django_db
def test_the_register_rows_escape_what_was_written_and_show_groups_and_decisions(tenant_a):
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        hostile = "<script>alert(1)</script>"
        first = paper_remark(
            consultation, clerk, data=remark_input(document_part=hostile, email="")
        )
        second = paper_remark(consultation, clerk, data=remark_input(document_part="§ 1", email=""))
        third = paper_remark(consultation, clerk, data=remark_input(document_part="§ 2", email=""))
        group = services.remarks_group(
            acting_user=clerk,
            consultation_id=consultation.pk,
            remark_ids=[first.pk, second.pk],
            title='Godziny "otwarcia" <b>',
        )
        services.response_draft(
            acting_user=clerk, decision="rejected", justification="Nie.", group_id=group.pk
        )
        services.response_draft(
            acting_user=clerk, decision="accepted", justification="Tak.", remark_id=third.pk
        )
    page = client_as(tenant_a, clerk).get(f"/panel/konsultacje/{consultation.pk}/uwagi/")
    html = page.content.decode()
    # what was written comes back escaped, in the table and in the counts
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Godziny &quot;otwarcia&quot; &lt;b&gt;" in html
    # each row links to its remark, its group, and shows the decision (the group's for both)
    panel = f"/panel/konsultacje/{consultation.pk}/uwagi/"
    assert f'<a href="{panel}{third.pk}/">{third.reference}</a>' in html
    assert html.count(f'href="{panel}grupy/{group.pk}/"') >= 3  # two rows, the list
    assert re.search(r"<th scope=\"row\">Nieuwzględniona</th><td>2</td>", html)
    assert re.search(r"<th scope=\"row\">Uwzględniona</th><td>1</td>", html)
    # two drafts (the group's and the remark's) await approval
    assert '<strong id="awaiting">2</strong>' in html


@pytest.mark.django_db
def test_a_response_sent_without_a_decision_says_which_field_is_missing(tenant_a):
    # given: a remark in the register
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        remark = paper_remark(consultation, clerk, data=remark_input())
    client = client_as(tenant_a, clerk)

    # when: the response is saved with no decision ticked
    page = client.post(
        f"/panel/konsultacje/{consultation.pk}/odpowiedz/uwaga/{remark.pk}/",
        {"justification": ""},
        follow=True,
    )

    # then: the message above the page names the field, and nothing is stored
    html = page.content.decode()
    assert "Rozstrzygnięcie: To pole jest wymagane." in html
    with schema_context(tenant_a.schema_name):
        assert not Response.objects.filter(remark=remark).exists()
