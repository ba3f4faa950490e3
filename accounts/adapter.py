"""django-allauth's hooks: who may sign up where, where people land after signing in, and how
the mail it renders leaves (in Polish, in the municipality's name, from a Celery worker)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.requests import RequestSite
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from accounts.sites import site_current
from common.db import connection


def _municipality_of(request: HttpRequest | None) -> Any:
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    return tenant


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Residents sign up on their municipality's site. On the apex domain nobody does:
        # provider staff are created by provider staff, municipal staff join by invitation.
        return _municipality_of(request) is not None and site_current().open_for_signup

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        # The sign-up form refuses to validate without the ticked consent; record when.
        if isinstance(user, User) and form.cleaned_data.get("terms"):
            user.terms_accepted_at = timezone.now()
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if connection.schema_name == get_public_schema_name():
            if user.is_staff:
                return reverse("provider:municipality_list")
        elif getattr(user, "role", ""):
            return reverse("panel_home")
        return super().get_login_redirect_url(request)

    def format_email_subject(self, subject: str) -> str:
        municipality = _municipality_of(allauth_context.request)
        name = municipality.name if municipality else settings.PLATFORM_NAME
        return f"[{name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render the message here, in Polish and with the municipality's name and host, and
        hand it to a Celery task: the person's page does not wait for the mail server."""
        from accounts.services import mail_queue

        request = allauth_context.request
        municipality = _municipality_of(request)
        site = RequestSite(request)
        ctx: dict[str, Any] = {
            "request": request,
            "email": email,
            "current_site": site,
            "sender_name": municipality.name if municipality else settings.PLATFORM_NAME,
            "site_host": site.domain,
            "site_url": request.build_absolute_uri("/"),
        }
        ctx.update(context)
        # The site speaks Polish first; a browser set to English must not change the mail.
        with translation.override(settings.LANGUAGE_CODE):
            message = self.render_mail(template_prefix, email, ctx)
        mail_queue(message=message)
