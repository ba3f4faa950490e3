"""A survey for invited addresses only: one-time links mailed from the municipality's
domain, a link used once (a unique column), and the survey closed to everyone else."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from surveys import services
from surveys.models import Invitation, Response
from tests.surveys.factories import choice_key, question_add, survey_make

pytestmark = pytest.mark.django_db


def _tokens(callbacks) -> dict[int, str]:
    """The tokens the queued mail tasks carry, by invitation id (the task's arguments)."""
    found = {}
    for callback in callbacks:
        signature = callback.__self__
        assert signature.task == "surveys.tasks.survey_invitation_send"
        invitation_id, token = signature.args
        found[invitation_id] = token
    return found


def _invited_survey(admin):
    consultation, survey = survey_make(admin, audience="invited")
    question = question_add(
        admin, survey, "single", "Czy program jest dobry?", choices=["Tak", "Nie"]
    )
    return consultation, survey, question


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Proszę podać co najmniej jeden adres e-mail."),
        ("fundacja@example.org\nto nie adres", "To nie jest poprawny adres e-mail: to nie adres."),
        ("a@b.pl\x00", "Lista zawiera niedozwolony znak NUL."),
        ("x" * 250 + "@example.org", "To nie jest poprawny adres e-mail: "),
    ],
)
def test_a_bad_list_of_addresses_gets_a_polish_message_and_invites_nobody(admin, text, message):
    _consultation, survey, _question = _invited_survey(admin)
    with pytest.raises(ValidationError) as error:
        services.survey_invitations_add(acting_user=admin, survey_id=survey.pk, emails_text=text)
    assert error.value.messages[0].startswith(message)
    assert not Invitation.objects.filter(survey=survey).exists()


def test_addresses_are_invited_once_each_and_mailed_a_link_on_the_municipality_domain(
    admin, in_a, django_capture_on_commit_callbacks, settings
):
    # given
    _consultation, survey, _question = _invited_survey(admin)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # when the same address comes twice, in two letter cases, and again in a second paste
    with django_capture_on_commit_callbacks() as first:
        added = services.survey_invitations_add(
            acting_user=admin,
            survey_id=survey.pk,
            emails_text="NGO@example.org; ngo@example.org,\nKlub Sportowy <klub@example.org>",
        )
    with django_capture_on_commit_callbacks() as second:
        again = services.survey_invitations_add(
            acting_user=admin, survey_id=survey.pk, emails_text="klub@example.org\nnowa@example.org"
        )
    # then
    assert added == ["ngo@example.org", "klub@example.org"]
    assert again == ["nowa@example.org"]
    assert Invitation.objects.filter(survey=survey).count() == 3
    tokens = {**_tokens(first), **_tokens(second)}
    assert len(tokens) == 3
    # only the token's hash is stored
    stored = set(Invitation.objects.values_list("token_hash", flat=True))
    assert not stored & set(tokens.values())
    # the worker's task body mails the link on the municipality's own domain
    invitation = Invitation.objects.get(email="klub@example.org")
    assert services.survey_invitation_mail_send(
        invitation_id=invitation.pk, token=tokens[invitation.pk]
    )
    assert not services.survey_invitation_mail_send(invitation_id=invitation.pk, token="zły")
    message = mail.outbox[-1]
    assert message.to == ["klub@example.org"]
    link = re.search(r"http://\S+", message.body).group(0)
    assert link.startswith(f"http://{in_a.host}")
    assert link.endswith(f"/ankieta/zaproszenie/{tokens[invitation.pk]}/")
    assert "zaproszenie" in message.subject.lower()
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_survey_takes_a_response_only_through_an_unused_link(
    admin, django_capture_on_commit_callbacks
):
    _consultation, survey, question = _invited_survey(admin)
    with django_capture_on_commit_callbacks() as queued:
        services.survey_invitations_add(
            acting_user=admin, survey_id=survey.pk, emails_text="ngo@example.org"
        )
    token = next(iter(_tokens(queued).values()))
    answers = {question.key: choice_key(question, "Tak")}

    def submit(link_token: str):
        return services.survey_response_submit(
            acting_user=None,
            survey_id=survey.pk,
            idempotency_key=uuid.uuid4(),
            answers=answers,
            invitation_token=link_token,
        )

    # without a link, or with a wrong one: refused
    for wrong in ("", "x" * 43, token[:-1]):
        with pytest.raises(ValidationError, match="tylko zaproszone"):
            submit(wrong)
    # the link: accepted once
    result = submit(token)
    assert result.created and result.response.invitation.email == "ngo@example.org"
    assert result.response.invitation.used_at is not None
    with pytest.raises(ValidationError, match="został już wykorzystany"):
        submit(token)
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_link_of_another_survey_opens_nothing(admin, django_capture_on_commit_callbacks):
    _c1, survey, question = _invited_survey(admin)
    _c2, other, _q = _invited_survey(admin)
    with django_capture_on_commit_callbacks() as queued:
        services.survey_invitations_add(
            acting_user=admin, survey_id=other.pk, emails_text="ngo@example.org"
        )
    token = next(iter(_tokens(queued).values()))
    with pytest.raises(ValidationError, match="tylko zaproszone"):
        services.survey_response_submit(
            acting_user=None,
            survey_id=survey.pk,
            idempotency_key=uuid.uuid4(),
            answers={question.key: choice_key(question, "Tak")},
            invitation_token=token,
        )


def test_the_response_table_refuses_a_second_response_of_one_invitation(admin):
    # The "once" is the database's: a unique column, not a check in Python.
    from django.db import IntegrityError, transaction

    _consultation, survey, _question = _invited_survey(admin)
    invitation = Invitation.objects.create(survey=survey, email="a@example.org", token_hash="h")
    version = survey.versions.get()
    Response.objects.create(
        survey=survey, version=version, idempotency_key=uuid.uuid4(), invitation=invitation
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=survey, version=version, idempotency_key=uuid.uuid4(), invitation=invitation
        )


def test_links_over_http_get_shows_the_form_and_post_uses_the_link_once(
    tenant_a, django_capture_on_commit_callbacks
):
    from tests.consultations.factories import staff_make
    from tests.consultations.test_views import client_as

    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, survey, question = _invited_survey(admin)
        tak = choice_key(question, "Tak")
    # the coordinator invites through the panel
    staff = client_as(tenant_a, admin)
    panel = f"/panel/konsultacje/{consultation.pk}/ankieta/zaproszenia/"
    with django_capture_on_commit_callbacks() as queued:
        page = staff.post(panel, {"emails": "ngo@example.org"}, follow=True)
    assert "1 zaproszenie jest wysyłane." in page.content.decode()
    assert "ngo@example.org" in page.content.decode()
    assert "Odpowiedź na ankietę" in page.content.decode()
    bad = staff.post(panel, {"emails": "nie-adres"})
    assert bad.status_code == 400 and "To nie jest poprawny adres e-mail" in bad.content.decode()
    token = next(iter(_tokens(queued).values()))
    client = Client(HTTP_HOST=tenant_a.host)
    base = f"/konsultacje/{consultation.slug}/ankieta/"
    # the plain page is closed to everyone
    plain = client.get(base).content.decode()
    assert "tylko zaproszone" in plain and 'name="idempotency_key"' not in plain
    # a wrong token is a 404; the link's GET shows the form and uses nothing
    assert client.get(base + "zaproszenie/zly-token/").status_code == 404
    link = base + f"zaproszenie/{token}/"
    page = client.get(link)
    assert page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', html).group(1)
    with schema_context(tenant_a.schema_name):
        assert Invitation.objects.get(survey=survey).used_at is None
    sent = client.post(link, {"idempotency_key": key, f"q-{question.key}": tak})
    assert sent.status_code == 302
    again = client.get(link).content.decode()
    assert "został już wykorzystany" in again and 'name="idempotency_key"' not in again
    with schema_context(tenant_a.schema_name):
        assert Response.objects.filter(survey=survey).count() == 1
