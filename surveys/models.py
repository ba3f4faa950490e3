"""Surveys (ankiety) and polls (sondaże) of a consultation. Every table lives in the
municipality's schema.

A survey's content (sections, questions, choices) belongs to a :class:`SurveyVersion`.
Once a version has a response it is frozen: the builder's next change copies it into a new
version, and each response says which version it answered. Questions and choices keep a
stable ``key`` from version to version, so display conditions (which name questions and
choices by key) survive the copy unchanged, and results of two versions can be put side by
side.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from common.private_files import private_storage
from consultations.models import Consultation


def key_make() -> str:
    return secrets.token_hex(6)


def answer_file_path(instance: Answer, filename: str) -> str:
    # Under PRIVATE_MEDIA_ROOT/<schema_name>/; a random name, never the resident's.
    return f"surveys/{instance.question_id}/{uuid.uuid4().hex}.{instance.file_kind}"


class SurveyKind(models.TextChoices):
    SURVEY = "survey", _("Online survey")
    POLL = "poll", _("Poll")


class Audience(models.TextChoices):
    """Who may answer. Neither mode depends on age or on being a registered voter."""

    ANYONE = "anyone", _("Anyone, anonymously")
    VERIFIED = "verified", _("Residents with a verified e-mail address (one response each)")
    INVITED = "invited", _("Only invited e-mail addresses, through one-time links")


class Survey(models.Model):
    """The survey or the poll of one consultation (one of each kind at most)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    title = models.CharField(_("title"), max_length=250)
    intro = models.TextField(_("introduction"), blank=True)
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=Audience.choices, default=Audience.ANYONE
    )
    one_per_browser = models.BooleanField(
        _("one response per browser"),
        default=False,
        help_text=_("For anonymous surveys: a browser that has answered cannot answer again."),
    )
    results_public_early = models.BooleanField(
        _("results visible to residents before the consultation closes"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "kind"], name="survey_kind_once")
        ]

    def __str__(self) -> str:
        return self.title


class SurveyVersion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.number}"


class Section(models.Model):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=16, default=key_make)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("section title"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    # A list of conditions (see surveys.conditions); all must hold for the section to show.
    conditions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title or self.key


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    SCALE = "scale", _("Scale")
    RANKING = "ranking", _("Ranking")
    MATRIX = "matrix", _("Matrix (rows × scale)")
    DATE = "date", _("Date")
    AREA = "area", _("An area of the municipality (map or list)")
    POINT = "point", _("A point on the map (with the area from a list)")
    FILE = "file", _("A file (attached by the resident)")


CHOICE_TYPES = frozenset(
    {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RANKING, QuestionType.MATRIX}
)
# Map questions: their choices are the municipality's areas, copied with their outlines
# when the question is saved (so a version keeps the map it was answered on).
MAP_TYPES = frozenset({QuestionType.AREA, QuestionType.POINT})


class FileKind(models.TextChoices):
    """What a file question may take, recognised by the file's bytes as the platform's other
    uploads are (consultations.services.documents.upload_kind_detect)."""

    PDF = "pdf", "PDF"
    DOCX = "docx", _("DOCX (Word)")
    ODT = "odt", _("ODT (OpenDocument)")
    JPG = "jpg", _("JPG (photo)")
    PNG = "png", _("PNG (image)")


FILE_KINDS_DEFAULT = [FileKind.PDF, FileKind.DOCX, FileKind.ODT]
# The platform's limit for a resident's file (as a scan of a remark); a question may set less.
FILE_MAX_MB_LIMIT = 20
FILE_MAX_MB_DEFAULT = 10


class Question(models.Model):
    """One question. ``min_value``/``max_value`` mean: the range of a number; the least and
    most choices of a multiple choice; the top of a scale (its bottom is 1) and of a matrix's
    scale in ``max_value``; the largest file in MB of a file question in ``max_value``, whose
    accepted kinds (:class:`FileKind` values) are ``file_kinds``."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=16, default=key_make)
    position = models.PositiveIntegerField(default=0)
    type = models.CharField(_("type"), max_length=12, choices=QuestionType.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    min_label = models.CharField(_("label of the lowest value"), max_length=100, blank=True)
    max_label = models.CharField(_("label of the highest value"), max_length=100, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    file_kinds = models.JSONField(_("accepted kinds of file"), default=list, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def file_max_mb(self) -> int:
        return self.max_value or FILE_MAX_MB_DEFAULT

    @property
    def file_kind_labels(self) -> list[str]:
        labels = dict(FileKind.choices)
        return [str(labels[k]).split(" ")[0] for k in self.file_kinds if k in labels]


class Choice(models.Model):
    """An option of a choice or ranking question, a row of a matrix, or an area of a map
    question (with its GeoJSON ``outline``). ``is_other`` is the "other, please specify"
    option: choosing it asks for a text."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.CharField(max_length=16, default=key_make)
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("text"), max_length=300)
    is_other = models.BooleanField(default=False)
    outline = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """An invited e-mail address of a survey for invited addresses only (e.g. the NGOs of the
    cooperation programme). The mail carries a one-time link; only the token's SHA-256 is
    stored, so a leaked table opens no survey. The link is used once: a response points to
    its invitation through a unique column (:attr:`Response.invitation`), so two submits
    through one link store one response however they race."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "survey", name="survey_invitation_email_once")
        ]

    def __str__(self) -> str:
        return self.email


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("paper")


class Response(models.Model):
    """One person's answers, stored whole or not at all.

    ``idempotency_key`` comes from the form the person was shown: a retried or double-clicked
    submit carries the same key and the unique constraint keeps the response single."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    idempotency_key = models.UUIDField(unique=True)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set only when the survey allows one response per browser.
    browser_token = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A response through a one-time link: unique, so one link stores one response.
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="survey_response_once_per_resident",
            ),
            models.UniqueConstraint(
                fields=["survey", "browser_token"],
                condition=~models.Q(browser_token=""),
                name="survey_response_once_per_browser",
            ),
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    """One datum of a response: a chosen option (with its "other" text), a text, a number,
    a scale value, a rank (``choice`` + ``number``), a matrix cell (``choice`` is the row,
    ``number`` the value), a date, an area (``choice``) or a point (``choice`` is the area
    it lies in, ``text`` its "latitude,longitude"), or a file (``file`` in the municipality's
    private storage, never under /media/; ``file_kind`` its checked kind; ``text`` the name
    the resident's file had, for staff). Typed columns let results be counted in SQL."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=answer_file_path, max_length=250, blank=True
    )
    file_kind = models.CharField(max_length=8, blank=True)

    class Meta:
        # With ``id`` last, a question's newest free-text answers are read straight from
        # the index (results show the newest ones), not sorted from all of them.
        indexes = [
            models.Index(fields=["question", "choice", "id"], name="survey_answer_question_id")
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"


# Shards of each running count: a submit adds to the rows of one shard (its response id modulo
# TALLY_SHARDS), so concurrent submits seldom wait for each other's row locks on the same
# count; results add the shards up.
TALLY_SHARDS = 8


class ResultTally(models.Model):
    """Running counts behind a version's results, kept in the submit's transaction (see
    ``surveys.services.tallies``), so results read a few thousand rows instead of every
    answer. A row counts, of one version:

    - ``question`` empty: responses;
    - ``question`` alone: responses that answered the question;
    - with ``choice``, ``number`` or ``date``: answer rows with exactly these values (a
      chosen option, a scale value or number, a rank or matrix cell, a date).

    Counts only go up and down by whole responses, so a verified resident's edited response
    moves them both ways and they stay exact."""

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    shard = models.PositiveSmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "question", "choice", "number", "date", "shard"],
                nulls_distinct=False,
                name="survey_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"tally {self.version_id}/{self.question_id}/{self.choice_id}: {self.n}"


class SurveyDraft(models.Model):
    """A resident's unsent answers to a long survey, kept so they can come back (the
    "Zapisz i dokończ później" button). ``data`` holds the form's raw values as typed
    (field name → list of values, only the survey's own fields, size-capped), never a file.

    Exactly one owner: the signed-in ``account``; else, for a one-time invitation link, the
    ``invitation`` (the draft belongs to the link, not to a browser); else ``browser_key``,
    the SHA-256 of a random token kept in an HttpOnly cookie of the consultation's path (a
    leaked table names no cookie). One draft per owner and survey: saving again updates it.
    Drafts are personal data (surveys.personal_data) and are purged once the consultation
    has closed and a grace period has passed (surveys.services.drafts.survey_drafts_purge)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    browser_key = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "account"],
                condition=models.Q(account__isnull=False),
                name="survey_draft_once_per_account",
            ),
            models.UniqueConstraint(
                fields=["survey", "invitation"],
                condition=models.Q(invitation__isnull=False),
                name="survey_draft_once_per_invitation",
            ),
            models.UniqueConstraint(
                fields=["survey", "browser_key"],
                condition=~models.Q(browser_key=""),
                name="survey_draft_once_per_browser",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(account__isnull=False, invitation__isnull=True, browser_key="")
                    | models.Q(account__isnull=True, invitation__isnull=False, browser_key="")
                    | (
                        models.Q(account__isnull=True, invitation__isnull=True)
                        & ~models.Q(browser_key="")
                    )
                ),
                name="survey_draft_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk}"
