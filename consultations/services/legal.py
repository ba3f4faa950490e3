"""The municipality's legal texts: staff complete the privacy notice and the accessibility
statement (consultations/legal_texts.py says what each must contain and cites the law), and
the yearly reminder to review the statement goes out once a year."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import date, datetime
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import StaffRole, User
from consultations.legal_texts import REMINDER_FROM, accessibility_statement_for, review_deadline
from consultations.models import (
    AccessibilityAssessment,
    AccessibilityReviewReminder,
    AccessibilityStatus,
    SiteSettings,
)
from consultations.public_changes import public_change
from consultations.selectors import SITE_SETTINGS_CACHE_KEY
from consultations.services.audit import audit_record

logger = logging.getLogger("konsulta")

PRIVACY_FIELDS = (
    "controller_name",
    "controller_address",
    "controller_email",
    "dpo_email",
    "dpo_phone",
    "privacy_retention",
    "privacy_recipients",
    "privacy_extra",
)
ACCESSIBILITY_FIELDS = (
    "a11y_published_on",
    "a11y_updated_on",
    "a11y_status",
    "a11y_noncompliance",
    "a11y_exclusions",
    "a11y_assessment",
    "a11y_audit_url",
    "a11y_contact_name",
    "a11y_contact_email",
    "a11y_contact_phone",
    "a11y_architectural",
)
TEXT_MAX = 10_000
# A phone number as people write it: digits, spaces, "+", "-", "(", ")"; ASCII digits only,
# at least 9 of them (a Polish number with its area code).
PHONE = re.compile(r"^\+?[0-9 ()\-]{9,30}$")


def _phone_error(value: str) -> list[str] | None:
    if value and not (PHONE.match(value) and sum(c.isdigit() for c in value) >= 9):
        return [_("Enter a phone number of at least 9 digits, e.g. +48 95 760 00 00.")]
    return None


def _email_error(value: str) -> list[str] | None:
    if not value:
        return None
    try:
        validate_email(value)
    except ValidationError:
        return [_("Enter a valid e-mail address.")]
    return None


def _text_errors(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in fields:
        value = data.get(name)
        if isinstance(value, str):
            limit = getattr(SiteSettings._meta.get_field(name), "max_length", None) or TEXT_MAX
            if len(value) > limit:
                errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
            elif "\x00" in value:
                errors[name] = [_("The text contains a character that is not allowed.")]
    return errors


def _saved(row: SiteSettings, acting_user: User, action: str, changed: list[str]) -> None:
    audit_record(acting_user=acting_user, action=action, target=row, details={"fields": changed})
    public_change("site")
    transaction.on_commit(lambda: cache.delete(SITE_SETTINGS_CACHE_KEY))


@transaction.atomic
def privacy_notice_update(
    *, acting_user: User, data: dict[str, Any], now: datetime | None = None
) -> SiteSettings:
    """Save what staff completed of the privacy notice. Empty fields keep the defaults built
    from the municipality's data; bad input changes nothing."""
    values = {name: (data.get(name) or "").strip() for name in PRIVACY_FIELDS}
    errors = _text_errors(values, PRIVACY_FIELDS)
    for name in ("controller_email", "dpo_email"):
        if error := _email_error(values[name]):
            errors[name] = error
    if error := _phone_error(values["dpo_phone"]):
        errors["dpo_phone"] = error
    if errors:
        raise ValidationError(errors)
    row, _created = SiteSettings.objects.select_for_update().get_or_create(pk=1)
    changed = [name for name in PRIVACY_FIELDS if getattr(row, name) != values[name]]
    for name, value in values.items():
        setattr(row, name, value)
    row.privacy_updated_at = now or timezone.now()
    row.save()
    _saved(row, acting_user, "privacy_notice_update", changed)
    return row


@transaction.atomic
def accessibility_statement_update(
    *, acting_user: User, data: dict[str, Any], today: date | None = None
) -> SiteSettings:
    """Save the accessibility statement. Saving it is its review and update (art. 10 of the
    digital accessibility act): the date of the last review becomes today, and the date it
    was prepared is set the first time."""
    today = today or timezone.localdate()
    values: dict[str, Any] = {}
    for name in ACCESSIBILITY_FIELDS:
        value = data.get(name)
        values[name] = value.strip() if isinstance(value, str) else value
    errors = _text_errors(values, ACCESSIBILITY_FIELDS)
    if values["a11y_status"] not in AccessibilityStatus.values:
        errors["a11y_status"] = [_("Choose the compliance status.")]
    if values["a11y_assessment"] not in AccessibilityAssessment.values:
        errors["a11y_assessment"] = [_("Choose how accessibility was assessed.")]
    if error := _email_error(values["a11y_contact_email"] or ""):
        errors["a11y_contact_email"] = error
    if error := _phone_error(values["a11y_contact_phone"] or ""):
        errors["a11y_contact_phone"] = error
    if values["a11y_audit_url"]:
        try:
            URLValidator(schemes=["https", "http"])(values["a11y_audit_url"])
        except ValidationError:
            errors["a11y_audit_url"] = [_("Enter a link starting with https://.")]
    published, updated = values["a11y_published_on"], values["a11y_updated_on"]
    for name in ("a11y_published_on", "a11y_updated_on"):
        if values[name] is not None and values[name] > today:
            errors[name] = [_("The date cannot be in the future.")]
    if published and updated and updated < published and "a11y_updated_on" not in errors:
        errors["a11y_updated_on"] = [
            _("The last major update cannot come before the site was published.")
        ]
    if errors:
        raise ValidationError(errors)
    row, _created = SiteSettings.objects.select_for_update().get_or_create(pk=1)
    changed = [name for name in ACCESSIBILITY_FIELDS if getattr(row, name) != values[name]]
    for name, value in values.items():
        setattr(row, name, value if value is not None else None)
    row.a11y_prepared_on = row.a11y_prepared_on or today
    row.a11y_reviewed_on = today
    row.save()
    _saved(row, acting_user, "accessibility_statement_update", changed)
    return row


# --- The yearly reminder ----------------------------------------------------------------------


def review_reminder_recipients() -> list[str]:
    """The municipality's active administrators (they edit the statement); where it has none,
    its coordinators."""
    for role in (StaffRole.ADMIN, StaffRole.COORDINATOR):
        emails = list(
            User.objects.filter(role=role, is_active=True)
            .order_by("email")
            .values_list("email", flat=True)
        )
        if emails:
            return emails
    return []


def review_reminder_plan(*, today: date) -> AccessibilityReviewReminder | None:
    """From 1 March to 31 March, the year's reminder row (one a year: the unique year)."""
    if not (date(today.year, *REMINDER_FROM) <= today <= review_deadline(today)):
        return None
    try:
        with transaction.atomic():
            reminder, _created = AccessibilityReviewReminder.objects.get_or_create(year=today.year)
    except IntegrityError:
        # A concurrent run inserted it between our look-up and insert.
        reminder = AccessibilityReviewReminder.objects.get(year=today.year)
    return reminder


REMINDER_MAX_ATTEMPTS = 5


def review_reminder_deliver(*, today: date) -> int:
    """Send this year's reminder if it is planned and not sent; returns the mails sent. The
    row is locked (SKIP LOCKED), re-checked, mailed and stamped in one transaction: a
    concurrent or repeated run finds it sent or locked and sends nothing."""
    from tenants.selectors import municipality_current

    with transaction.atomic():
        reminder = (
            AccessibilityReviewReminder.objects.select_for_update(skip_locked=True)
            .filter(year=today.year, sent_at__isnull=True, attempts__lt=REMINDER_MAX_ATTEMPTS)
            .first()
        )
        if reminder is None:
            return 0
        reminder.attempts += 1
        recipients = review_reminder_recipients()
        municipality = municipality_current()
        row = SiteSettings.objects.filter(pk=1).first() or SiteSettings(pk=1)
        statement = accessibility_statement_for(row, municipality, today=today)
        base_url = municipality.site_url.rstrip("/")
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "consultations/email/accessibility_review.txt",
                {
                    "municipality_name": municipality.name,
                    "statement": statement,
                    "edit_url": base_url + reverse("panel_accessibility_statement"),
                    "public_url": base_url + reverse("accessibility_statement"),
                },
            )
            subject = _("%(name)s: review the accessibility statement by 31 March") % {
                "name": municipality.name
            }
        sent = 0
        error = ""
        for email in recipients:
            message = EmailMessage(
                subject=subject,
                body=body,
                from_email=formataddr(
                    (municipality.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
                ),
                to=[email],
            )
            try:
                message.send()
            except (OSError, smtplib.SMTPException) as exc:
                error = str(exc)[:500]
                logger.warning("accessibility review reminder to %s not sent: %s", email, exc)
                continue
            sent += 1
        if error and not sent:
            reminder.last_error = error
            reminder.save(update_fields=["attempts", "last_error"])
            return 0
        reminder.sent_at = timezone.now()
        reminder.recipients = sent
        reminder.last_error = error
        reminder.save(update_fields=["attempts", "sent_at", "recipients", "last_error"])
        return sent


def accessibility_review_remind(*, today: date | None = None) -> int:
    """The current municipality's yearly reminder to review its accessibility statement
    before 31 March: planned once a year, sent once."""
    today = today or timezone.localdate()
    if review_reminder_plan(today=today) is None:
        return 0
    return review_reminder_deliver(today=today)
