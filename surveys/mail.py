"""The mails of surveys, in Polish, from the municipality's name and its stored domain."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from surveys.models import Invitation
from tenants.selectors import municipality_current


def invitation_link(invitation: Invitation, token: str) -> str:
    """The one-time link, on the municipality's own domain."""
    survey = invitation.survey
    site = municipality_current().site_url.rstrip("/")
    return site + reverse(
        f"{survey.kind}_invited",
        kwargs={"slug": survey.consultation.slug, "token": token},
    )


def invitation_mail(*, invitation: Invitation, token: str) -> None:
    municipality = municipality_current()
    with translation.override(settings.LANGUAGE_CODE):
        EmailMessage(
            subject=_("%(name)s: an invitation to answer the survey “%(title)s”")
            % {"name": municipality.name, "title": invitation.survey.title},
            body=render_to_string(
                "surveys/email/invitation.txt",
                {
                    "municipality_name": municipality.name,
                    "survey": invitation.survey,
                    "consultation": invitation.survey.consultation,
                    "link": invitation_link(invitation, token),
                },
            ),
            from_email=formataddr((municipality.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])),
            to=[invitation.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send()
