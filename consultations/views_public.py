"""Residents' pages: no account is needed to browse, search and download."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from consultations import legal_texts, selectors
from consultations.forms import ConsultationSearchForm
from consultations.models import Document, DocumentKind, News
from consultations.page_cache import (
    consultation_cards,
    next_moment,
    page_cache_until,
    page_cached,
)


@page_cached
def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ConsultationSearchForm(request.GET or None)
    criteria = form.criteria()
    result = selectors.consultation_search(criteria)
    paginator = Paginator(result.consultations, selectors.SEARCH_PAGE_SIZE)
    paginator.count = result.total  # known from the facets: no second COUNT query
    page = paginator.get_page(request.GET.get("strona"))
    rows = list(page.object_list)
    query = request.GET.copy()
    query.pop("strona", None)
    return render(
        request,
        "consultations/resident/list.html",
        {
            "form": form,
            "result": result,
            "page": page,
            "rows": rows,
            "cards": consultation_cards(request, rows),
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "strona"),
        },
    )


@page_cached
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_public(slug=slug)
    if consultation is None:
        raise Http404
    now = timezone.now()
    entries = selectors.participation_entries(consultation, now=now)
    # A form's phase (and so its link, or its count) changes at its window's ends, unwritten.
    page_cache_until(
        request, next_moment((m for e in entries for m in (e.starts_at, e.ends_at)), now=now)
    )
    return render(
        request,
        "consultations/resident/detail.html",
        {
            "consultation": consultation,
            "participation": entries,
            "documents": selectors.consultation_documents(consultation),
        },
    )


# The type a download is served as comes from the kind found in the file's bytes on upload,
# never from the uploader's file name ("polyglot.html" would be rendered as a page).
DOCUMENT_MEDIA_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.ODT: "application/vnd.oasis.opendocument.text",
}


def document_download_name(document: Document) -> str:
    """The uploader's name with only letters, digits and hyphens kept, and the extension of
    the document's real kind: "Uchwała (projekt).html" of a PDF becomes "Uchwała-projekt.pdf".
    A later version says so ("Uchwała-projekt-wersja-2.pdf"): both can sit in one folder."""
    stem = (document.original_name or "").rsplit(".", 1)[0] or document.title
    stem = re.sub(r"[\W_]+", "-", stem).strip("-")[:100].strip("-") or "dokument"
    if document.version > 1:
        stem = f"{stem}-wersja-{document.version}"
    return f"{stem}.{document.kind}"


def document_download(request: HttpRequest, slug: str, document_id: int) -> FileResponse:
    consultation = selectors.consultation_get_public(slug=slug)
    document = consultation and consultation.documents.filter(pk=document_id).first()
    if not document:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document_download_name(document),
        content_type=DOCUMENT_MEDIA_TYPES[DocumentKind(document.kind)],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@page_cached
def news_list(request: HttpRequest) -> HttpResponse:
    page_cache_until(request, selectors.news_next_publication())
    page = Paginator(selectors.news_public(), 20).get_page(request.GET.get("strona"))
    return render(request, "consultations/resident/news_list.html", {"page": page})


@page_cached
def news_detail(request: HttpRequest, news_id: int) -> HttpResponse:
    news: News | None = selectors.news_public().filter(pk=news_id).first()
    if news is None:
        raise Http404
    return render(request, "consultations/resident/news_detail.html", {"news": news})


@page_cached
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The municipality's privacy notice (RODO art. 13–14), built from its data and what
    staff completed; a gap reads "to be completed by the office"."""
    notice = legal_texts.privacy_notice_for(
        selectors.site_settings_get(),
        request.tenant,  # type: ignore[attr-defined]
    )
    return render(request, "consultations/resident/privacy_notice.html", {"notice": notice})


@page_cached
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement in the structure of the ministry's template (art. 10 of
    the digital accessibility act)."""
    statement = legal_texts.accessibility_statement_for(
        selectors.site_settings_get(),
        request.tenant,  # type: ignore[attr-defined]
        today=timezone.localdate(),
    )
    return render(
        request, "consultations/resident/accessibility_statement.html", {"statement": statement}
    )
