"""Mails of the register, sent by the Celery worker after the transaction commits; each task
is idempotent (it re-reads the remark and does nothing when it no longer applies)."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remark_confirmation_send(self: object, remark_id: int, token: str) -> None:
    """Mail the link that confirms the address a remark was sent with."""
    from remarks.mail import remark_confirmation_mail
    from remarks.models import Remark, RemarkState
    from remarks.selectors import token_hash

    remark = Remark.objects.filter(
        pk=remark_id, state=RemarkState.PENDING, confirmation_hash=token_hash(token)
    ).first()
    if remark is not None:
        remark_confirmation_mail(remark=remark, token=token)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remark_registered_send(self: object, remark_id: int) -> None:
    """Mail the reference number of a registered remark to its author."""
    from remarks.mail import remark_registered_mail
    from remarks.models import Remark, RemarkState

    remark = (
        Remark.objects.filter(pk=remark_id, state=RemarkState.REGISTERED)
        .exclude(email="")
        .select_related("consultation")
        .first()
    )
    if remark is not None:
        remark_registered_mail(remark=remark)
