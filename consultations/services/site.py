"""Branding of the municipality's site: colour, tagline, coat of arms."""

from __future__ import annotations

import warnings

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from consultations.branding import MIN_CONTRAST_WITH_WHITE, contrast_ratio
from consultations.models import (
    HEX_COLOUR,
    SiteSettings,
)
from consultations.public_changes import public_change
from consultations.selectors import SITE_SETTINGS_CACHE_KEY
from consultations.services.audit import audit_record

COAT_OF_ARMS_MAX_BYTES = 1024 * 1024
COAT_OF_ARMS_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# A header may declare any canvas: 100000 × 100000 pixels fit in a few hundred bytes and
# would take 30 GB to decode, here or in every resident's browser. A coat of arms needs far
# less; the size is read from the header, before anything is decoded.
COAT_OF_ARMS_MAX_SIDE = 4000


def _too_large() -> ValidationError:
    return ValidationError(
        {
            "coat_of_arms": [
                _("The image is too large: it may have at most %(side)s × %(side)s pixels.")
                % {"side": COAT_OF_ARMS_MAX_SIDE}
            ]
        }
    )


def _image_check(upload: UploadedFile) -> str:
    """Return the file extension for a real PNG/JPEG/WebP under 1 MB and at most
    COAT_OF_ARMS_MAX_SIDE pixels a side, else raise."""
    if upload.size and upload.size > COAT_OF_ARMS_MAX_BYTES:
        raise ValidationError({"coat_of_arms": [_("The image may be at most 1 MB.")]})
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; both are bombs here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if max(width, height) > COAT_OF_ARMS_MAX_SIDE:
                    raise _too_large()
                image.verify()
                image_format = image.format or ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large() from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError({"coat_of_arms": [_("Upload a PNG, JPEG or WebP image.")]}) from exc
    if image_format not in COAT_OF_ARMS_FORMATS:
        raise ValidationError({"coat_of_arms": [_("Upload a PNG, JPEG or WebP image.")]})
    upload.seek(0)
    return COAT_OF_ARMS_FORMATS[image_format]


@transaction.atomic
def site_settings_update(
    *,
    acting_user: User,
    primary_colour: str,
    tagline: str = "",
    coat_of_arms: UploadedFile | None = None,
    coat_of_arms_remove: bool = False,
) -> SiteSettings:
    """Change the municipality's branding; a colour too light for white text is refused."""
    errors: dict[str, list[str]] = {}
    try:
        HEX_COLOUR(primary_colour)
    except ValidationError as exc:
        errors["primary_colour"] = exc.messages
    else:
        if contrast_ratio(primary_colour, "#ffffff") < MIN_CONTRAST_WITH_WHITE:
            errors["primary_colour"] = [
                _(
                    "This colour is too light: white text on it would be hard to read "
                    "(contrast %(ratio)s:1, at least %(minimum)s:1 is required). "
                    "Choose a darker one."
                )
                % {
                    "ratio": number_format(contrast_ratio(primary_colour, "#ffffff"), 1),
                    "minimum": number_format(MIN_CONTRAST_WITH_WHITE, 1),
                }
            ]
    extension = ""
    if coat_of_arms is not None:
        try:
            extension = _image_check(coat_of_arms)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    row, _created = SiteSettings.objects.select_for_update().get_or_create(pk=1)
    row.primary_colour = primary_colour.lower()
    row.tagline = tagline.strip()
    if coat_of_arms_remove and row.coat_of_arms:
        row.coat_of_arms.delete(save=False)
    if coat_of_arms is not None:
        if row.coat_of_arms:
            row.coat_of_arms.delete(save=False)
        row.coat_of_arms.save(f"coat-of-arms.{extension}", coat_of_arms, save=False)
    row.save()
    audit_record(
        acting_user=acting_user,
        action="site_settings_update",
        target=row,
        details={
            "primary_colour": row.primary_colour,
            "tagline": row.tagline,
            "coat_of_arms": bool(row.coat_of_arms),
        },
    )
    transaction.on_commit(lambda: cache.delete(SITE_SETTINGS_CACHE_KEY))
    public_change("site")
    return row
