"""News of the municipality."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.models import (
    News,
)
from consultations.permissions import can_publish_news_in
from consultations.public_changes import public_change
from consultations.services.audit import audit_record


@transaction.atomic
def news_save(
    *,
    acting_user: User,
    news_id: int | None,
    title: str,
    body: str,
    area_id: int | None,
    published_at: datetime | None = None,
) -> News:
    """Publish (news_id None) or change a news item; an editor only for their own areas."""
    news = (
        News(author=acting_user)
        if news_id is None
        else News.objects.select_for_update().get(pk=news_id)
    )
    errors: dict[str, list[str]] = {}
    if news_id is not None and not can_publish_news_in(acting_user, news.area_id):
        raise ValidationError(_("You can only edit news of your own areas."))
    if not can_publish_news_in(acting_user, area_id):
        errors["area"] = [_("You can only publish news for the areas you are an editor of.")]
    if not title.strip():
        errors["title"] = [_("Enter a title.")]
    if not body.strip():
        errors["body"] = [_("Enter the text.")]
    if errors:
        raise ValidationError(errors)
    news.title = title.strip()
    news.body = body.strip()
    news.area_id = area_id
    news.published_at = published_at or news.published_at or timezone.now()
    news.save()
    audit_record(
        acting_user=acting_user,
        action="news_save",
        target=news,
        details={"title": news.title, "created": news_id is None, "area": area_id},
    )
    public_change("news")
    return news
