"""Residents' pages: no account is needed to browse, search and download."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from consultations import selectors
from consultations.forms import ConsultationSearchForm
from consultations.models import News


def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ConsultationSearchForm(request.GET or None)
    criteria = form.criteria()
    result = selectors.consultation_search(criteria)
    paginator = Paginator(result.consultations, selectors.SEARCH_PAGE_SIZE)
    paginator.count = result.total  # known from the facets: no second COUNT query
    page = paginator.get_page(request.GET.get("strona"))
    query = request.GET.copy()
    query.pop("strona", None)
    return render(
        request,
        "consultations/resident/list.html",
        {
            "form": form,
            "result": result,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "strona"),
        },
    )


def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_public(slug=slug)
    if consultation is None:
        raise Http404
    return render(request, "consultations/resident/detail.html", {"consultation": consultation})


def document_download(request: HttpRequest, slug: str, document_id: int) -> FileResponse:
    consultation = selectors.consultation_get_public(slug=slug)
    document = consultation and consultation.documents.filter(pk=document_id).first()
    if not document:
        raise Http404
    extension = document.kind
    name = document.original_name or f"{document.title}.{extension}"
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=name)


def news_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.news_public(), 20).get_page(request.GET.get("strona"))
    return render(request, "consultations/resident/news_list.html", {"page": page})


def news_detail(request: HttpRequest, news_id: int) -> HttpResponse:
    news: News | None = selectors.news_public().filter(pk=news_id).first()
    if news is None:
        raise Http404
    return render(request, "consultations/resident/news_detail.html", {"news": news})
