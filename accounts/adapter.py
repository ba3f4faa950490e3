"""django-allauth's hooks: who may sign up where, where people land after signing in, and how
the mail it renders leaves (in Polish, in the municipality's name, from a Celery worker)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal import flows
from allauth.core import context as allauth_context
from allauth.core.internal.httpkit import get_client_ip
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from accounts.services import mail_queue
from accounts.sites import site_current
from common.db import connection


def _municipality_of(request: HttpRequest | None) -> Any:
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    return tenant


def site_base_url(request: HttpRequest | None) -> str:
    """The stored address of the site the request is for (the municipality's primary domain or
    the apex), with the deployment's scheme and port, never the request's Host header."""
    municipality = _municipality_of(request)
    if municipality is not None:
        return municipality.site_url.rstrip("/")
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{port}"


def on_stored_site(request: HttpRequest | None, url: str) -> str:
    """``url`` (built by django-allauth from the request) moved onto the stored address."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return site_base_url(request) + path


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

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed sign-ins count per account *and* client address: one visitor guessing a
        resident's password is slowed down, the owner signing in from elsewhere is not. The
        per-address limit (ACCOUNT_RATE_LIMITS) still bounds one visitor across accounts.
        The cache key function adds the municipality's schema."""
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{login}:{get_client_ip(request) or '-'}"

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return on_stored_site(
            request, super().get_email_confirmation_url(request, emailconfirmation)
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_stored_site(self.request, super().get_reset_password_from_key_url(key))

    def send_account_already_exists_mail(self, email: str) -> None:
        request = allauth_context.request
        self.send_mail(
            "account/email/account_already_exists",
            email,
            {
                "signup_url": on_stored_site(request, flows.signup.get_signup_url(request)),
                "password_reset_url": on_stored_site(
                    request, flows.password_reset.get_reset_password_url(request)
                ),
            },
        )

    def format_email_subject(self, subject: str) -> str:
        municipality = _municipality_of(allauth_context.request)
        name = municipality.name if municipality else settings.PLATFORM_NAME
        return f"[{name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render the message here, in Polish and with the municipality's name and host, and
        hand it to a Celery task: the person's page does not wait for the mail server."""
        request = allauth_context.request
        municipality = _municipality_of(request)
        base_url = site_base_url(request)
        ctx: dict[str, Any] = {
            "request": request,
            "email": email,
            "sender_name": municipality.name if municipality else settings.PLATFORM_NAME,
            "site_host": urlsplit(base_url).hostname,
            "site_url": base_url + "/",
        }
        ctx.update(context)
        # The site speaks Polish first; a browser set to English must not change the mail.
        with translation.override(settings.LANGUAGE_CODE):
            message = self.render_mail(template_prefix, email, ctx)
        mail_queue(message=message)
