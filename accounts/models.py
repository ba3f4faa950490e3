"""People who sign in: provider staff in the public schema, staff and residents in each tenant's.

The same table exists in every schema, so an account of one municipality is unknown to another.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class StaffRole(models.TextChoices):
    """A person's role in a municipality's staff panel; empty for residents."""

    ADMIN = "admin", _("Municipal administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    MODERATOR = "moderator", _("Moderator")
    DISTRICT_EDITOR = "district_editor", _("District council editor")


# Municipality.kind of a city (tenants.models.MunicipalityKind.MIASTO; accounts sits below).
CITY_KIND = "miasto"


def staff_role_label(role: str, municipality_kind: str = "") -> str:
    """The role's name as the municipality calls it: "Administrator miasta" in a city.

    A city's wording is the catalogue's entry with the context "miasto" (a literal context,
    so that makemessages keeps it); every other kind reads "gmina"."""
    if role not in StaffRole.values:
        return ""
    if role == StaffRole.ADMIN and municipality_kind == CITY_KIND:
        return pgettext("miasto", "Municipal administrator")
    return str(StaffRole(role).label)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), unique=True)
    # In a tenant schema: the staff role; in the public schema provider staff have is_staff.
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.choices, blank=True)
    # How a resident is shown next to what they submit; empty means "Resident".
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # When the person ticked the consent to the terms on the sign-up form (RODO: provable).
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)
    # Set when the account was deleted: the row stays, emptied of every personal datum.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # django-stubs declares AbstractUser.objects as Django's username-based UserManager; ours
    # signs people in by e-mail, so its create_user takes no username.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


class Invitation(models.Model):
    """A one-time link that lets a person set a password and join a municipality's staff.

    Only the SHA-256 of the token is stored: a database dump gives no working links.
    """

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The departments a coordinator joins on accepting: ids, not a foreign key, because
    # departments belong to consultations, an app above this one (see invitation_scopes).
    department_ids = ArrayField(
        models.BigIntegerField(), verbose_name=_("departments"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One pending invitation per address: a double click on "Invite" sends one link.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    def is_usable(self, now: Any = None) -> bool:
        return self.accepted_at is None and (now or timezone.now()) < self.expires_at
