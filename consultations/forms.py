from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import connection
from django.db.models import Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.models import StaffRole, User
from common.collation import polish_order
from consultations.models import (
    AccessibilityAssessment,
    AccessibilityStatus,
    Area,
    Category,
    Consultation,
    ConsultationStatus,
    Department,
    LegalBasis,
)
from consultations.permissions import coordinator_department_ids, editor_area_ids, is_admin
from consultations.selectors import (
    SearchCriteria,
    participation_entries,
    participation_kinds_for_panel,
)
from consultations.services import ConsultationInput


class SiteSettingsForm(forms.Form):
    primary_colour = forms.CharField(
        label=_("Main colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Used for the header and buttons; white text must be readable on it."),
    )
    tagline = forms.CharField(label=_("Tagline"), max_length=200, required=False)
    coat_of_arms = forms.FileField(
        label=_("Coat of arms"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    coat_of_arms_remove = forms.BooleanField(label=_("Remove the coat of arms"), required=False)


_LEGAL_TEXTAREA = {"rows": 5, "cols": 60}


class PrivacyNoticeForm(forms.Form):
    """What staff complete of the privacy notice; empty fields keep the defaults shown."""

    controller_name = forms.CharField(
        label=_("Data controller"),
        max_length=300,
        required=False,
        help_text=_("Empty: the municipality's name, e.g. “Gmina Dębno”."),
    )
    controller_address = forms.CharField(
        label=_("Controller's postal address"), max_length=300, required=False
    )
    controller_email = forms.CharField(
        label=_("Controller's e-mail"),
        max_length=254,
        required=False,
        help_text=_("Empty: the municipality's contact e-mail."),
    )
    dpo_email = forms.CharField(
        label=_("Data protection officer's e-mail"), max_length=254, required=False
    )
    dpo_phone = forms.CharField(
        label=_("Data protection officer's phone"), max_length=50, required=False
    )
    privacy_retention = forms.CharField(
        label=_("How long data are kept"),
        required=False,
        widget=forms.Textarea(attrs=_LEGAL_TEXTAREA),
        help_text=_("Empty: the default text shown in the notice."),
    )
    privacy_recipients = forms.CharField(
        label=_("Recipients of the data"),
        required=False,
        widget=forms.Textarea(attrs=_LEGAL_TEXTAREA),
        help_text=_(
            "Empty: the provider of the platform as processor, and bodies entitled by law."
        ),
    )
    privacy_extra = forms.CharField(
        label=_("Other information"), required=False, widget=forms.Textarea(attrs=_LEGAL_TEXTAREA)
    )


class AccessibilityStatementForm(forms.Form):
    """The accessibility statement; saving it records its yearly review."""

    a11y_published_on = forms.DateField(
        label=_("Date the site was published"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: the day the site was launched."),
    )
    a11y_updated_on = forms.DateField(
        label=_("Date of the last major update"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    a11y_status = forms.ChoiceField(
        label=_("Compliance status"), choices=AccessibilityStatus.choices, widget=forms.RadioSelect
    )
    a11y_noncompliance = forms.CharField(
        label=_("Content that is not accessible, and why"),
        required=False,
        widget=forms.Textarea(attrs=_LEGAL_TEXTAREA),
        help_text=_("One item a line. Empty: the default list shown in the statement."),
    )
    a11y_exclusions = forms.CharField(
        label=_("Exclusions"), required=False, widget=forms.Textarea(attrs=_LEGAL_TEXTAREA)
    )
    a11y_assessment = forms.ChoiceField(
        label=_("How accessibility was assessed"),
        choices=AccessibilityAssessment.choices,
        widget=forms.RadioSelect,
    )
    a11y_audit_url = forms.CharField(
        label=_("Link to the audit report"), max_length=500, required=False
    )
    a11y_contact_name = forms.CharField(
        label=_("Person responsible for accessibility"), max_length=200, required=False
    )
    a11y_contact_email = forms.CharField(
        label=_("Accessibility contact e-mail"),
        max_length=254,
        required=False,
        help_text=_("Empty: the municipality's contact e-mail."),
    )
    a11y_contact_phone = forms.CharField(
        label=_("Accessibility contact phone"), max_length=50, required=False
    )
    a11y_architectural = forms.CharField(
        label=_("Architectural accessibility of the office"),
        required=False,
        widget=forms.Textarea(attrs=_LEGAL_TEXTAREA),
    )


# --- Staff panel ----------------------------------------------------------------------------


def _staff_choices(role: str) -> Any:
    return User.objects.filter(role=role, is_active=True).order_by("last_name", "email")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.email})" if full_name else obj.email


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    coordinators = StaffChoiceField(
        label=_("Coordinators"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Staff members with the coordinator role who run this department's consultations."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["coordinators"]).queryset = _staff_choices(
            StaffRole.COORDINATOR
        )


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    outline = forms.CharField(
        label=_("Outline (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Optional: a GeoJSON Polygon or MultiPolygon of the area's boundary."),
    )
    editors = StaffChoiceField(
        label=_("District council editors"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They publish news for this area."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["editors"]).queryset = _staff_choices(
            StaffRole.DISTRICT_EDITOR
        )


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"
    # The input shows minutes only, but a disabled field's value is its initial one: Django
    # drops the microseconds of an initial value unless the widget "supports" them, and the
    # stored dates (seeded ones have them) would then always look changed.
    supports_microseconds = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    summary = forms.CharField(
        label=_("Summary in plain language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences a resident understands without legal knowledge."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    department = forms.ModelChoiceField(
        label=_("Organising department"), queryset=Department.objects.none(), required=False
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.order_by(polish_order("name")),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.order_by(polish_order("name")),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_groups = forms.CharField(
        label=_("Target groups"),
        max_length=500,
        required=False,
        help_text=_("Separate with commas, e.g. seniors, parents, entrepreneurs."),
    )
    # Choices: the registered kinds offered for this consultation (set in __init__).
    participation_forms = forms.MultipleChoiceField(
        label=_("Forms of participation"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(
        label=_("Start"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT],
    )
    ends_at = forms.DateTimeField(
        label=_("End"), required=False, widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)

    def __init__(
        self, *args: Any, user: Any, consultation: Consultation | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)

        field = cast(forms.MultipleChoiceField, self.fields["participation_forms"])
        field.choices = [
            (kind.name, kind.label) for kind in participation_kinds_for_panel(consultation)
        ]
        if consultation is not None:
            unavailable = [
                str(entry.label)
                for entry in participation_entries(consultation, include_unavailable=True)
                if entry.kind is None
            ]
            if unavailable:
                field.help_text = _(
                    "Also in use, not available yet (kept as they are): %(kinds)s."
                ) % {"kinds": ", ".join(unavailable)}

        departments = Department.objects.order_by(polish_order("name"))
        if not is_admin(user):
            departments = departments.filter(pk__in=coordinator_department_ids(user))
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = departments

    def to_input(self) -> Any:
        data = self.cleaned_data
        return ConsultationInput(
            title=data["title"],
            summary=data["summary"],
            description=data["description"],
            legal_basis=data["legal_basis"],
            department_id=data["department"].pk if data["department"] else None,
            area_ids=[area.pk for area in data["areas"]],
            category_ids=[category.pk for category in data["categories"]],
            target_groups=data["target_groups"],
            participation_forms=list(data["participation_forms"]),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
        )

    @staticmethod
    def initial_from(consultation: Consultation) -> dict[str, Any]:
        return {
            "title": consultation.title,
            "summary": consultation.summary,
            "description": consultation.description,
            "legal_basis": consultation.legal_basis,
            "department": consultation.department_id,
            "areas": list(consultation.areas.all()),
            "categories": list(consultation.categories.all()),
            "target_groups": consultation.target_groups,
            "participation_forms": list(
                consultation.participation_forms.values_list("kind", flat=True)
            ),
            "starts_at": consultation.starts_at,
            "ends_at": consultation.ends_at,
            "contact_name": consultation.contact_name,
            "contact_email": consultation.contact_email,
            "contact_phone": consultation.contact_phone,
        }


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=250, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX or ODT, at most 20 MB."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.docx,.odt,application/pdf,application/vnd.oasis.opendocument.text"
            }
        ),
    )


class DocumentRevisionForm(forms.Form):
    """A corrected version of a document: the file, and what changed (residents read it)."""

    file = forms.FileField(
        label=_("Corrected file"),
        help_text=_("PDF, DOCX or ODT, at most 20 MB."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.docx,.odt,application/pdf,application/vnd.oasis.opendocument.text"
            }
        ),
    )
    change_note = forms.CharField(
        label=_("What has changed"),
        max_length=2000,
        # Checked by the service, whose message says why a note is needed.
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to residents next to the new version."),
    )
    title = forms.CharField(
        label=_("Document title"),
        max_length=250,
        required=False,
        help_text=_("Leave empty to keep the current title."),
    )


class ReportForm(forms.Form):
    report_text = forms.CharField(
        label=_("Results and report"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What residents said and what the municipality decided."),
    )


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("The whole municipality"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        if getattr(getattr(connection, "tenant", None), "kind", "") == "miasto":
            cast(forms.ModelChoiceField, self.fields["area"]).empty_label = pgettext(
                "miasto", "The whole municipality"
            )
        areas = Area.objects.order_by(polish_order("name"))
        area_field = cast(forms.ModelChoiceField, self.fields["area"])
        if not is_admin(user):
            areas = areas.filter(pk__in=editor_area_ids(user))
            self.fields["area"].required = True
            area_field.empty_label = None
        area_field.queryset = areas


# --- Residents' search ----------------------------------------------------------------------


class ConsultationSearchForm(forms.Form):
    """Read from GET: the URL of a search is shareable. Unknown values are ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(required=False, choices=ConsultationStatus.choices)
    area = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    category = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    department = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    legal_basis = forms.MultipleChoiceField(required=False, choices=LegalBasis.choices)
    date_from = forms.DateField(
        label=_("Running from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Running until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The ids a resident may pick, in one query rather than one per model.
        models: dict[str, type[Area] | type[Category] | type[Department]] = {
            "area": Area,
            "category": Category,
            "department": Department,
        }
        parts = [
            model.objects.order_by().annotate(facet=Value(name)).values_list("facet", "pk")
            for name, model in models.items()
        ]
        choices: dict[str, list[tuple[int, int]]] = {name: [] for name in models}
        for name, pk in parts[0].union(*parts[1:], all=True):
            choices[name].append((pk, pk))
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = values

    def criteria(self) -> Any:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return SearchCriteria(
            text=data.get("q") or "",
            statuses=tuple(data.get("status") or ()),
            area_ids=tuple(data.get("area") or ()),
            category_ids=tuple(data.get("category") or ()),
            department_ids=tuple(data.get("department") or ()),
            legal_bases=tuple(data.get("legal_basis") or ()),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
