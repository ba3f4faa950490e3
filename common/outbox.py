"""Mail from an outbox table: rows recorded first, then sent each exactly once.

A row has ``attempts``, ``last_error`` and ``sent_at``. Each is locked (SKIP LOCKED),
re-checked, mailed and stamped in its own transaction: a concurrent run skips it, a sent one is
never picked again, and a failing address costs only its own row an attempt. Subscriptions'
notifications and the portal's digests are sent this way.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=models.Model)


def outbox_deliver(
    pending: models.QuerySet[Row],
    *,
    batch_size: int,
    message_for: Callable[[Row], EmailMessage | None],
    related: Sequence[str] = (),
    extra_fields: Sequence[str] = (),
) -> int:
    """Send up to ``batch_size`` rows of ``pending`` (the unsent ones still worth trying);
    returns the mails that went out. ``message_for`` builds a row's mail, or None when there
    is nothing to tell (the row is stamped sent all the same); it may set ``extra_fields``."""
    ids = list(pending.order_by("pk").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return 0
    sent = 0
    model = pending.model
    with translation.override(settings.LANGUAGE_CODE), get_connection() as mail:
        for pk in ids:
            with transaction.atomic():
                row: Any = (
                    model._default_manager.select_for_update(skip_locked=True, of=("self",))
                    .select_related(*related)
                    .filter(pk=pk, sent_at__isnull=True)
                    .first()
                )
                if row is None:
                    continue  # another run has it, or it went out meanwhile
                row.attempts += 1
                message = message_for(row)
                if message is not None:
                    message.connection = mail
                    try:
                        message.send()
                    except (OSError, smtplib.SMTPException) as exc:
                        row.last_error = str(exc)[:500]
                        row.save(update_fields=["attempts", "last_error", *extra_fields])
                        logger.warning("%s %s not sent: %s", model.__name__, pk, exc)
                        continue
                    sent += 1
                row.sent_at = timezone.now()
                row.save(update_fields=["attempts", "sent_at", *extra_fields])
    return sent
