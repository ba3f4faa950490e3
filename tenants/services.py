"""Writes about municipalities: onboarding, provisioning their schema, and their status."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from accounts.models import Invitation, StaffRole, User
from accounts.services import invitation_create, invitation_resend
from common.db import connection
from common.queue import task_queue_on_commit
from tenants.cloning import schema_clone, spare_take
from tenants.hosts import host_is_public
from tenants.models import Domain, Municipality, MunicipalityEvent, MunicipalityStatus
from tenants.status_listeners import municipality_changed
from tenants.validators import (
    nip_normalize,
    validate_domain,
    validate_nip,
    validate_subdomain,
    validate_teryt,
)

logger = logging.getLogger("konsulta.tenants")

# What provider staff may do from each status; anything else is refused with a message and
# changes nothing. Provisioning → active/failed is the provisioning task's alone.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    MunicipalityStatus.PROVISIONING: set(),
    MunicipalityStatus.FAILED: {MunicipalityStatus.PROVISIONING},
    MunicipalityStatus.ACTIVE: {MunicipalityStatus.SUSPENDED, MunicipalityStatus.ARCHIVED},
    MunicipalityStatus.SUSPENDED: {MunicipalityStatus.ACTIVE, MunicipalityStatus.ARCHIVED},
    MunicipalityStatus.ARCHIVED: {MunicipalityStatus.ACTIVE},
}


def schema_name_for(subdomain: str) -> str:
    """PostgreSQL schema names cannot hold hyphens; a prefix keeps them clear of ours."""
    return "m_" + subdomain.replace("-", "_")


def subdomain_host(subdomain: str) -> str:
    return f"{subdomain}.{settings.PLATFORM_DOMAIN}"


def _event(
    municipality: Municipality, action: str, acting_user: User | None, note: str = ""
) -> None:
    MunicipalityEvent.objects.create(
        municipality=municipality, action=action, acting_user=acting_user, note=note[:500]
    )


REGISTRATION_LOCK_KEY = zlib.crc32(b"konsulta-municipality-registration")


@transaction.atomic
def municipality_create(
    *,
    name: str,
    kind: str,
    teryt: str,
    nip: str,
    contact_email: str,
    subdomain: str,
    admin_email: str,
    custom_domain: str = "",
    acting_user: User | None,
    provision_async: bool = True,
) -> Municipality:
    """Register a municipality and queue the creation of its schema.

    The municipality shows as "provisioning" until the task has cloned the template schema
    and invited its first administrator. Invalid data raises ValidationError, nothing saved.
    """
    subdomain = subdomain.strip().lower()
    custom_domain = custom_domain.strip().lower()
    nip = nip_normalize(nip) if nip else ""
    errors: dict[str, list[str]] = {}
    # One registration at a time, until this transaction ends: two provider staff entering
    # the same municipality at once both passed the "already taken" checks below, and the
    # second died on a unique index (a 500). Registrations are rare; waiting is harmless.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REGISTRATION_LOCK_KEY])

    def check(field: str, validator: object, *args: object) -> None:
        try:
            validator(*args)  # type: ignore[operator]
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)

    if not name.strip():
        errors["name"] = [_("Enter the name of the municipality.")]
    check("teryt", validate_teryt, teryt, kind)
    if nip:
        check("nip", validate_nip, nip)
        if "nip" not in errors and Municipality.objects.filter(nip=nip).exists():
            errors["nip"] = [_("A municipality with this NIP already exists.")]
    elif kind != "zwiazek":
        errors["nip"] = [_("Enter the NIP of the municipality; it is needed on invoices.")]
    check("subdomain", validate_subdomain, subdomain)
    if "subdomain" not in errors and (
        host_is_public(subdomain_host(subdomain))
        or Domain.objects.filter(domain=subdomain_host(subdomain)).exists()
        or Municipality.objects.filter(schema_name=schema_name_for(subdomain)).exists()
    ):
        errors["subdomain"] = [_("This subdomain is already taken.")]
    if custom_domain:
        check("custom_domain", validate_domain, custom_domain)
        if custom_domain.endswith("." + settings.PLATFORM_DOMAIN):
            errors.setdefault("custom_domain", []).append(
                _("A custom domain must be outside the platform's own domain.")
            )
        elif host_is_public(custom_domain) or Domain.objects.filter(domain=custom_domain).exists():
            errors.setdefault("custom_domain", []).append(_("This domain is already in use."))
    if not admin_email:
        errors["admin_email"] = [_("Enter the e-mail address of the first administrator.")]
    if errors:
        raise ValidationError(errors)

    municipality = Municipality.objects.create(
        name=name.strip(),
        kind=kind,
        teryt=teryt,
        nip=nip or None,
        contact_email=contact_email,
        first_admin_email=admin_email.strip().lower(),
        schema_name=schema_name_for(subdomain),
        status=MunicipalityStatus.PROVISIONING,
    )
    Domain.objects.create(domain=subdomain_host(subdomain), tenant=municipality, is_primary=True)
    if custom_domain:
        Domain.objects.create(domain=custom_domain, tenant=municipality, is_primary=False)
    _event(municipality, MunicipalityEvent.Action.CREATED, acting_user)
    if provision_async:
        task_queue_on_commit("tenants.tasks.municipality_provision_task", municipality.pk)
    return municipality


@contextmanager
def _provisioning_lock(municipality_id: int) -> Iterator[None]:
    """One provisioning at a time per municipality, across workers and the beat's retries."""
    key = zlib.crc32(f"konsulta-provision-{municipality_id}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def municipality_provision(*, municipality_id: int) -> Municipality:
    """Create the municipality's schema by cloning the template, then invite its first admin.

    Idempotent: a second call for a municipality that is ready changes nothing, and a call
    after a crash picks up where the first stopped. On error the status becomes "failed" with
    the reason, for the provider to retry.
    """
    connection.set_schema_to_public()
    with _provisioning_lock(municipality_id):
        municipality = Municipality.objects.get(pk=municipality_id)
        if municipality.status != MunicipalityStatus.PROVISIONING:
            return municipality
        try:
            if not schema_exists(settings.TENANT_BASE_SCHEMA):
                raise RuntimeError(
                    f"template schema {settings.TENANT_BASE_SCHEMA} is missing: "
                    "run `manage.py schemas_migrate`"
                )
            if not schema_exists(municipality.schema_name):
                template, target = settings.TENANT_BASE_SCHEMA, municipality.schema_name
                if spare_take(source=template, target=target):
                    task_queue_on_commit("tenants.tasks.spares_replenish_task")
                else:
                    schema_clone(source=template, target=target)
            with schema_context(municipality.schema_name), transaction.atomic():
                _first_admin_invite(municipality)
        except Exception as exc:
            logger.exception("provisioning of %s failed", municipality.schema_name)
            connection.set_schema_to_public()
            with transaction.atomic():
                municipality.status = MunicipalityStatus.FAILED
                municipality.provisioning_error = f"{type(exc).__name__}: {exc}"
                municipality.save(update_fields=["status", "provisioning_error"])
                _event(municipality, MunicipalityEvent.Action.PROVISIONING_FAILED, None, str(exc))
            return municipality
        connection.set_schema_to_public()
        with transaction.atomic():
            municipality.status = MunicipalityStatus.ACTIVE
            municipality.provisioning_error = ""
            municipality.ready_at = timezone.now()
            municipality.save(update_fields=["status", "provisioning_error", "ready_at"])
            _event(municipality, MunicipalityEvent.Action.PROVISIONED, None)
            municipality_changed(municipality)
    return municipality


def _first_admin_invite(municipality: Municipality) -> None:
    email = municipality.first_admin_email
    if not email or Invitation.objects.filter(email=email).exists():
        return  # already invited by an earlier, interrupted run
    if User.objects.filter(email=email, role=StaffRole.ADMIN).exists():
        return
    invitation_create(email=email, role=StaffRole.ADMIN)
    with schema_context("public"):
        _event(municipality, MunicipalityEvent.Action.INVITED, None, email)


@transaction.atomic
def municipality_status_change(
    *, municipality: Municipality, status: str, acting_user: User, reason: str = ""
) -> Municipality:
    """Suspend, reactivate or archive a municipality; its data is never touched.

    An illegal move (e.g. suspending one still provisioning) raises ValidationError.
    """
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    allowed = STATUS_TRANSITIONS.get(locked.status, set())
    if status not in allowed:
        raise ValidationError(
            _("A municipality that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": MunicipalityStatus(locked.status).label,
                "target": MunicipalityStatus(status).label,
            },
            code="illegal_transition",
        )
    action = {
        MunicipalityStatus.SUSPENDED: MunicipalityEvent.Action.SUSPENDED,
        MunicipalityStatus.ACTIVE: MunicipalityEvent.Action.REACTIVATED,
        MunicipalityStatus.ARCHIVED: MunicipalityEvent.Action.ARCHIVED,
        MunicipalityStatus.PROVISIONING: MunicipalityEvent.Action.PROVISIONING_RETRIED,
    }[MunicipalityStatus(status)]
    locked.status = status
    locked.status_reason = reason.strip()[:500]
    locked.save(update_fields=["status", "status_reason"])
    _event(locked, action, acting_user, reason)
    municipality_changed(locked)
    if status == MunicipalityStatus.PROVISIONING:
        task_queue_on_commit("tenants.tasks.municipality_provision_task", locked.pk)
    return locked


@transaction.atomic
def municipality_update(
    *,
    municipality: Municipality,
    name: str,
    kind: str,
    teryt: str,
    nip: str,
    contact_email: str,
    acting_user: User,
) -> Municipality:
    """Correct a municipality's details (name, kind, TERYT, NIP, contact e-mail).

    Its addresses and schema never change here. Invalid data raises ValidationError and
    nothing is saved; what changed is written to the provider's log."""
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    nip = nip_normalize(nip) if nip else ""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Enter the name of the municipality.")]
    try:
        validate_teryt(teryt, kind)
    except ValidationError as exc:
        errors["teryt"] = exc.messages
    if nip:
        try:
            validate_nip(nip)
        except ValidationError as exc:
            errors["nip"] = exc.messages
        if "nip" not in errors and (
            Municipality.objects.filter(nip=nip).exclude(pk=locked.pk).exists()
        ):
            errors["nip"] = [_("A municipality with this NIP already exists.")]
    elif kind != "zwiazek":
        errors["nip"] = [_("Enter the NIP of the municipality; it is needed on invoices.")]
    if errors:
        raise ValidationError(errors)
    new = {
        "name": name.strip(),
        "kind": kind,
        "teryt": teryt,
        "nip": nip or None,
        "contact_email": contact_email.strip(),
    }
    changed = [field for field, value in new.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    for field in changed:
        setattr(locked, field, new[field])
    locked.save(update_fields=changed)
    _event(locked, MunicipalityEvent.Action.UPDATED, acting_user, ", ".join(changed))
    municipality_changed(locked)
    return locked


@transaction.atomic
def municipality_admin_invitation_resend(*, municipality: Municipality, acting_user: User) -> str:
    """Send the first administrator's invitation again with a fresh link (the old link stops
    working); a new one when the pending invitation was removed. Returns the address.

    Refused with a message before the site exists and once the administrator has joined."""
    email = municipality.first_admin_email
    if not municipality.is_ready or not email:
        raise ValidationError(
            _("The site is not ready yet: the invitation is sent when it is."), code="not_ready"
        )
    with schema_context(municipality.schema_name):
        if User.objects.filter(email__iexact=email, role=StaffRole.ADMIN).exists():
            raise ValidationError(
                _("%(email)s has already joined; there is no invitation to resend.")
                % {"email": email},
                code="joined",
            )
        pending = Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).first()
        if pending is not None:
            invitation_resend(invitation_id=pending.pk, acting_user=None)
        else:
            invitation_create(email=email, role=StaffRole.ADMIN)
    _event(municipality, MunicipalityEvent.Action.INVITATION_RESENT, acting_user, email)
    return email


def municipality_page_version_bump(*, schema_name: str) -> None:
    """Move the municipality's page version on, inside the caller's transaction.

    One UPDATE of its row: the new value becomes visible with the caller's commit, together
    with the change it stands for, and concurrent changes queue on the row's lock, so none is
    lost. The page cache reads the version with the municipality on every request
    (consultations/page_cache.py)."""
    Municipality.objects.filter(schema_name=schema_name).update(page_version=F("page_version") + 1)
