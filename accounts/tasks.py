"""Background work about accounts; each task fetches by id and calls a service."""

from __future__ import annotations

from celery import shared_task

from accounts.models import Invitation
from accounts.services import invitation_send_mail, mail_message_build


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send(self: object, invitation_id: int, token: str) -> None:
    """Mail the one-time link of an invitation of the schema this task was queued in."""
    invitation = Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        return  # accepted or purged meanwhile: nothing to send
    invitation_send_mail(invitation=invitation, token=token)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def mail_send(
    self: object,
    *,
    subject: str,
    body: str,
    from_email: str | None,
    to: list[str],
    alternatives: list[list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send a message django-allauth rendered during a request (confirmation, password reset).

    It renders nothing: the text was made in the request, in the municipality's schema and
    with its host. A retry after a mail-server error sends the same message again."""
    mail_message_build(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        alternatives=alternatives,
        headers=headers,
    ).send()
