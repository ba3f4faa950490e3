"""Writes about accounts: residents' profiles and deletion, the municipality's staff
(invitations, roles, revoking access), and queueing the mail django-allauth renders."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.invitation_scopes import ROLES_WITH_DEPARTMENTS, departments_provider
from accounts.models import CITY_KIND, Invitation, StaffRole, User, staff_role_label
from accounts.personal_data import anonymisers
from accounts.sites import site_current
from common.queue import task_queue_on_commit

logger = logging.getLogger("konsulta.accounts")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tenant_base_url() -> str:
    """The absolute address of the current municipality's site, for links in e-mails."""
    return site_current().base_url


@transaction.atomic
def invitation_create(
    *,
    email: str,
    role: str,
    invited_by: User | None = None,
    department_ids: Sequence[int] = (),
) -> tuple[Invitation, str]:
    """Record an invitation in the current schema and mail its one-time link after commit.

    ``department_ids``: the departments a coordinator joins on accepting (already checked).
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
        department_ids=list(department_ids),
    )
    # Queued from inside the tenant's schema: the worker runs it there too.
    task_queue_on_commit("accounts.tasks.invitation_send", invitation.pk, token)
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
    site = site_current()
    link = site.base_url + reverse("invitation_accept", kwargs={"token": token})
    context = {
        "municipality_name": site.name,
        "link": link,
        "expires_at": invitation.expires_at,
        "role": staff_role_label(invitation.role, site.kind),
    }
    send_mail(
        subject=_("Invitation to the %(name)s consultation platform") % {"name": site.name},
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
    provider = departments_provider()
    if invitation.department_ids and provider is not None:
        provider.join(user, invitation.department_ids)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def _email_mark_verified(user: User) -> None:
    # The person proved the address by opening the link sent to it.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def invitations_purge(*, older_than_days: int = 30) -> int:
    """Delete invitations expired for more than ``older_than_days``; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Invitation.objects.filter(expires_at__lt=cutoff, accepted_at__isnull=True).delete()
    return deleted


# --- Mail rendered by django-allauth ----------------------------------------------------------


def mail_queue(*, message: EmailMessage) -> None:
    """Send an already rendered message from a Celery worker, after the current transaction
    commits, so that a slow mail server never holds up the page. The task is queued from the
    current schema and runs there (tenant-schemas-celery), though it reads nothing from it."""
    alternatives = [
        [content, mimetype]
        for content, mimetype in getattr(message, "alternatives", [])
        if isinstance(content, str)
    ]
    payload: dict[str, Any] = {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "alternatives": alternatives,
        "headers": dict(message.extra_headers),
    }
    task_queue_on_commit("accounts.tasks.mail_send", **payload)


def mail_message_build(
    *,
    subject: str,
    body: str,
    from_email: str | None,
    to: list[str],
    alternatives: list[list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """The message the worker sends, rebuilt from what ``mail_queue`` serialised."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, headers=headers or {}
    )
    for content, mimetype in alternatives or []:
        message.attach_alternative(content, mimetype)
    return message


# --- Residents: profile, consent, deletion ----------------------------------------------------


@transaction.atomic
def profile_update(
    *, user: User, display_name: str, first_name: str = "", last_name: str = ""
) -> User:
    """Change how a person is shown and named; the e-mail address is not changed here."""
    user.display_name = display_name.strip()[:100]
    user.first_name = first_name.strip()[:150]
    user.last_name = last_name.strip()[:150]
    user.save(update_fields=["display_name", "first_name", "last_name"])
    return user


ANONYMOUS_EMAIL_DOMAIN = "anonim.invalid"


@transaction.atomic
def user_delete(*, user: User, password: str) -> User:
    """Delete a person's account at their request (RODO art. 17), after checking the password.

    The row of the account is kept but irreversibly anonymised rather than deleted: the
    e-mail becomes a random address at a reserved ``.invalid`` domain, names and consent are
    emptied, the password becomes unusable and the account inactive, and every e-mail address
    record, pending confirmation and invitation for the old address is deleted. Why not a
    DELETE: what the person contributed (remarks, survey answers, votes) must stay in the
    consultation record, and it points at this row. Keeping the row means no app's foreign
    key (whatever its ``on_delete``) can cascade the contributions away, and the report still
    counts distinct participants correctly, while nothing left in the row identifies anyone.
    The registered anonymisers (``accounts.personal_data``) strip names and contact data from
    those contributions before the row is emptied.

    Raises ValidationError, changing nothing, for a wrong password or for the municipality's
    last administrator (who must first hand the role to someone else).
    """
    admins = _admins_lock()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.anonymised_at is not None:
        raise ValidationError(_("This account has already been deleted."), code="deleted")
    if not locked.check_password(password):
        raise ValidationError({"password": [_("The password is not correct.")]})
    if locked.role == StaffRole.ADMIN:
        _last_admin_guard(member=locked, new_role="", admins=admins)
    old_email = locked.email
    for anonymise in anonymisers():
        anonymise(locked)
    EmailAddress.objects.filter(user=locked).delete()  # confirmations go with them (cascade)
    Invitation.objects.filter(email__iexact=old_email).delete()
    locked.email = f"usuniete-{uuid.uuid4().hex}@{ANONYMOUS_EMAIL_DOMAIN}"
    locked.first_name = ""
    locked.last_name = ""
    locked.display_name = ""
    locked.role = ""
    locked.is_active = False
    locked.is_staff = False
    locked.is_superuser = False
    locked.last_login = None
    locked.terms_accepted_at = None
    locked.anonymised_at = timezone.now()
    # A new unusable password also changes the session hash: every open session ends.
    locked.set_unusable_password()
    locked.save()
    locked.groups.clear()
    locked.user_permissions.clear()
    logger.info("account %s deleted and anonymised", locked.pk)
    return locked


# --- Staff: invitations, roles, access ------------------------------------------------------


def _admins_lock() -> list[int]:
    """Lock the active administrators' rows, in one order, and return their ids.

    Every change that may take away an administrator calls this before it locks the member
    it changes: two admins demoting each other at the same moment then queue on the same
    first row instead of each holding the row the other waits for (a deadlock, and a 500)."""
    return list(
        User.objects.select_for_update()
        .filter(role=StaffRole.ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _last_admin_guard(*, member: User, new_role: str, admins: list[int]) -> None:
    """Refuse a change that would leave the municipality without any administrator.

    ``admins`` comes from ``_admins_lock`` in the same transaction, taken before ``member``
    was read: the second of two admins demoting each other is refused."""
    if member.role != StaffRole.ADMIN or new_role == StaffRole.ADMIN:
        return
    if admins == [member.pk] or not admins:
        if getattr(getattr(connection, "tenant", None), "kind", "") == CITY_KIND:
            message = pgettext(
                "miasto",
                "This is the only administrator of the municipality. Give the administrator "
                "role to another person first; nothing has been changed.",
            )
        else:
            message = _(
                "This is the only administrator of the municipality. Give the administrator "
                "role to another person first; nothing has been changed."
            )
        raise ValidationError(message, code="last_admin")


def _invitation_departments_check(*, role: str, department_ids: Sequence[int]) -> list[int]:
    """The departments an invitation for ``role`` names, checked against the current schema's.

    A coordinator must be given at least one department, or they would land on a panel with
    nothing to do; other roles carry none."""
    provider = departments_provider()
    if role not in ROLES_WITH_DEPARTMENTS or provider is None:
        return []
    known = {pk for pk, _name in provider.choices()}
    chosen = sorted({int(pk) for pk in department_ids})
    if not known:
        raise ValidationError(
            {
                "departments": [
                    _(
                        "There are no departments yet. Please create the department first, "
                        "then invite its coordinator."
                    )
                ]
            }
        )
    if not chosen:
        raise ValidationError(
            {"departments": [_("Please choose the departments the coordinator will work for.")]}
        )
    if not set(chosen) <= known:
        raise ValidationError({"departments": [_("Please choose departments from the list.")]})
    return chosen


@transaction.atomic
def staff_invite(
    *, email: str, role: str, acting_user: User, department_ids: Sequence[int] = ()
) -> Invitation:
    """Invite a person to the staff with a role; the one-time link is mailed after commit.

    A coordinator's invitation names the departments they will join on accepting it.
    Refused (nothing sent) when the address already belongs to a staff member or has a
    pending invitation, or a coordinator is given no department; an expired pending
    invitation is replaced by the new one.
    """
    email = email.strip().lower()
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose a role.")]})
    if User.objects.filter(email__iexact=email).exclude(role="").exists():
        raise ValidationError(
            {"email": [_("This person is already a staff member; change their role instead.")]}
        )
    pending = Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True)
    for invitation in pending:
        if invitation.is_usable():
            raise ValidationError(
                {
                    "email": [
                        _(
                            "An invitation has already been sent to this address; "
                            "you can send it again from the list."
                        )
                    ]
                }
            )
        invitation.delete()
    departments = _invitation_departments_check(role=role, department_ids=department_ids)
    try:
        invitation, _token = invitation_create(
            email=email, role=role, invited_by=acting_user, department_ids=departments
        )
    except IntegrityError as exc:  # the same address invited twice at the same moment
        raise ValidationError(
            {"email": [_("An invitation has already been sent to this address.")]}
        ) from exc
    return invitation


@transaction.atomic
def invitation_resend(*, invitation_id: int, acting_user: User | None) -> Invitation:
    """Send a pending invitation again with a fresh link and a new expiry date.

    Only the token's hash is stored, so the old link cannot be re-sent: it stops working.
    ``acting_user`` is None when the provider resends it: their account lives in the public
    schema, so the invitation keeps its original sender."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation no longer exists."), code="not_found")
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    if acting_user is not None:
        invitation.invited_by = acting_user
    invitation.save(update_fields=["token_hash", "expires_at", "invited_by"])
    task_queue_on_commit("accounts.tasks.invitation_send", invitation.pk, token)
    return invitation


@transaction.atomic
def invitation_cancel(*, invitation_id: int, acting_user: User) -> None:
    """Withdraw a pending invitation; its link stops working at once."""
    deleted, _rows = Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).delete()
    if not deleted:
        raise ValidationError(_("This invitation no longer exists."), code="not_found")
    logger.info("invitation %s cancelled by %s", invitation_id, acting_user.pk)


@transaction.atomic
def staff_role_change(*, member_id: int, role: str, acting_user: User) -> User:
    """Give a staff member another role. The last administrator cannot stop being one."""
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose a role.")]})
    admins = _admins_lock()
    member = User.objects.select_for_update().filter(pk=member_id).exclude(role="").first()
    if member is None:
        raise ValidationError(_("This person is not a staff member."), code="not_found")
    _last_admin_guard(member=member, new_role=role, admins=admins)
    member.role = role
    member.save(update_fields=["role"])
    logger.info("staff %s role %s set by %s", member.pk, role, acting_user.pk)
    return member


@transaction.atomic
def staff_access_revoke(*, member_id: int, acting_user: User) -> User:
    """Take away a person's staff access; they keep their account as a resident."""
    admins = _admins_lock()
    member = User.objects.select_for_update().filter(pk=member_id).exclude(role="").first()
    if member is None:
        raise ValidationError(_("This person is not a staff member."), code="not_found")
    _last_admin_guard(member=member, new_role="", admins=admins)
    member.role = ""
    member.save(update_fields=["role"])
    logger.info("staff %s access revoked by %s", member.pk, acting_user.pk)
    return member
