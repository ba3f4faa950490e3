"""Small template helpers of the register."""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def idempotency_key() -> str:
    """A fresh key for one form on the page: sending that form twice stores it once."""
    return str(uuid.uuid4())


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, 0)


@register.simple_tag
def register_rows(
    rows: list[tuple[Any, str, str, str]],
    *,
    can_group: bool,
    remark_url: str,
    group_url: str,
    channel_labels: dict[str, str],
) -> SafeString:
    """The rows of the staff register's table. A hundred rows through the template language
    took most of the page's time (bench/remarks.py); the same markup built here, every text
    escaped, takes a fraction of it."""
    if not rows:
        return format_html('<tr><td colspan="7">{}</td></tr>', _("No remarks."))
    hidden = f' <span class="badge">{escape(_("hidden"))}</span>'
    awaiting = f' <span class="badge">{escape(_("awaiting moderation"))}</span>'
    review = f' <span class="badge">{escape(_("to review"))}</span>'
    without_defects = escape(_("without defects"))
    remark_url, group_url = escape(remark_url), escape(group_url)
    html = []
    for remark, decision, defects, pick_label in rows:
        pk = int(remark.pk)
        pick = (
            f'<td><input type="checkbox" name="remarks" value="{pk}" id="pick-{pk}" '
            f'aria-label="{escape(pick_label)}"></td>'
            if can_group
            else ""
        )
        badges = hidden if remark.visibility == "hidden" else ""
        badges = awaiting if remark.visibility == "awaiting" else badges
        badges += review if remark.needs_review else ""
        meeting = (
            f'<br><span class="meta">{escape(remark.meeting_event_label)}</span>'
            if remark.meeting_event_label
            else ""
        )
        group = (
            f'<a href="{group_url}{int(remark.group_id)}/">{escape(remark.group.title)}</a>'
            if remark.group_id
            else "–"
        )
        html.append(
            f'<tr>{pick}<th scope="row"><a href="{remark_url}{pk}/">{escape(remark.reference)}'
            f"</a>{badges}</th>"
            f"<td>{escape(channel_labels.get(remark.channel, remark.channel))}{meeting}</td>"
            f"<td>{escape(remark.document_part or '–')}</td>"
            f"<td>{escape(defects) if defects else without_defects}</td>"
            f"<td>{escape(decision)}</td><td>{group}</td></tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped
