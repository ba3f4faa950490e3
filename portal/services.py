"""Writes of the portals: the provider's portals, portal staff's news and features, and the
portal newsletter (double opt-in, one digest a subscriber a period).

The index itself is written only by portal.index, from the municipalities' own changes."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_create
from common.db import connection
from common.outbox import outbox_deliver
from common.queue import task_queue_on_commit
from portal.models import (
    HEX_COLOUR,
    Digest,
    DigestFrequency,
    DigestSubscriber,
    Portal,
    PortalFeature,
    PortalNews,
    PublicConsultation,
)
from portal.selectors import (
    CONFIRMATION_VALID_DAYS,
    digest_entries,
    digest_period_start,
    portal_host,
    portal_hosts_forget,
    portal_url,
    token_hash,
    unsubscribe_token,
    unsubscribe_token_read,
)
from tenants.models import Domain, Municipality
from tenants.validators import validate_domain, validate_subdomain

logger = logging.getLogger("konsulta.portal")

PUBLIC_URLCONF = "platform_site.urls_public"


# --- Portals (the provider) -------------------------------------------------------------------


@transaction.atomic
def portal_save(
    *,
    portal_id: int | None,
    name: str,
    subdomain: str,
    custom_domain: str,
    primary_colour: str,
    description: str,
    member_ids: Iterable[int],
    staff_emails: Iterable[str],
    logo: UploadedFile | None = None,
    acting_user: User,
) -> Portal:
    """Create (portal_id None) or change a portal. Its hosts must be free: not a
    municipality's, not another portal's. Portal staff are public-schema accounts; an address
    without one gets an account without a password (they set it with "forgotten password" on
    the portal's host). Invalid input raises ValidationError and saves nothing."""
    portal = Portal() if portal_id is None else Portal.objects.select_for_update().get(pk=portal_id)
    subdomain = subdomain.strip().lower()
    custom_domain = custom_domain.strip().lower()
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Enter the name of the portal.")]
    try:
        validate_subdomain(subdomain)
    except ValidationError as exc:
        errors["subdomain"] = exc.messages
    if "subdomain" not in errors:
        host = portal_host(subdomain)
        taken = Domain.objects.filter(domain=host).exists() or (
            Portal.objects.filter(subdomain=subdomain).exclude(pk=portal.pk).exists()
        )
        if taken:
            errors["subdomain"] = [_("This subdomain is already taken.")]
    if custom_domain:
        try:
            validate_domain(custom_domain)
        except ValidationError as exc:
            errors["custom_domain"] = exc.messages
        if "custom_domain" not in errors and (
            custom_domain == settings.PLATFORM_DOMAIN
            or custom_domain.endswith("." + settings.PLATFORM_DOMAIN)
            or Domain.objects.filter(domain=custom_domain).exists()
            or Portal.objects.filter(custom_domain=custom_domain).exclude(pk=portal.pk).exists()
        ):
            errors["custom_domain"] = [_("This domain is already in use.")]
    try:
        HEX_COLOUR(primary_colour)
    except ValidationError as exc:
        errors["primary_colour"] = exc.messages
    member_ids = sorted(set(member_ids))
    members = list(Municipality.objects.filter(pk__in=member_ids).exclude(schema_name="public"))
    if len(members) != len(member_ids):
        errors["members"] = [_("Choose municipalities from the list.")]
    emails = sorted({e.strip().lower() for e in staff_emails if e.strip()})
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("staff_emails", []).append(
                _("“%(email)s” is not a valid e-mail address.") % {"email": email}
            )
    if errors:
        raise ValidationError(errors)
    portal.name = name.strip()
    portal.subdomain = subdomain
    portal.custom_domain = custom_domain or None
    portal.primary_colour = primary_colour
    portal.description = description.strip()
    if logo is not None:
        portal.logo = logo
    portal.save()
    portal.members.set(members)
    staff = []
    for email in emails:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # No password: they choose one through "forgotten password" on the portal.
            user = user_create(email=email, password=None)
        staff.append(user)
    portal.staff.set(staff)
    transaction.on_commit(portal_hosts_forget)
    logger.info("portal %s saved by %s", portal.subdomain, acting_user.pk)
    return portal


# --- Portal staff: news and features ----------------------------------------------------------


@transaction.atomic
def portal_news_publish(*, portal: Portal, title: str, body: str, acting_user: User) -> PortalNews:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Enter a title.")]
    if not body.strip():
        errors["body"] = [_("Enter the text.")]
    if errors:
        raise ValidationError(errors)
    return PortalNews.objects.create(
        portal=portal,
        title=title.strip()[:250],
        body=body.strip(),
        published_at=timezone.now(),
        author=acting_user,
    )


@transaction.atomic
def portal_feature_set(
    *, portal: Portal, entry_id: int, featured: bool, acting_user: User
) -> PortalFeature | None:
    """Put a consultation of a member first on the portal's home page, or take it off. An
    entry of a municipality that is not a member is refused as if it did not exist."""
    entry = (
        PublicConsultation.objects.filter(pk=entry_id, municipality__portals=portal)
        .only("municipality_id", "consultation_id")
        .first()
    )
    if entry is None:
        raise ValidationError(_("This consultation is not on the portal."), code="not_found")
    if not featured:
        PortalFeature.objects.filter(
            portal=portal,
            municipality_id=entry.municipality_id,
            consultation_id=entry.consultation_id,
        ).delete()
        return None
    feature, _created = PortalFeature.objects.get_or_create(
        portal=portal,
        municipality_id=entry.municipality_id,
        consultation_id=entry.consultation_id,
        defaults={"created_by": acting_user},
    )
    return feature


# --- Newsletter ---------------------------------------------------------------------------------

RESEND_PAUSE = timedelta(minutes=2)


def _sender(portal: Portal | None) -> str:
    name = portal.name if portal else settings.PLATFORM_NAME
    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


@transaction.atomic
def digest_subscribe(
    *,
    portal: Portal | None,
    email: str,
    frequency: str,
    municipality_ids: Iterable[int],
    categories: Iterable[str],
    consent: bool,
    member_ids: Iterable[int],
    now: datetime | None = None,
) -> DigestSubscriber:
    """Record what an address asks for and mail it a confirmation link after commit. The
    choice applies only once confirmed; the answer never tells whether the address was
    known; a second request within two minutes sends no second mail."""
    now = now or timezone.now()
    email = email.strip().lower()
    chosen = sorted(set(municipality_ids))
    categories = sorted({c.strip()[:200] for c in categories if c.strip()})[:50]
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address, e.g. jan.kowalski@example.pl.")]
    if frequency not in DigestFrequency.values:
        errors["frequency"] = [_("Choose how often.")]
    if not set(chosen) <= set(member_ids):
        errors["municipalities"] = [_("Choose municipalities from the list.")]
    if not consent:
        errors["consent"] = [
            _("To receive the digest, agree to the processing of your e-mail address.")
        ]
    if errors:
        raise ValidationError(errors)
    DigestSubscriber.objects.bulk_create(
        [
            DigestSubscriber(
                portal=portal,
                email=email,
                consented_at=now,
                unsubscribe_key=secrets.token_hex(16),
            )
        ],
        ignore_conflicts=True,
    )
    subscriber = DigestSubscriber.objects.select_for_update().get(portal=portal, email=email)
    subscriber.consented_at = now
    subscriber.pending_frequency = frequency
    subscriber.pending_municipality_ids = chosen
    subscriber.pending_categories = categories
    recently = (
        subscriber.confirmation_hash
        and subscriber.confirmation_sent_at
        and now - subscriber.confirmation_sent_at < RESEND_PAUSE
    )
    if not recently:
        token = secrets.token_urlsafe(32)
        subscriber.confirmation_hash = token_hash(token)
        subscriber.confirmation_sent_at = now
        task_queue_on_commit("portal.tasks.digest_confirmation_send", subscriber.pk, token)
    subscriber.save()
    return subscriber


def digest_confirmation_send_mail(*, subscriber: DigestSubscriber, token: str) -> None:
    """Mail the confirmation link: it opens a page with a button (opening confirms nothing)."""
    portal = subscriber.portal
    name = portal.name if portal else settings.PLATFORM_NAME
    link = portal_url(portal) + reverse(
        "portal:digest_confirm", kwargs={"token": token}, urlconf=PUBLIC_URLCONF
    )
    with translation.override(settings.LANGUAGE_CODE):
        EmailMessage(
            subject=_("%(name)s: confirm your subscription to the consultation digest")
            % {"name": name},
            body=render_to_string(
                "portal/email/confirm.txt",
                {"portal_name": name, "link": link, "days": CONFIRMATION_VALID_DAYS},
            ),
            from_email=_sender(portal),
            to=[subscriber.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send()


@transaction.atomic
def digest_confirm(*, token: str, now: datetime | None = None) -> DigestSubscriber:
    """Apply the choice the link was sent for; once, within seven days."""
    now = now or timezone.now()
    subscriber = (
        DigestSubscriber.objects.select_for_update()
        .filter(
            confirmation_hash=token_hash(token) if token else "-",
            confirmation_sent_at__gte=now - timedelta(days=CONFIRMATION_VALID_DAYS),
        )
        .first()
    )
    if subscriber is None:
        raise ValidationError(
            _("This confirmation link has expired or has already been used."), code="invalid"
        )
    subscriber.frequency = subscriber.pending_frequency or subscriber.frequency
    subscriber.municipality_ids = subscriber.pending_municipality_ids
    subscriber.categories = subscriber.pending_categories
    subscriber.pending_frequency = ""
    subscriber.pending_municipality_ids = []
    subscriber.pending_categories = []
    subscriber.confirmation_hash = ""
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.save()
    return subscriber


@transaction.atomic
def digest_unsubscribe(*, token: str) -> bool:
    """Delete the subscriber behind a genuine token with its digests (RODO: nothing kept
    once the purpose is gone). True for a genuine token, also when repeated."""
    parsed = unsubscribe_token_read(token)
    if parsed is None:
        return False
    DigestSubscriber.objects.filter(pk=parsed[0], unsubscribe_key=parsed[1]).delete()
    return True


# A run mails at most this many digests (SMTP 50–200 ms each: under a minute); the rest go
# out in the next run, an hour later at most (CELERY_BEAT_SCHEDULE).
DIGEST_BATCH = 300
DIGEST_MAX_ATTEMPTS = 5


def digests_plan(*, now: datetime | None = None) -> int:
    """Record one Digest row per confirmed subscriber for the current period of their
    frequency. INSERT … ON CONFLICT DO NOTHING on (subscriber, period): two runs at once, or
    a retried job, record it once. Returns the candidates (not all new)."""
    now = now or timezone.now()
    rows = []
    for frequency in DigestFrequency.values:
        start = digest_period_start(frequency, now)
        ids = DigestSubscriber.objects.filter(
            confirmed_at__isnull=False, frequency=frequency
        ).values_list("pk", flat=True)
        rows += [Digest(subscriber_id=pk, period_start=start) for pk in ids.iterator()]
    Digest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def digest_message(digest: Digest, *, now: datetime) -> tuple[EmailMessage | None, int]:
    """The digest mail of one subscriber (None when nothing is new or closing)."""
    subscriber = digest.subscriber
    portal = subscriber.portal
    name = portal.name if portal else settings.PLATFORM_NAME
    new, closing = digest_entries(subscriber, now=now)
    if not new and not closing:
        return None, 0
    base = portal_url(portal)
    unsubscribe_url = base + reverse(
        "portal:digest_unsubscribe",
        kwargs={"token": unsubscribe_token(subscriber)},
        urlconf=PUBLIC_URLCONF,
    )
    body = render_to_string(
        "portal/email/digest.txt",
        {
            "portal_name": name,
            "new": new,
            "closing": closing,
            "weekly": subscriber.frequency == DigestFrequency.WEEKLY,
            "unsubscribe_url": unsubscribe_url,
            "portal_link": base + "/",
        },
    )
    message = EmailMessage(
        subject=_("%(name)s: consultations – new and closing soon") % {"name": name},
        body=body,
        from_email=_sender(portal),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    return message, len(new) + len(closing)


def digests_deliver(*, now: datetime | None = None, batch_size: int = DIGEST_BATCH) -> int:
    """Send up to ``batch_size`` recorded, unsent digests; returns how many mails went out
    (each exactly once: common.outbox). A digest with nothing to tell is done too: no mail,
    and never again for this period."""
    now = now or timezone.now()

    def message_for(digest: Digest) -> EmailMessage | None:
        message, digest.items = digest_message(digest, now=now)
        return message

    return outbox_deliver(
        Digest.objects.filter(sent_at__isnull=True, attempts__lt=DIGEST_MAX_ATTEMPTS),
        batch_size=batch_size,
        related=("subscriber__portal",),
        message_for=message_for,
        extra_fields=("items",),
    )


def digests_send(*, now: datetime | None = None) -> int:
    """Plan and deliver the digests due now, in the public schema; returns mails sent."""
    connection.set_schema_to_public()
    digests_plan(now=now)
    return digests_deliver(now=now)


def digest_purge(*, now: datetime | None = None) -> int:
    """Delete subscribers never confirmed within seven days."""
    cutoff = (now or timezone.now()) - timedelta(days=CONFIRMATION_VALID_DAYS)
    deleted, _ = DigestSubscriber.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__lt=cutoff
    ).delete()
    return deleted
