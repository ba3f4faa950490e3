"""The pages over HTTP (Django's client through the tenant middleware): the builder, the
answering page, results, exports; isolation between municipalities; the permission matrix."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from surveys.models import Answer, Question, Response, Survey
from tests.consultations.factories import department_make, staff_make
from tests.consultations.test_views import client_as
from tests.surveys.factories import choice_key, question_add, survey_make

pytestmark = pytest.mark.django_db


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', html).group(1)


def open_survey(tenant, **settings):
    with schema_context(tenant.schema_name):
        admin = staff_make("admin")
        consultation, survey = survey_make(admin, **settings)
        q1 = question_add(
            admin,
            survey,
            "single",
            "Czy korzysta Pan/Pani z parku?",
            choices=["Tak", "Nie"],
            required=True,
        )
        q2 = question_add(
            admin,
            survey,
            "long_text",
            "Co zmienić?",
            condition={"question_key": q1.key, "op": "equals", "value": "Tak"},
        )
    return admin, consultation, survey, q1, q2


def test_a_resident_answers_and_the_answer_is_stored_once(tenant_a):
    _admin, consultation, survey, q1, q2 = open_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/ankieta/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Czy korzysta Pan/Pani z parku?" in html
    data = {
        "idempotency_key": key_of(html),
        f"q-{q1.key}": choice_key(q1, "Tak"),
        f"q-{q2.key}": "Więcej ławek",
    }
    first = client.post(url, data)
    again = client.post(url, data)
    assert first.status_code == again.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [("x" * 100000, "za długa"), ("zła\x00treść", "NUL")],
)
def test_bad_input_gets_a_polish_message_the_answers_back_and_nothing_stored(
    tenant_a, value, message
):
    _admin, consultation, survey, q1, q2 = open_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/ankieta/"
    html = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "idempotency_key": key_of(html),
            f"q-{q1.key}": choice_key(q1, "Tak"),
            f"q-{q2.key}": value,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "checked" in response.content.decode()  # the chosen answer is shown back
    with schema_context(tenant_a.schema_name):
        assert Response.objects.filter(survey=survey).count() == 0


def test_after_closing_the_answers_are_shown_back_with_a_clear_message(tenant_a):
    _admin, consultation, _survey, q1, q2 = open_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/ankieta/"
    key = key_of(client.get(url).content.decode())
    with schema_context(tenant_a.schema_name):
        consultation.status = "closed"
        consultation.save()
    response = client.post(
        url,
        {
            "idempotency_key": key,
            f"q-{q1.key}": choice_key(q1, "Tak"),
            f"q-{q2.key}": "Moja długa odpowiedź",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "zamknięta" in html and "Moja długa odpowiedź" in html


def test_b_survey_responses_results_and_exports_are_404_on_a(tenant_a, tenant_b):
    # given: a survey in B
    admin_b, consultation, survey, q1, _q2 = open_survey(tenant_b, results_public_early=True)
    with schema_context(tenant_a.schema_name):
        admin_a = staff_make("admin")
    a = client_as(tenant_a, admin_a)
    b = client_as(tenant_b, admin_b)
    paths = [
        f"/konsultacje/{consultation.slug}/ankieta/",
        f"/konsultacje/{consultation.slug}/ankieta/wyniki/",
        f"/panel/konsultacje/{consultation.pk}/ankieta/wyniki/",
        f"/panel/konsultacje/{consultation.pk}/ankieta/eksport.csv",
        f"/panel/konsultacje/{consultation.pk}/ankieta/eksport.xlsx",
        f"/panel/konsultacje/{consultation.pk}/ankieta/pytania/{q1.key}/",
    ]
    for path in paths:
        assert b.get(path).status_code == 200, path
    with schema_context(tenant_a.schema_name):
        # A has no consultation with B's id and slug (ids can coincide: check the content)
        exists = Survey.objects.filter(pk=survey.pk).exists()
    for path in paths:
        response = a.get(path)
        assert response.status_code == 404 or (
            exists and q1.text not in response.content.decode()
        ), path


# role × consultation state × action → allowed? (written from the brief: coordinators of the
# consultation's department and the admin build until closing; results and exports always;
# moderators, editors, residents and other departments' coordinators never)
MATRIX = [
    ("admin", "draft", "build", True),
    ("admin", "open", "build", True),
    ("admin", "closed", "build", False),
    ("admin", "archived", "build", False),
    ("admin", "closed", "results", True),
    ("admin", "closed", "export", True),
    ("coordinator", "scheduled", "build", True),
    ("coordinator", "open", "results", True),
    ("coordinator", "report_published", "build", False),
    ("coordinator", "report_published", "export", True),
    ("other_coordinator", "open", "build", False),
    ("other_coordinator", "open", "results", False),
    ("other_coordinator", "open", "export", False),
    ("moderator", "open", "build", False),
    ("moderator", "open", "export", False),
    ("district_editor", "open", "results", False),
    ("resident", "open", "build", False),
    ("resident", "open", "export", False),
]


@pytest.mark.parametrize(("role", "state", "action", "allowed"), MATRIX)
def test_permission_matrix(tenant_a, role, state, action, allowed):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        coordinator = staff_make("coordinator")
        department = department_make(coordinators=(coordinator,))
        consultation, survey = survey_make(admin, status="draft")
        consultation.department = department
        consultation.status = state
        consultation.save()
        if role == "coordinator":
            user = coordinator
        elif role == "other_coordinator":
            user = staff_make("coordinator")
            department_make(coordinators=(user,))
        elif role == "resident":
            user = staff_make("")
        else:
            user = staff_make(role) if role != "admin" else admin
        section = survey.versions.get().sections.get().key
    client = client_as(tenant_a, user)
    base = f"/panel/konsultacje/{consultation.pk}/ankieta/"
    if action == "build":
        response = client.post(
            base + f"sekcje/{section}/nowe-pytanie/", {"type": "short_text", "text": "Nowe pytanie"}
        )
        ok = response.status_code == 302
        with schema_context(tenant_a.schema_name):
            assert Question.objects.filter(section__version__survey=survey).exists() is allowed
    else:
        path = base + ("wyniki/" if action == "results" else "eksport.csv")
        ok = client.get(path).status_code == 200
    assert ok is allowed


def test_the_coordinator_builds_with_plain_forms_and_reorders_with_buttons(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, survey = survey_make(admin, status="scheduled")
        section = survey.versions.get().sections.get().key
    client = client_as(tenant_a, admin)
    base = f"/panel/konsultacje/{consultation.pk}/ankieta/"
    for text in ("Pierwsze", "Drugie"):
        assert (
            client.post(
                base + f"sekcje/{section}/nowe-pytanie/", {"type": "short_text", "text": text}
            ).status_code
            == 302
        )
    with schema_context(tenant_a.schema_name):
        second = Question.objects.get(section__version__survey=survey, text="Drugie")
    client.post(base + "zmien/", {"item": "question", "key": second.key, "action": "up"})
    with schema_context(tenant_a.schema_name):
        order = list(
            Question.objects.filter(section__version__survey=survey)
            .order_by("position")
            .values_list("text", flat=True)
        )
    assert order == ["Drugie", "Pierwsze"]
    # a hostile builder field: a clear message, nothing stored
    response = client.post(
        base + f"sekcje/{section}/nowe-pytanie/",
        {"type": "single", "text": "Wybór", "choices": "A\nA"},
    )
    assert response.status_code == 400
    with schema_context(tenant_a.schema_name):
        assert not Question.objects.filter(text="Wybór").exists()
    preview = client.get(base + "podglad/").content.decode()
    assert "Drugie" in preview and "Pierwsze" in preview


def test_results_are_public_after_closing_and_exports_list_every_response(tenant_a):
    admin, consultation, _survey, q1, q2 = open_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/ankieta/"
    for choice, text in (("Tak", '=HYPERLINK("http://zło")'), ("Nie", ""), ("Tak", "Ławki")):
        key = key_of(client.get(url).content.decode())
        client.post(
            url,
            {"idempotency_key": key, f"q-{q1.key}": choice_key(q1, choice), f"q-{q2.key}": text},
        )
    assert client.get(url + "wyniki/").status_code == 404
    with schema_context(tenant_a.schema_name):
        consultation.status = "closed"
        consultation.save()
    results = client.get(url + "wyniki/").content.decode()
    # 2 of 3 chose "Tak": residents see no count below 5 (k-anonymity), staff see 66.7 %
    assert re.search(r"Tak</th><td>mniej niż 5</td><td>–</td>", results)
    assert "Mniej niż 5 osób odpowiedziało" in results
    staff = client_as(tenant_a, admin)
    rows = list(
        csv.reader(
            io.StringIO(
                staff.get(
                    f"/panel/konsultacje/{consultation.pk}/ankieta/eksport.csv"
                ).content.decode("utf-8-sig")
            )
        )
    )
    staff_results = staff.get(f"/panel/konsultacje/{consultation.pk}/ankieta/wyniki/")
    assert re.search(r"Tak</th><td>2</td><td>66[.,]7%", staff_results.content.decode())
    assert len(rows) == 4
    assert sorted(r[4] for r in rows[1:]) == ["Nie", "Tak", "Tak"]
    assert '\'=HYPERLINK("http://zło")' in [r[5] for r in rows[1:]]
    book = load_workbook(
        io.BytesIO(staff.get(f"/panel/konsultacje/{consultation.pk}/ankieta/eksport.xlsx").content)
    )
    assert book.sheetnames == ["Odpowiedzi", "Słownik"]
    assert book["Odpowiedzi"].max_row == 4


def test_a_poll_shows_its_result_after_voting(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, poll = survey_make(admin, kind="poll")
        q = question_add(admin, poll, "single", "Który projekt?", choices=["Skwer", "Parking"])
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/sondaz/"
    key = key_of(client.get(url).content.decode())
    response = client.post(
        url, {"idempotency_key": key, f"q-{q.key}": choice_key(q, "Skwer")}, follow=True
    )
    html = response.content.decode()
    # one vote: a count below 5 is not shown to residents
    assert re.search(r"Skwer</th><td>mniej niż 5</td>", html)
    assert re.search(r"Parking</th><td>0</td><td>0[.,]0%", html)
    assert client.get(url).status_code == 302  # voted: the result, not the form again


def test_the_kind_counts_contributions_and_gives_a_report_section(tenant_a):
    from consultations import participation

    _admin, consultation, survey, q1, _q2 = open_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/ankieta/"
    key = key_of(client.get(url).content.decode())
    client.post(url, {"idempotency_key": key, f"q-{q1.key}": choice_key(q1, "Nie")})
    kind = participation.kind_get("survey")
    with schema_context(tenant_a.schema_name):
        assert kind.contribution_count(consultation) == 1
        section = kind.report_section(consultation)
        assert Answer.objects.filter(response__survey=survey).count() == 1
    assert section["figures"]["responses"] == 1
    first = section["questions"][0]
    assert first["question"] == "Czy korzysta Pan/Pani z parku?"
    assert [(r["label"], r["count"], r["percent"]) for r in first["rows"]] == [
        ("Tak", 0, 0.0),
        ("Nie", None, None),  # the report is public: a count below 5 is withheld
    ]


def test_the_consultation_page_links_to_the_survey_only_once_it_asks_something(tenant_a):
    # given: an open consultation whose survey the municipality has not built yet
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, survey = survey_make(admin)
    client = Client(HTTP_HOST=tenant_a.host)
    detail = f"/konsultacje/{consultation.slug}/"
    answer = f"/konsultacje/{consultation.slug}/ankieta/"

    # when / then: no link to the answering page, which has nothing to show (404)
    html = client.get(detail).content.decode()
    assert client.get(answer).status_code == 404
    assert f'href="{answer}"' not in html
    assert "Urząd jeszcze przygotowuje tę formę udziału." in html

    # when the survey has a question, then the page links to it
    with schema_context(tenant_a.schema_name):
        question_add(admin, survey, "short_text", "Co zmienić w parku?")
    html = client.get(detail).content.decode()
    assert f'href="{answer}"' in html
    assert "przygotowuje" not in html
    assert client.get(answer).status_code == 200


def test_the_answering_page_names_the_required_marker_as_the_questions_show_it(tenant_a):
    # given: a survey with a required question ("(required)" is translated in two apps'
    # catalogues, and the one that wins must be the one the sentence above quotes)
    _admin, consultation, _survey, _q1, _q2 = open_survey(tenant_a)

    # when
    html = Client(HTTP_HOST=tenant_a.host).get(f"/konsultacje/{consultation.slug}/ankieta/")

    # then
    text = html.content.decode()
    quoted = re.search(r"Na pytania oznaczone „([^”]+)”", text).group(1)
    shown = re.findall(r'<span class="required">([^<]+)</span>', text)
    assert shown and set(shown) == {quoted}, (quoted, shown)
