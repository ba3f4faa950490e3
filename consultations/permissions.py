"""Named predicates for a municipality's staff panel. Views answer 404 when one says no."""

from __future__ import annotations

from typing import Any

from accounts.models import StaffRole
from consultations.models import Consultation, ConsultationStatus, News


def is_municipal_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in StaffRole.values)


def is_admin(user: Any) -> bool:
    return bool(is_municipal_staff(user) and user.role == StaffRole.ADMIN)


def can_manage_site_settings(user: Any) -> bool:
    """Branding and legal texts: the municipal administrator only."""
    return is_admin(user)


def can_manage_catalogue(user: Any) -> bool:
    """Departments, areas and categories: the municipal administrator only."""
    return is_admin(user)


def coordinator_department_ids(user: Any) -> frozenset[int]:
    """The departments a coordinator works for (memoised on the user for one request)."""
    if not (is_municipal_staff(user) and user.role == StaffRole.COORDINATOR):
        return frozenset()
    cached = getattr(user, "_coordinator_department_ids", None)
    if cached is None:
        cached = frozenset(user.coordinated_departments.values_list("pk", flat=True))
        user._coordinator_department_ids = cached
    return cached


def can_work_on_consultations(user: Any) -> bool:
    """Sees the consultations section of the panel: the admin, and coordinators bound to a
    department (a coordinator without one has nothing to work on yet)."""
    return is_admin(user) or bool(coordinator_department_ids(user))


def can_organise_in(user: Any, department_id: int | None) -> bool:
    """May create or move a consultation into this department."""
    if is_admin(user):
        return True
    return department_id is not None and department_id in coordinator_department_ids(user)


def can_manage_consultation(user: Any, consultation: Consultation) -> bool:
    """Sees it in the panel and moves it through its lifecycle: the admin for every one,
    a coordinator for those of their departments; moderators and district editors never."""
    if is_admin(user):
        return True
    return consultation.department_id in coordinator_department_ids(user)


def can_edit_consultation(user: Any, consultation: Consultation) -> bool:
    """Changes its content or documents. An archived consultation is a record: read-only."""
    if consultation.status == ConsultationStatus.ARCHIVED:
        return False
    return can_manage_consultation(user, consultation)


def editor_area_ids(user: Any) -> frozenset[int]:
    if not (is_municipal_staff(user) and user.role == StaffRole.DISTRICT_EDITOR):
        return frozenset()
    cached = getattr(user, "_editor_area_ids", None)
    if cached is None:
        cached = frozenset(user.edited_areas.values_list("pk", flat=True))
        user._editor_area_ids = cached
    return cached


def can_publish_news(user: Any) -> bool:
    return is_admin(user) or bool(editor_area_ids(user))


def can_publish_news_in(user: Any, area_id: int | None) -> bool:
    """The admin anywhere (also municipality-wide news); an editor only in their areas."""
    if is_admin(user):
        return True
    return area_id is not None and area_id in editor_area_ids(user)


def can_edit_news(user: Any, news: News) -> bool:
    return can_publish_news_in(user, news.area_id)
