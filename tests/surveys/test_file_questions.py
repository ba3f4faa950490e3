"""File questions on real PostgreSQL: the builder's settings, the checks of a resident's file
(its bytes decide its kind; size, emptiness, zip bombs, hostile names), storage with the
response (once, and none for a refused submit), staff download with its permission and
isolation, residents' results (a count only), exports, the report, the archive, and the
resident's data rights."""

from __future__ import annotations

import csv
import io
import os
import re
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from surveys import selectors, services
from surveys.files import file_name_clean
from surveys.kinds import SURVEY, report_blocks
from surveys.models import Answer, Response
from surveys.services import responses as responses_service
from tests.conftest import PASSWORD, unique
from tests.consultations.factories import (
    docx_bomb_bytes,
    exe_bytes,
    pdf_bytes,
    staff_make,
)
from tests.consultations.test_views import client_as
from tests.surveys.factories import question_add, survey_make

# One PDF for the whole module (Pillow stamps each with the time it was drawn).
PDF = pdf_bytes()

pytestmark = pytest.mark.django_db


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', html).group(1)


def private_files(schema_name: str) -> list[str]:
    root = os.path.join(str(settings.PRIVATE_MEDIA_ROOT), schema_name, "surveys")
    found = []
    for folder, _dirs, names in os.walk(root):
        found += [os.path.join(folder, name) for name in names]
    return found


def file_survey(admin, **fields):
    consultation, survey = survey_make(admin)
    text_q = question_add(admin, survey, "short_text", "Pana/Pani uwaga", required=True)
    file_q = question_add(
        admin,
        survey,
        "file",
        "Proszę dołączyć szkic",
        file_kinds=fields.pop("file_kinds", ["pdf"]),
        max_value=fields.pop("max_value", 1),
        **fields,
    )
    return consultation, survey, text_q, file_q


def submit(survey, answers, key=None, user=None):
    from django.contrib.auth.models import AnonymousUser

    return services.survey_response_submit(
        acting_user=user or AnonymousUser(),
        survey_id=survey.pk,
        idempotency_key=key or uuid.uuid4(),
        answers=answers,
    )


def pdf(name="szkic.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- The builder ------------------------------------------------------------------------------


def test_the_builder_keeps_a_file_questions_kinds_and_limit_within_the_platforms(admin):
    _consultation, survey = survey_make(admin)
    question = question_add(
        admin, survey, "file", "Zdjęcie miejsca", file_kinds=["png", "jpg"], max_value=5
    )
    assert question.file_kinds == ["jpg", "png"] and question.file_max_mb == 5
    default = question_add(admin, survey, "file", "Dokument")
    assert default.file_kinds == ["pdf", "docx", "odt"] and default.file_max_mb == 10
    for fields, field in (
        ({"max_value": 21}, "file_max_mb"),
        ({"max_value": 0}, "file_max_mb"),
        ({"file_kinds": ["exe"]}, "file_kinds"),
    ):
        with pytest.raises(ValidationError) as caught:
            question_add(admin, survey, "file", "Plik", **fields)
        assert field in caught.value.message_dict


def test_a_condition_on_a_file_question_only_asks_whether_a_file_came(admin):
    _consultation, survey = survey_make(admin)
    source = question_add(admin, survey, "file", "Plik")
    with pytest.raises(ValidationError) as caught:
        question_add(
            admin,
            survey,
            "short_text",
            "Opis",
            condition={"question_key": source.key, "op": "equals", "value": "x.pdf"},
        )
    assert "czy dołączono plik" in str(caught.value.message_dict)
    question_add(
        admin,
        survey,
        "short_text",
        "Opis",
        condition={"question_key": source.key, "op": "answered"},
    )


def test_a_poll_has_no_file_question(admin):
    _consultation, poll = survey_make(admin, kind="poll")
    with pytest.raises(ValidationError):
        question_add(admin, poll, "file", "Plik")


# --- Submitting -------------------------------------------------------------------------------


def test_a_pdf_is_stored_privately_with_the_response(in_a, admin):
    _consultation, survey, text_q, file_q = file_survey(admin)
    before = set(private_files(in_a.schema_name))
    result = submit(survey, {text_q.key: "Więcej drzew", file_q.key: pdf("Mój szkic.pdf")})
    answer = Answer.objects.get(response=result.response, question=file_q)
    assert answer.text == "Mój szkic.pdf" and answer.file_kind == "pdf"
    assert answer.file.name.startswith(f"surveys/{file_q.pk}/") and answer.file.name.endswith(
        ".pdf"
    )
    assert "szkic" not in answer.file.name  # a random name, never the resident's
    stored = set(private_files(in_a.schema_name)) - before
    assert len(stored) == 1
    path = stored.pop()
    assert not path.startswith(str(settings.MEDIA_ROOT))  # never under /media/
    with open(path, "rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.pdf", exe_bytes(), "nie jest żadnym z rodzajów"),
        ("duzy.pdf", PDF + b"0" * (1024 * 1024 + 1), "najwyżej 1 MB"),
        ("pusty.pdf", b"", "pusty"),
        ("bomba.docx", docx_bomb_bytes(), "po rozpakowaniu"),
        ("zly\x00.pdf", PDF, "NUL"),
    ],
)
def test_a_hostile_file_is_refused_with_a_polish_message_and_nothing_is_stored(
    in_a, admin, name, content, message
):
    _consultation, survey, text_q, file_q = file_survey(admin, file_kinds=["pdf", "docx"])
    before = set(private_files(in_a.schema_name))
    upload = SimpleUploadedFile("x.pdf", content, content_type="application/pdf")
    upload.name = name  # as a client could send it (Django's parser only drops the path)
    with pytest.raises(ValidationError) as caught:
        submit(survey, {text_q.key: "Uwaga", file_q.key: upload})
    assert message in " ".join(caught.value.message_dict[file_q.key])
    assert Response.objects.filter(survey=survey).count() == 0
    assert set(private_files(in_a.schema_name)) == before


def test_a_name_with_a_path_never_leaves_the_questions_folder(in_a, admin):
    _consultation, survey, text_q, file_q = file_survey(admin)
    upload = pdf()
    upload.name = "../../etc/passwd.pdf"  # Django's UploadedFile keeps the last part only
    result = submit(survey, {text_q.key: "Uwaga", file_q.key: upload})
    answer = Answer.objects.get(response=result.response, question=file_q)
    assert answer.text == "passwd.pdf"
    assert re.fullmatch(rf"surveys/{file_q.pk}/[0-9a-f]{{32}}\.pdf", answer.file.name)
    # a name that still holds a path (from another caller than Django's parser) is refused
    for name in ("../../etc/passwd.pdf", "..\\..\\boot.ini", "..", "a/b.pdf"):
        with pytest.raises(ValueError, match="ścieżki"):
            file_name_clean(name)
    with pytest.raises(ValueError, match="NUL"):
        file_name_clean("a\x00.pdf")
    assert file_name_clean("  Uwagi\u200b\x07 .pdf") == "Uwagi .pdf"


def test_a_refused_submit_stores_no_file_even_when_the_file_was_good(in_a, admin):
    _consultation, survey, text_q, file_q = file_survey(admin)
    before = set(private_files(in_a.schema_name))
    with pytest.raises(ValidationError) as caught:
        submit(survey, {text_q.key: "", file_q.key: pdf()})  # the text question is required
    assert text_q.key in caught.value.message_dict
    assert set(private_files(in_a.schema_name)) == before


def test_a_failure_after_the_file_was_written_removes_it(in_a, admin, monkeypatch):
    _consultation, survey, text_q, file_q = file_survey(admin)
    before = set(private_files(in_a.schema_name))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    # The response and its answers go in one statement, after the file is written.
    monkeypatch.setattr(responses_service, "_insert_whole", broken)
    with pytest.raises(RuntimeError):
        submit(survey, {text_q.key: "Uwaga", file_q.key: pdf()})
    assert set(private_files(in_a.schema_name)) == before


def test_a_retried_submit_stores_the_file_once(in_a, admin):
    _consultation, survey, text_q, file_q = file_survey(admin)
    before = set(private_files(in_a.schema_name))
    key = uuid.uuid4()
    first = submit(survey, {text_q.key: "Uwaga", file_q.key: pdf()}, key=key)
    again = submit(survey, {text_q.key: "Uwaga", file_q.key: pdf()}, key=key)
    assert first.created and not again.created
    assert first.response.pk == again.response.pk
    assert Answer.objects.filter(question=file_q).count() == 1
    assert len(set(private_files(in_a.schema_name)) - before) == 1


def test_a_resident_changing_a_response_keeps_the_file_unless_attaching_a_new_one(
    in_a, admin, django_capture_on_commit_callbacks
):
    _consultation, survey, text_q, file_q = file_survey(admin, required=True)
    services.survey_settings_update(
        acting_user=admin,
        survey_id=survey.pk,
        title=survey.title,
        intro="",
        audience="verified",
        one_per_browser=False,
        results_public_early=False,
    )
    from allauth.account.models import EmailAddress

    resident = user_create(email=unique("mieszk") + "@a.test", password=PASSWORD)
    EmailAddress.objects.update_or_create(
        user=resident, email=resident.email, defaults={"verified": True, "primary": True}
    )
    submit(survey, {text_q.key: "Pierwsza", file_q.key: pdf("pierwszy.pdf")}, user=resident)
    first = Answer.objects.get(question=file_q)
    # the required file question is satisfied by the file already attached
    submit(survey, {text_q.key: "Druga", file_q.key: None}, user=resident)
    kept = Answer.objects.get(question=file_q)
    assert kept.file.name == first.file.name and kept.text == "pierwszy.pdf"
    assert kept.file.storage.exists(kept.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey, {text_q.key: "Trzecia", file_q.key: pdf("drugi.pdf")}, user=resident)
    new = Answer.objects.get(question=file_q)
    assert new.text == "drugi.pdf" and new.file.name != first.file.name
    assert not first.file.storage.exists(first.file.name)  # the replaced file is gone
    assert Response.objects.filter(survey=survey).count() == 1


# --- Results, exports, report, archive, data rights -------------------------------------------


def test_residents_see_only_how_many_files_came_staff_see_the_files(admin):
    _consultation, survey, text_q, file_q = file_survey(admin)
    for n in range(6):
        submit(survey, {text_q.key: f"Uwaga {n}", file_q.key: pdf(f"Jan Kowalski {n}.pdf")})
    staff = selectors.survey_results(survey)
    result = next(r for r in staff.questions if r.question.pk == file_q.pk)
    assert result.answered == 6 and len(result.files) == 6
    assert {f.name for f in result.files} == {f"Jan Kowalski {n}.pdf" for n in range(6)}
    public = selectors.results_for_residents(staff)
    masked = next(r for r in public.questions if r.question.pk == file_q.pk)
    assert masked.answered == 6 and masked.files == []
    section = SURVEY.report_section(survey.consultation)
    assert "Kowalski" not in str(section)
    assert "Liczba otrzymanych plików: 6" in str(report_blocks(survey.title, 6, public))


def test_exports_name_the_file_and_the_archive_holds_it_under_a_safe_name(admin):
    consultation, survey, text_q, file_q = file_survey(admin)
    result = submit(survey, {text_q.key: "Uwaga", file_q.key: pdf("../Mój szkic.pdf")})
    header, rows, _codebook = selectors.export_table(survey)
    row = dict(zip(header, rows[0], strict=True))
    assert row["Proszę dołączyć szkic"] == "Mój szkic.pdf"
    files = dict(SURVEY.archive_files(consultation))
    answer = Answer.objects.get(response=result.response, question=file_q)
    name = f"survey-pliki/odpowiedz-{answer.pk}-Mój-szkic.pdf"
    assert files[name] == PDF
    assert SURVEY.personal_strings(consultation) == ["Mój szkic.pdf"]


def test_the_residents_data_export_names_the_file_and_anonymisation_neutralises_the_name(admin):
    from allauth.account.models import EmailAddress

    from accounts.personal_data import anonymisers, exporters

    _consultation, survey, text_q, file_q = file_survey(admin)
    services.survey_settings_update(
        acting_user=admin,
        survey_id=survey.pk,
        title=survey.title,
        intro="",
        audience="verified",
        one_per_browser=False,
        results_public_early=False,
    )
    resident = user_create(email=unique("mieszk") + "@a.test", password=PASSWORD)
    EmailAddress.objects.update_or_create(
        user=resident, email=resident.email, defaults={"verified": True, "primary": True}
    )
    submit(survey, {text_q.key: "Uwaga", file_q.key: pdf("Anna Nowak.pdf")}, user=resident)
    exported = exporters()["survey_responses"](resident)
    assert {
        "question": "Proszę dołączyć szkic",
        "file_name": "Anna Nowak.pdf",
        "file_kind": "pdf",
    } in (exported[0]["answers"])
    for anonymise in anonymisers():
        anonymise(resident)
    answer = Answer.objects.get(question=file_q)
    assert "Nowak" not in answer.text and answer.file  # the contribution stays
    assert Response.objects.get(survey=survey).respondent is None


# --- Over HTTP: the form without JavaScript, the download -------------------------------------


def test_over_http_a_renamed_exe_is_refused_with_the_answers_shown_back_then_a_pdf_is_taken(
    tenant_a,
):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, survey, text_q, file_q = file_survey(admin)
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/ankieta/"
    html = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    key = key_of(html)
    exe = SimpleUploadedFile("wniosek.pdf", exe_bytes(), content_type="application/pdf")
    refused = client.post(
        url, {"idempotency_key": key, f"q-{text_q.key}": "Ławki", f"q-{file_q.key}": exe}
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "nie jest żadnym z rodzajów" in page and "Ławki" in page
    assert "proszę dołączyć go ponownie" in page
    with schema_context(tenant_a.schema_name):
        assert Response.objects.filter(survey=survey).count() == 0
    taken = client.post(
        url, {"idempotency_key": key_of(page), f"q-{text_q.key}": "Ławki", f"q-{file_q.key}": pdf()}
    )
    assert taken.status_code == 302
    with schema_context(tenant_a.schema_name):
        answer = Answer.objects.get(question=file_q)
    # staff download it: as an attachment, its checked type, nosniff, a safe name
    staff = client_as(tenant_a, admin)
    results = staff.get(f"/panel/konsultacje/{consultation.pk}/ankieta/wyniki/").content.decode()
    link = f"/panel/konsultacje/{consultation.pk}/ankieta/pliki/{answer.pk}/"
    assert link in results and "szkic.pdf" in results
    download = staff.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"odpowiedz-{answer.pk}-szkic.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    # a resident, signed out or not, never reaches it; nor is it under /media/
    assert client.get(link).status_code in (302, 404)
    assert (
        Client(HTTP_HOST=tenant_a.host)
        .get(f"/media/{tenant_a.schema_name}/{answer.file.name}")
        .status_code
        == 404
    )


def test_the_csv_export_names_the_file_not_its_content(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, survey, text_q, file_q = file_survey(admin)
        submit(survey, {text_q.key: "Uwaga", file_q.key: pdf("plan.pdf")})
    staff = client_as(tenant_a, admin)
    body = staff.get(f"/panel/konsultacje/{consultation.pk}/ankieta/eksport.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1][-1] == "plan.pdf" and "%PDF" not in body


def test_bs_file_is_404_on_a_and_for_staff_without_the_consultation(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        admin_b = staff_make("admin")
        consultation, survey, text_q, file_q = file_survey(admin_b)
        result = submit(survey, {text_q.key: "Uwaga", file_q.key: pdf()})
        answer_id = Answer.objects.get(response=result.response, question=file_q).pk
    path = f"/panel/konsultacje/{consultation.pk}/ankieta/pliki/{answer_id}/"
    assert client_as(tenant_b, admin_b).get(path).status_code == 200
    with schema_context(tenant_a.schema_name):
        admin_a = staff_make("admin")
    assert client_as(tenant_a, admin_a).get(path).status_code == 404
    with schema_context(tenant_b.schema_name):
        moderator = staff_make("moderator")
        other_text = Answer.objects.get(response=result.response, question=text_q).pk
    assert client_as(tenant_b, moderator).get(path).status_code == 404
    # an answer without a file is no file
    admin_client = client_as(tenant_b, admin_b)
    other = f"/panel/konsultacje/{consultation.pk}/ankieta/pliki/{other_text}/"
    assert admin_client.get(other).status_code == 404
