"""The register's mails, in Polish, from the municipality's name."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from remarks.models import Remark
from remarks.selectors import CONFIRMATION_VALID
from tenants.selectors import municipality_current


def _send(*, remark: Remark, subject: str, template: str, context: dict[str, object]) -> None:
    municipality = municipality_current()
    context = {
        **context,
        "municipality_name": municipality.name,
        "remark": remark,
        "consultation": remark.consultation,
        "site": municipality.site_url.rstrip("/"),
    }
    EmailMessage(
        subject=subject % {"name": municipality.name},
        body=render_to_string(template, context),
        from_email=formataddr((municipality.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])),
        to=[remark.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()


def remark_confirmation_mail(*, remark: Remark, token: str) -> None:
    """The link to a page whose button (a POST) confirms: opening the link confirms nothing,
    since mail scanners open links too."""
    with translation.override(settings.LANGUAGE_CODE):
        site = municipality_current().site_url.rstrip("/")
        _send(
            remark=remark,
            subject=_("%(name)s: please confirm your remark"),
            template="remarks/email/confirm.txt",
            context={
                "link": site + reverse("remark_confirm", kwargs={"token": token}),
                "expires_at": remark.confirmation_sent_at + CONFIRMATION_VALID
                if remark.confirmation_sent_at
                else None,
            },
        )


def remark_registered_mail(*, remark: Remark) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            remark=remark,
            subject=_("%(name)s: your remark has been registered") + f" ({remark.reference})",
            template="remarks/email/registered.txt",
            context={
                "link": reverse("remark_public_list", kwargs={"slug": remark.consultation.slug}),
            },
        )
