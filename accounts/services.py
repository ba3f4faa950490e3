"""Writes about accounts: invitations to a municipality's staff, and accepting them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, StaffRole, User
from tenants.selectors import municipality_current


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tenant_base_url() -> str:
    """The absolute address of the current municipality's site, for links in e-mails."""
    return municipality_current().site_url.rstrip("/")


@transaction.atomic
def invitation_create(
    *, email: str, role: str, invited_by: User | None = None
) -> tuple[Invitation, str]:
    """Record an invitation in the current schema and mail its one-time link after commit.

    Returns the invitation and its token; the token itself is never stored.
    """
    if role not in StaffRole.values:
        raise ValidationError(_("Unknown role."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        role=role,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        invited_by=invited_by,
    )
    from accounts.tasks import invitation_send

    # Queued from inside the tenant's schema: the worker runs it there too.
    transaction.on_commit(lambda: invitation_send.delay(invitation.pk, token))
    return invitation, token


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str = "",
    is_staff: bool = False,
    first_name: str = "",
    email_verified: bool = True,
) -> User:
    """Create an account in the current schema (provider staff in public, staff or residents
    in a municipality's). An address someone vouched for is recorded as verified, so
    django-allauth lets the person sign in without a confirmation mail."""
    user = User.objects.create_user(
        email, password, role=role, is_staff=is_staff, first_name=first_name
    )
    if email_verified:
        _email_mark_verified(user)
    return user


def invitation_send_mail(*, invitation: Invitation, token: str) -> None:
    """Send the invitation e-mail with the link to the current municipality's site."""
    tenant = municipality_current()
    link = tenant_base_url() + reverse("invitation_accept", kwargs={"token": token})
    context = {
        "municipality_name": tenant.name,
        "link": link,
        "expires_at": invitation.expires_at,
        "role": invitation.get_role_display(),
    }
    send_mail(
        subject=_("Invitation to the %(name)s consultation platform") % {"name": tenant.name},
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_get_usable(*, token: str) -> Invitation | None:
    """The invitation behind ``token`` if it can still be accepted, else None."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_usable():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited person's password and role; the link then stops working.

    Raises ValidationError (nothing changed) when the link is used, expired or unknown,
    or when the password is too weak.
    """
    invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_usable():
        raise ValidationError(
            _("This invitation link has expired or has already been used."), code="invalid"
        )
    user = User.objects.filter(email__iexact=invitation.email).first()
    validate_password(password, user=user or User(email=invitation.email))
    if user is None:
        user = User(email=invitation.email)
    user.set_password(password)
    user.role = invitation.role
    user.is_active = True
    user.save()
    _email_mark_verified(user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def _email_mark_verified(user: User) -> None:
    # The person proved the address by opening the link sent to it.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def invitations_purge(*, older_than_days: int = 30) -> int:
    """Delete invitations expired for more than ``older_than_days``; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Invitation.objects.filter(expires_at__lt=cutoff, accepted_at__isnull=True).delete()
    return deleted
