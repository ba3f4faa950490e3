"""Files residents attach to a file question, checked as every upload of the platform is:
the kind from the file's bytes (``consultations.services.documents.upload_kind_detect``,
which also refuses DOCX/ODT "zip bombs" through ``common.safezip``), never from the name or
the browser's type; a size within the question's limit; a name that is kept only as a label
for staff (the stored file gets a random name in the private storage)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consultations.services.documents import upload_kind_detect
from surveys.models import FileKind, Question

NAME_MAX_LENGTH = 200
# Two dots as a path part, a slash or a backslash: a name that tries to leave its folder.
_TRAVERSAL = re.compile(r"(^|[\\/])\.\.([\\/]|$)|[\\/]")


def is_upload(value: Any) -> bool:
    """Whether ``value`` is an uploaded file (what Django puts in request.FILES)."""
    return hasattr(value, "read") and hasattr(value, "size") and hasattr(value, "name")


def file_name_clean(raw: str) -> str:
    """The name shown to staff: the resident's name without control characters, normalised,
    shortened. Raises ValueError for a name with a NUL or one that names a path."""
    if "\x00" in raw:
        raise ValueError(
            _(
                "The file's name contains a forbidden NUL character. Please rename the file "
                "and attach it again."
            )
        )
    if _TRAVERSAL.search(raw):
        raise ValueError(
            _(
                "The file's name may not contain a path (slashes or “..”). Please rename the "
                "file and attach it again."
            )
        )
    name = unicodedata.normalize("NFC", raw)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: NAME_MAX_LENGTH - len(extension) - 1] + dot + extension)[:NAME_MAX_LENGTH]
    return name or _("file")


def kinds_text(kinds: list[str]) -> str:
    labels = {kind.value: kind.value.upper() for kind in FileKind}
    return ", ".join(labels[k] for k in kinds if k in labels)


def answer_file_check(question: Question, upload: Any) -> tuple[str, str]:
    """(the file's checked kind, the name to show) of a file attached to ``question``, or
    ValueError with the message shown next to the question. Nothing is stored here."""
    name = file_name_clean(str(getattr(upload, "name", "") or ""))
    size = upload.size or 0
    if size == 0:
        raise ValueError(_("The attached file is empty. Please attach the file again."))
    limit = question.file_max_mb
    if size > limit * 1024 * 1024:
        raise ValueError(_("The file is too large: it may be at most %(mb)d MB.") % {"mb": limit})
    kinds = list(question.file_kinds) or [FileKind.PDF, FileKind.DOCX, FileKind.ODT]
    images = FileKind.JPG in kinds or FileKind.PNG in kinds
    try:
        kind = upload_kind_detect(upload, images=images)
    except ValidationError as exc:  # a package that would unpack to far too much
        raise ValueError(" ".join(exc.messages)) from None
    if kind is None or kind not in kinds:
        raise ValueError(
            _(
                "This file is not one of the kinds this question accepts (%(kinds)s): its "
                "content was checked, whatever its name says. Nothing has been stored."
            )
            % {"kinds": kinds_text(kinds)}
        )
    return kind, name


def download_name(answer_id: int, name: str, kind: str) -> str:
    """A safe name for a download: the response's answer number and the resident's name
    reduced to letters, digits and dashes (as documents' names are), with the checked
    kind's extension, never the one the resident typed."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[\W_]+", "-", stem).strip("-")[:60].strip("-")
    return f"odpowiedz-{answer_id}{'-' + stem if stem else ''}.{kind}"
