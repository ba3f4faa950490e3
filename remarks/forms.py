"""Forms of the register: they parse input; the services decide and explain in Polish."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.participation import ParticipationEvent
from remarks.models import STAFF_CHANNELS, AuthorKind, Channel, Decision, FormalIssueCode
from remarks.rules import MODERATION_CHOICES, SETTINGS_KEYS, RemarkRules
from remarks.services.settings import RemarkSettingsInput

TEXTAREA = {"rows": 5}


class _Author(forms.Form):
    author_kind = forms.ChoiceField(label=_("The remark is sent by"), widget=forms.RadioSelect)
    author_name = forms.CharField(label=_("First name and surname"), required=False, max_length=200)
    organisation_name = forms.CharField(
        label=_("Name of the organisation"),
        required=False,
        max_length=300,
        help_text=_("Only when you write on behalf of an organisation; its name is published."),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)


class _RemarkFields(_Author):
    """What every remark says, whichever way it arrived."""

    document_part = forms.CharField(
        label=_("Part of the document the remark concerns"),
        max_length=300,
        required=False,
        help_text=_("E.g. “§ 3 ust. 2” or “Appendix 1, page 4”."),
    )
    current_wording = forms.CharField(
        label=_("Current wording"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    proposed_wording = forms.CharField(
        label=_("Proposed wording"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class RemarkForm(_RemarkFields):
    """The classic Polish remark form (formularz zgłaszania uwag)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("PDF, DOCX or ODT, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt,application/pdf"}),
    )
    consent = forms.BooleanField(label=_("I have read the privacy notice."), required=False)

    field_order = [
        "idempotency_key",
        "document_part",
        "current_wording",
        "proposed_wording",
        "justification",
        "attachment",
        "author_kind",
        "author_name",
        "organisation_name",
        "address",
        "email",
        "consent",
    ]

    def __init__(
        self, *args: Any, rules: RemarkRules, email_known: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kinds = [
            (AuthorKind.PERSON, AuthorKind.PERSON.label),
            (AuthorKind.ORGANISATION, AuthorKind.ORGANISATION.label),
        ]
        if rules.anonymous_accepted:
            kinds.append((AuthorKind.ANONYMOUS, _("I prefer not to give my name")))
        cast(forms.ChoiceField, self.fields["author_kind"]).choices = kinds
        self.fields["author_kind"].initial = AuthorKind.PERSON
        self.fields["idempotency_key"].initial = uuid.uuid4()
        required = _("(required)")
        if rules.name_required:
            self.fields["author_name"].label = f"{_('First name and surname')} {required}"
        if rules.address_required:
            self.fields["address"].label = f"{_('Address')} {required}"
        if rules.sections:
            # The coordinator listed the parts of the document: the resident picks one.
            self.fields["document_part"] = forms.ChoiceField(
                label=self.fields["document_part"].label,
                required=False,
                choices=[("", _("the document as a whole")), *((p, p) for p in rules.sections)],
            )
        self.fields["proposed_wording"].label = f"{_('Proposed wording')} {required}"
        self.fields["justification"].label = f"{_('Justification')} {required}"
        if email_known:
            self.fields["email"].help_text = _(
                "Leave empty to use the address of your account; another address will be "
                "asked to confirm the remark."
            )
        else:
            self.fields["email"].label = f"{_('E-mail address')} {required}"
            self.fields["email"].help_text = _(
                "We send a link to it: the remark is registered when you confirm it."
            )


class CommentForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    unit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    justification = forms.CharField(
        label=_("Your comment"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    author_name = forms.CharField(label=_("First name and surname"), required=False, max_length=200)
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)
    consent = forms.BooleanField(label=_("I have read the privacy notice."), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4()


class RemarkEnterForm(_RemarkFields):
    """A clerk registers a remark received outside the site."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("Received"),
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(
        label=_("Date received"),
        # ISO, the only format an <input type="date"> shows (the meeting's date is filled in).
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    meeting_event = forms.TypedChoiceField(
        label=_("Meeting at which the remark was made"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Only for a remark made at a meeting (from its minutes)."),
    )
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=100)
    scan = forms.FileField(
        label=_("Scan of the original"),
        required=False,
        help_text=_("PDF, JPG or PNG, at most 20 MB. Only staff can open it."),
    )
    field_order = [
        "idempotency_key",
        "channel",
        "meeting_event",
        "received_on",
        "case_number",
        "scan",
        "document_part",
        "current_wording",
        "proposed_wording",
        "justification",
        "author_kind",
        "author_name",
        "organisation_name",
        "address",
        "email",
    ]

    def __init__(
        self, *args: Any, events: list[ParticipationEvent] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["author_kind"]).choices = AuthorKind.choices
        self.fields["author_kind"].initial = AuthorKind.PERSON
        self.fields["idempotency_key"].initial = uuid.uuid4()
        self.fields["channel"].initial = Channel.PAPER
        # The consultation's events (the participation registry), cancelled ones left out.
        cast(forms.ChoiceField, self.fields["meeting_event"]).choices = [
            ("", _("— not from a meeting —"))
        ] + [(event.id, event.label) for event in events or [] if not event.cancelled]


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class FormalIssueForm(forms.Form):
    code = forms.ChoiceField(label=_("Formal defect"), choices=FormalIssueCode.choices)
    rule = forms.CharField(
        label=_("Rule that applies"),
        max_length=500,
        required=False,
        help_text=_("E.g. “§ 2 of the council resolution: the subject of the consultation”."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason shown to the public"), max_length=300, required=False)


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this text?"), max_length=300, required=False
    )


class GroupForm(forms.Form):
    title = forms.CharField(label=_("Name of the group"), max_length=200, required=False)
    remarks = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, remark_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["remarks"]).choices = [
            (pk, pk) for pk in remark_ids
        ]


class DraftForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the draft"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Paste the text; each “§ N” and each numbered section “1.” becomes a unit "
            "residents can comment on."
        ),
    )
    file = forms.FileField(label=_("…or import a DOCX or ODT file"), required=False)


class RegisterFilterForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("all")), ("none", _("no response yet")), *Decision.choices],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("all")), *Channel.choices]
    )
    # Choices: the parts of the document the register's remarks name (set in __init__).
    section = forms.ChoiceField(label=_("Part of the document"), required=False, choices=())
    formal = forms.ChoiceField(
        label=_("Formal status"),
        required=False,
        choices=[
            ("", _("all")),
            ("ok", _("without defects")),
            ("defective", _("with defects")),
            *FormalIssueCode.choices,
        ],
    )

    def __init__(self, *args: Any, sections: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["section"]).choices = [
            ("", _("all")),
            *((part, part) for part in sections or ()),
        ]


class RemarkSettingsForm(forms.Form):
    """What a consultation's remark form (or its comments on the draft) asks and allows.

    Only the keys of the form's kind are shown (``remarks.rules.SETTINGS_KEYS``); a key a
    legal rule set locked is shown read-only with the provision that requires it."""

    name_required = forms.BooleanField(label=_("The author's name is required"), required=False)
    address_required = forms.BooleanField(
        label=_("The author's address is required"), required=False
    )
    anonymous_accepted = forms.BooleanField(
        label=_("Anonymous remarks are accepted"), required=False
    )
    moderation = forms.ChoiceField(
        label=_("Moderation of public texts"), choices=MODERATION_CHOICES, widget=forms.RadioSelect
    )
    replies_allowed = forms.BooleanField(label=_("Residents may reply to comments"), required=False)
    supports_allowed = forms.BooleanField(
        label=_("Signed-in residents may support comments"), required=False
    )
    sections = forms.CharField(
        label=_("Parts of the document to choose from"),
        required=False,
        max_length=40_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line, e.g. “§ 3 ust. 2” or “Rozdział 2”. Residents then choose the part "
            "from this list; leave empty to let them write it."
        ),
    )
    source = forms.CharField(
        label=_("Where these rules come from"),
        required=False,
        max_length=300,
        help_text=_(
            "E.g. “§ 4 ust. 2 uchwały nr XII/85/2026 Rady Gminy”. It is quoted in every formal "
            "defect found by these rules."
        ),
    )

    def __init__(
        self, *args: Any, kind: str, locked: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        keys = SETTINGS_KEYS[kind]
        for name in list(self.fields):
            if name not in keys:
                del self.fields[name]
        for name, citation in (locked or {}).items():
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Required by law: %(source)s.") % {
                    "source": citation
                }

    @staticmethod
    def initial_from(settings: dict[str, Any]) -> dict[str, Any]:
        values = RemarkRules.from_settings(settings).as_settings()
        values["sections"] = "\n".join(values["sections"])
        return values

    def to_input(self) -> RemarkSettingsInput:
        data = self.cleaned_data
        defaults = RemarkSettingsInput()
        return RemarkSettingsInput(
            **{
                name: data.get(name, getattr(defaults, name))
                for name in (
                    "name_required",
                    "address_required",
                    "anonymous_accepted",
                    "moderation",
                    "replies_allowed",
                    "supports_allowed",
                    "source",
                )
            },
            sections=(data.get("sections") or "").splitlines(),
        )
