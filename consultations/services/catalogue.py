"""The catalogue a municipality organises consultations by: departments, areas, categories."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffRole, User
from consultations.models import (
    Area,
    Category,
    Department,
)
from consultations.public_changes import public_change
from consultations.services.audit import audit_record


def _staff_with_role(user_ids: Iterable[int], role: str, field_name: str) -> list[User]:
    ids = set(user_ids)
    users = list(User.objects.filter(pk__in=ids, role=role, is_active=True))
    if len(users) != len(ids):
        raise ValidationError({field_name: [_("Choose only active staff members with this role.")]})
    return users


def _name_unique(model: type[Department | Area | Category], name: str, pk: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    same_name = model.objects.filter(name__iexact=name)
    if pk is not None:
        same_name = same_name.exclude(pk=pk)
    if same_name.exists():
        raise ValidationError({"name": [_("An entry with this name already exists.")]})
    return name


@transaction.atomic
def department_save(
    *, acting_user: User, department_id: int | None, name: str, coordinator_ids: Iterable[int]
) -> Department:
    """Create (department_id None) or change a department and the coordinators bound to it."""
    department = (
        Department()
        if department_id is None
        else Department.objects.select_for_update().get(pk=department_id)
    )
    department.name = _name_unique(Department, name, department_id)
    coordinators = _staff_with_role(coordinator_ids, StaffRole.COORDINATOR, "coordinators")
    department.save()
    department.coordinators.set(coordinators)
    audit_record(
        acting_user=acting_user,
        action="department_save",
        target=department,
        details={
            "name": department.name,
            "created": department_id is None,
            "coordinators": sorted(u.pk for u in coordinators),
        },
    )
    public_change("site")
    return department


@transaction.atomic
def departments_join(user: User, department_ids: Sequence[int]) -> None:
    """Make ``user`` a coordinator of these departments, when accepting an invitation that
    named them; a department deleted since the invitation was sent is skipped."""
    for department in Department.objects.select_for_update().filter(pk__in=department_ids):
        department.coordinators.add(user)


GEOJSON_TYPES = {"Polygon", "MultiPolygon", "Feature", "FeatureCollection"}
# A FeatureCollection of MultiPolygons is 8 levels deep (collection, features, feature,
# geometry, four levels of coordinates); properties may add a few. Deeper is not an outline,
# and thousands of levels exhaust Python's recursion limit in the parser and the encoder.
GEOJSON_MAX_DEPTH = 32


def _depth(data: object) -> int:
    """How many arrays and objects deep ``data`` goes, counted without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend((item, depth) for item in value)
    return deepest


def _too_deep() -> ValidationError:
    return ValidationError(
        {"outline": [_("The outline is nested too many levels deep to be valid GeoJSON.")]}
    )


def geojson_check(text: str) -> str:
    """Return the outline as compact GeoJSON text, or raise with a Polish message."""
    text = text.strip()
    if not text:
        return ""
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError as exc:
        raise ValidationError(
            {"outline": [_("The outline is not valid GeoJSON (JSON syntax error).")]}
        ) from exc
    if _depth(data) > GEOJSON_MAX_DEPTH:
        raise _too_deep()
    if not isinstance(data, dict) or data.get("type") not in GEOJSON_TYPES:
        raise ValidationError(
            {
                "outline": [
                    _(
                        "The outline must be a GeoJSON Polygon, MultiPolygon, "
                        "Feature or FeatureCollection."
                    )
                ]
            }
        )
    if data["type"] in {"Polygon", "MultiPolygon"} and not isinstance(
        data.get("coordinates"), list
    ):
        raise ValidationError({"outline": [_("The outline has no coordinates.")]})
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@transaction.atomic
def area_save(
    *,
    acting_user: User,
    area_id: int | None,
    name: str,
    outline: str = "",
    editor_ids: Iterable[int] = (),
) -> Area:
    """Create (area_id None) or change an area, its outline and its district editors."""
    area = Area() if area_id is None else Area.objects.select_for_update().get(pk=area_id)
    errors: dict[str, list[str]] = {}
    try:
        area.name = _name_unique(Area, name, area_id)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        area.outline = geojson_check(outline)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        editors = _staff_with_role(editor_ids, StaffRole.DISTRICT_EDITOR, "editors")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    area.save()
    area.editors.set(editors)
    audit_record(
        acting_user=acting_user,
        action="area_save",
        target=area,
        details={
            "name": area.name,
            "created": area_id is None,
            "editors": sorted(u.pk for u in editors),
        },
    )
    public_change("site")
    return area


@transaction.atomic
def category_save(*, acting_user: User, category_id: int | None, name: str) -> Category:
    """Create (category_id None) or rename a category."""
    category = (
        Category()
        if category_id is None
        else Category.objects.select_for_update().get(pk=category_id)
    )
    category.name = _name_unique(Category, name, category_id)
    category.save()
    audit_record(
        acting_user=acting_user,
        action="category_save",
        target=category,
        details={"name": category.name, "created": category_id is None},
    )
    public_change("site")
    return category
