"""Drafts of a long survey ("Zapisz i dokończ później"): saved as typed, restored when the
resident comes back, discarded, deleted by the sent response in its transaction, kept to the
questions that still exist, isolated by owner, survey and municipality, refused politely for
hostile input, purged after closing, in the RODO export and anonymiser, and never in the
anonymous page cache. Over HTTP through the tenant middleware, on real PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.core.signing import _cookie_signer_salt, get_cookie_signer
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.personal_data import exporters
from accounts.services import user_delete
from consultations.models import Consultation
from surveys import services
from surveys.models import Invitation, Response, SurveyDraft
from surveys.services.drafts import DRAFT_COOKIE, DRAFT_GRACE_DAYS
from surveys.tasks import survey_drafts_purge_all
from tests.conftest import PASSWORD, force_login
from tests.consultations.factories import staff_make
from tests.consultations.test_page_cache import HEADER, anonymous, page_cache_on  # noqa: F401
from tests.surveys.factories import choice_key, question_add, survey_make
from tests.surveys.test_views import key_of

pytestmark = pytest.mark.django_db

SAVED = "Wersja robocza została zapisana"
RESTORED = "Przywrócono zapisaną wersję roboczą z"


def long_survey(tenant, **settings):
    with schema_context(tenant.schema_name):
        admin = staff_make("admin")
        consultation, survey = survey_make(admin, **settings)
        q1 = question_add(
            admin,
            survey,
            "single",
            "Jak często bywa Pan/Pani w parku?",
            choices=["Często", "Rzadko"],
        )
        q2 = question_add(admin, survey, "long_text", "Co zmienić w parku?")
        q3 = question_add(admin, survey, "short_text", "Ulica zamieszkania", required=True)
        q4 = question_add(
            admin, survey, "multiple", "Co lubi Pan/Pani?", choices=["Ławki", "Drzewa"]
        )
    return admin, consultation, survey, (q1, q2, q3, q4)


def url_of(consultation: Consultation) -> str:
    return f"/konsultacje/{consultation.slug}/ankieta/"


def save_draft(client: Client, url: str, fields: dict, **extra):
    html = client.get(url).content.decode()
    return client.post(url, {"idempotency_key": key_of(html), "action": "draft", **fields}, **extra)


def drafts(tenant, survey):
    with schema_context(tenant.schema_name):
        return list(SurveyDraft.objects.filter(survey=survey))


def test_an_anonymous_resident_saves_comes_back_and_discards_a_draft(tenant_a):
    # given a long survey and an anonymous resident who typed half of it
    _admin, consultation, survey, (q1, q2, _q3, q4) = long_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = url_of(consultation)
    html = client.get(url).content.decode()
    assert "Zapisz i dokończ później" in html
    assert RESTORED not in html
    # when they press "Zapisz i dokończ później" (unknown fields come along and are dropped)
    saved = save_draft(
        client,
        url,
        {
            f"q-{q1.key}": choice_key(q1, "Rzadko"),
            f"q-{q2.key}": "Więcej cienia przy placu zabaw.",
            f"q-{q4.key}": [choice_key(q4, "Ławki"), choice_key(q4, "Drzewa")],
            "q-nieistniejace": "x",
            "website": "",
            "admin": "1",
        },
    )
    # then: back to the page, the cookie is the browser's key for this consultation only
    assert saved.status_code == 302 and saved["Location"].endswith("?robocza=zapisana")
    cookie = saved.cookies[DRAFT_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == f"/konsultacje/{consultation.slug}/"
    assert cookie["expires"]  # until the consultation closes
    assert not cookie["secure"]  # the test site is plain HTTP; SESSION_COOKIE_SECURE in production
    (draft,) = drafts(tenant_a, survey)
    assert draft.account_id is None and draft.invitation_id is None
    assert (
        draft.browser_key
        == hashlib.sha256(
            get_cookie_signer(
                salt=_cookie_signer_salt(
                    DRAFT_COOKIE, f"survey-draft:{tenant_a.schema_name}:{survey.pk}"
                )
            )
            .unsign(cookie.value)
            .encode()
        ).hexdigest()
    )
    assert sorted(draft.data) == sorted([f"q-{q1.key}", f"q-{q2.key}", f"q-{q4.key}"])
    page = client.get(saved["Location"]).content.decode()
    assert SAVED in page
    # and: coming back later shows the answers and the notice with the date and time
    again = client.get(url)
    assert again["Cache-Control"] == "private, no-store"
    page = again.content.decode()
    assert re.search(RESTORED + r" \d{1,2} \w+ 20\d\d, \d\d:\d\d", page), page
    assert "Więcej cienia przy placu zabaw." in page
    assert re.search(rf'value="{choice_key(q1, "Rzadko")}"[^>]*checked', page)
    assert len(re.findall(r'name="q-' + q4.key + r'"[^>]*checked', page)) == 2
    # saving again updates the one row
    save_draft(client, url, {f"q-{q2.key}": "Inaczej."})
    (again_draft,) = drafts(tenant_a, survey)
    assert again_draft.pk == draft.pk and again_draft.data == {f"q-{q2.key}": ["Inaczej."]}
    # when they discard it
    gone = client.post(url, {"action": "draft-discard"})
    assert gone.status_code == 302
    assert drafts(tenant_a, survey) == []
    page = client.get(gone["Location"]).content.decode()
    assert "Wersja robocza została usunięta." in page and "Inaczej." not in page


def test_a_signed_in_resident_keeps_the_draft_with_the_account_on_any_device(tenant_a):
    _admin, consultation, survey, (_q1, _q2, q3, _q4) = long_survey(tenant_a, audience="verified")
    with schema_context(tenant_a.schema_name):
        resident = staff_make("")
    phone, laptop = Client(HTTP_HOST=tenant_a.host), Client(HTTP_HOST=tenant_a.host)
    force_login(phone, resident, tenant_a.schema_name)
    force_login(laptop, resident, tenant_a.schema_name)
    url = url_of(consultation)
    saved = save_draft(phone, url, {f"q-{q3.key}": "Lipowa"})
    assert saved.status_code == 302 and DRAFT_COOKIE not in saved.cookies
    (draft,) = drafts(tenant_a, survey)
    assert draft.account_id == resident.pk and draft.browser_key == ""
    page = laptop.get(url).content.decode()
    assert RESTORED in page and 'value="Lipowa"' in page
    # an anonymous visitor sees nothing of it
    assert RESTORED not in Client(HTTP_HOST=tenant_a.host).get(url).content.decode()


def test_sending_the_response_deletes_the_draft_and_a_refused_one_keeps_it(tenant_a):
    _admin, consultation, survey, (_q1, q2, q3, _q4) = long_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = url_of(consultation)
    save_draft(client, url, {f"q-{q2.key}": "Ławki."})
    assert len(drafts(tenant_a, survey)) == 1
    # refused (the required street is missing): the draft stays
    html = client.get(url).content.decode()
    refused = client.post(url, {"idempotency_key": key_of(html), f"q-{q2.key}": "Ławki."})
    assert refused.status_code == 400
    assert len(drafts(tenant_a, survey)) == 1
    # sent: the response is stored and the draft is gone, the cookie with it
    html = client.get(url).content.decode()
    sent = client.post(
        url, {"idempotency_key": key_of(html), f"q-{q2.key}": "Ławki.", f"q-{q3.key}": "Lipowa"}
    )
    assert sent.status_code == 302
    assert drafts(tenant_a, survey) == []
    assert sent.cookies[DRAFT_COOKIE].value == ""
    with schema_context(tenant_a.schema_name):
        assert Response.objects.filter(survey=survey).count() == 1


def test_a_draft_of_an_older_version_keeps_only_the_questions_that_still_exist(tenant_a):
    admin, consultation, survey, (_q1, q2, q3, _q4) = long_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = url_of(consultation)
    save_draft(client, url, {f"q-{q2.key}": "Zostaje.", f"q-{q3.key}": "Znika"})
    with schema_context(tenant_a.schema_name):
        # a response freezes version 1; removing a question makes version 2
        from tests.surveys.test_services import submit

        submit(survey, {q3.key: "Polna"})
        services.question_remove(acting_user=admin, survey_id=survey.pk, question_key=q3.key)
        assert survey.versions.count() == 2
    page = client.get(url).content.decode()
    assert RESTORED in page
    assert "zachowano tylko odpowiedzi na pytania, które nadal się w niej znajdują" in page
    assert "Zostaje." in page and "Znika" not in page
    # saving again moves the draft to the current version, without the removed question
    save_draft(client, url, {f"q-{q2.key}": "Zostaje.", f"q-{q3.key}": "Znika"})
    (draft,) = drafts(tenant_a, survey)
    assert draft.version.number == 2 and list(draft.data) == [f"q-{q2.key}"]


def test_a_draft_through_an_invitation_link_belongs_to_the_invitation(tenant_a):
    _admin, consultation, survey, (_q1, q2, q3, _q4) = long_survey(tenant_a, audience="invited")
    token = "t" * 43
    with schema_context(tenant_a.schema_name):
        invitation = Invitation.objects.create(
            survey=survey,
            email="ngo@example.org",
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
    link = url_of(consultation) + f"zaproszenie/{token}/"
    first = Client(HTTP_HOST=tenant_a.host)
    saved = save_draft(first, link, {f"q-{q2.key}": "Stowarzyszenie proponuje."})
    assert saved.status_code == 302 and DRAFT_COOKIE not in saved.cookies
    (draft,) = drafts(tenant_a, survey)
    assert draft.invitation_id == invitation.pk and draft.browser_key == ""
    # another browser with the same link finds it; the page without the link does not
    page = Client(HTTP_HOST=tenant_a.host).get(link).content.decode()
    assert RESTORED in page and "Stowarzyszenie proponuje." in page
    assert "Stowarzyszenie" not in first.get(url_of(consultation)).content.decode()
    # sending through the link deletes it
    html = first.get(link).content.decode()
    sent = first.post(
        link, {"idempotency_key": key_of(html), f"q-{q3.key}": "Rynek", f"q-{q2.key}": "Tak."}
    )
    assert sent.status_code == 302
    assert drafts(tenant_a, survey) == []


def test_drafts_never_cross_surveys_or_municipalities(tenant_a, tenant_b):
    _a, consultation_a, survey_a, (_qa, qa2, _qa3, _qa4) = long_survey(tenant_a)
    _c, consultation_c, _survey_c, (_qc, qc2, _qc3, _qc4) = long_survey(tenant_a)
    _b, consultation_b, survey_b, (_qb, qb2, _qb3, _qb4) = long_survey(tenant_b)
    # B's resident saves a draft on B
    on_b = Client(HTTP_HOST=tenant_b.host)
    saved_b = save_draft(on_b, url_of(consultation_b), {f"q-{qb2.key}": "Tajne B"})
    cookie_b = saved_b.cookies[DRAFT_COOKIE].value
    # A's resident saves one on A's first survey
    on_a = Client(HTTP_HOST=tenant_a.host)
    saved_a = save_draft(on_a, url_of(consultation_a), {f"q-{qa2.key}": "Tajne A"})
    cookie_a = saved_a.cookies[DRAFT_COOKIE].value
    # B's cookie presented on A (even to a survey with the same id) opens nothing
    stranger = Client(HTTP_HOST=tenant_a.host)
    stranger.cookies = SimpleCookie({DRAFT_COOKIE: cookie_b})
    for consultation in (consultation_a, consultation_c):
        page = stranger.get(url_of(consultation)).content.decode()
        assert RESTORED not in page and "Tajne" not in page
    # A's first survey's cookie presented to A's other survey is ignored: no draft shown, and
    # saving there makes a new token of its own
    other = Client(HTTP_HOST=tenant_a.host)
    other.cookies = SimpleCookie({DRAFT_COOKIE: cookie_a})
    page = other.get(url_of(consultation_c)).content.decode()
    assert RESTORED not in page and "Tajne A" not in page
    saved_c = save_draft(other, url_of(consultation_c), {f"q-{qc2.key}": "Inna ankieta"})
    assert saved_c.cookies[DRAFT_COOKIE].value not in ("", cookie_a)
    assert [d.data for d in drafts(tenant_a, survey_a)] == [{f"q-{qa2.key}": ["Tajne A"]}]
    assert len(drafts(tenant_b, survey_b)) == 1
    # a forged cookie is ignored too
    forged = Client(HTTP_HOST=tenant_a.host)
    forged.cookies = SimpleCookie({DRAFT_COOKIE: "abc:def"})
    assert RESTORED not in forged.get(url_of(consultation_a)).content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 100_000, "jest dłuższa niż 10000 znaków"),
        ("zła\x00treść", "niedozwolony znak NUL"),
    ],
)
def test_hostile_input_gets_a_polish_message_and_nothing_is_saved(tenant_a, value, message):
    _admin, consultation, survey, (_q1, q2, _q3, _q4) = long_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    response = save_draft(client, url_of(consultation), {f"q-{q2.key}": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Nie udało się zapisać wersji roboczej" in html
    assert DRAFT_COOKIE not in response.cookies
    assert drafts(tenant_a, survey) == []


def test_too_much_together_is_refused_and_a_file_is_never_kept(tenant_a):
    admin, consultation, survey, (_q1, q2, _q3, _q4) = long_survey(tenant_a)
    with schema_context(tenant_a.schema_name):
        extra = [question_add(admin, survey, "long_text", f"Uwagi {n}") for n in range(7)]
        upload = question_add(admin, survey, "file", "Załącznik", file_kinds=["pdf"])
    client = Client(HTTP_HOST=tenant_a.host)
    url = url_of(consultation)
    page = client.get(url).content.decode()
    assert "Załączone pliki nie są zapisywane w wersji roboczej" in page
    too_much = save_draft(client, url, {f"q-{q.key}": "y" * 9_000 for q in extra})
    assert too_much.status_code == 400
    assert "odpowiedzi mają łącznie więcej niż 60000 znaków" in too_much.content.decode()
    assert drafts(tenant_a, survey) == []
    saved = save_draft(client, url, {f"q-{q2.key}": "Krótko", f"q-{upload.key}": "plik.pdf"})
    assert saved.status_code == 302
    (draft,) = drafts(tenant_a, survey)
    assert list(draft.data) == [f"q-{q2.key}"]


def test_a_closed_survey_saves_no_draft(tenant_a):
    _admin, consultation, survey, (_q1, q2, _q3, _q4) = long_survey(tenant_a)
    client = Client(HTTP_HOST=tenant_a.host)
    url = url_of(consultation)
    html = client.get(url).content.decode()
    with schema_context(tenant_a.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(status="closed")
    response = client.post(
        url, {"idempotency_key": key_of(html), "action": "draft", f"q-{q2.key}": "Późno"}
    )
    assert response.status_code == 400
    assert "wersji roboczej nie można już zapisać" in response.content.decode()
    assert drafts(tenant_a, survey) == []


def test_the_purge_deletes_drafts_of_surveys_closed_longer_than_the_grace(tenant_a):
    _admin, old, old_survey, (_q, old_q2, _q3, _q4) = long_survey(tenant_a)
    _admin, recent, recent_survey, (_r, recent_q2, _r3, _r4) = long_survey(tenant_a)
    _admin, running, running_survey, (_s, running_q2, _s3, _s4) = long_survey(tenant_a)
    for consultation, q in ((old, old_q2), (recent, recent_q2), (running, running_q2)):
        save_draft(Client(HTTP_HOST=tenant_a.host), url_of(consultation), {f"q-{q.key}": "Tekst"})
    now = timezone.now()
    with schema_context(tenant_a.schema_name):
        Consultation.objects.filter(pk=old.pk).update(
            status="closed",
            starts_at=now - timedelta(days=60),
            closed_at=now - timedelta(days=DRAFT_GRACE_DAYS, hours=1),
            ends_at=now - timedelta(days=DRAFT_GRACE_DAYS, hours=1),
        )
        Consultation.objects.filter(pk=recent.pk).update(
            status="closed",
            starts_at=now - timedelta(days=60),
            closed_at=now - timedelta(days=1),
            ends_at=now - timedelta(days=1),
        )
    # the beat's task, across municipalities
    summary = survey_drafts_purge_all()
    assert summary["failed"] == [] if "failed" in summary else True
    assert drafts(tenant_a, old_survey) == []
    assert len(drafts(tenant_a, recent_survey)) == 1
    assert len(drafts(tenant_a, running_survey)) == 1
    # running it again changes nothing
    with schema_context(tenant_a.schema_name):
        assert services.survey_drafts_purge() == 0


def test_drafts_and_invitations_are_in_the_export_and_the_anonymiser(tenant_a):
    _admin, consultation, survey, (_q1, q2, _q3, _q4) = long_survey(tenant_a, audience="verified")
    _admin, _c2, invited_survey, _qs = long_survey(tenant_a, audience="invited")
    with schema_context(tenant_a.schema_name):
        resident = staff_make("")
        invitation = Invitation.objects.create(
            survey=invited_survey,
            email=resident.email.upper(),
            token_hash="h" * 64,
            sent_at=timezone.now(),
        )
        Invitation.objects.create(
            survey=invited_survey, email="inna@example.org", token_hash="i" * 64
        )
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, resident, tenant_a.schema_name)
    save_draft(client, url_of(consultation), {f"q-{q2.key}": "Moja wersja robocza"})
    with schema_context(tenant_a.schema_name):
        found = exporters()
        (draft,) = found["survey_drafts"](resident)
        assert draft["survey"] == survey.title
        assert draft["answers_as_typed"] == {f"q-{q2.key}": ["Moja wersja robocza"]}
        (sent,) = found["survey_invitations"](resident)
        assert sent["survey"] == invited_survey.title
        assert sent["sent_at"] and sent["used_at"] is None
        # the account is deleted at the person's request
        user_delete(user=resident, password=PASSWORD)
        assert not SurveyDraft.objects.filter(survey=survey).exists()
        invitation.refresh_from_db()
        assert invitation.email == f"zaproszenie-{invitation.pk}@anonimizacja.invalid"
        assert invitation.token_hash == "h" * 64
        assert Invitation.objects.filter(email="inna@example.org").exists()


def test_a_request_with_a_draft_cookie_bypasses_the_page_cache(page_cache_on, tenant_a):  # noqa: F811
    _admin, consultation, _survey, (_q1, q2, _q3, _q4) = long_survey(tenant_a)
    path = f"/konsultacje/{consultation.slug}/"
    # an anonymous visitor's consultation page is stored and served from the cache
    plain = anonymous(tenant_a)
    plain.get(path)
    assert plain.get(path)[HEADER] == "hit"
    # the resident who saved a draft (the cookie's path is the consultation's) gets it fresh
    resident = anonymous(tenant_a)
    saved = save_draft(resident, url_of(consultation), {f"q-{q2.key}": "Robocza"})
    assert saved.cookies[DRAFT_COOKIE]["path"] == path
    response = resident.get(path)
    assert response.status_code == 200 and HEADER not in response
    # and what it got was not stored for others: a page rendered with the cookie is no entry
    with schema_context(tenant_a.schema_name):
        from tenants.services import municipality_page_version_bump

        municipality_page_version_bump(schema_name=tenant_a.schema_name)
    assert HEADER not in resident.get(path)
    fresh = anonymous(tenant_a).get(path)
    assert fresh[HEADER] == "miss"
    # the survey page with the cookie is never stored either
    page = resident.get(url_of(consultation))
    assert HEADER not in page and "Robocza" in page.content.decode()
