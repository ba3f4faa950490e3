"""Portal pages and search: members only, facets as an intersection with counts, hostile
input answered with a page and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.index import index_rows_put
from portal.models import Portal, PublicConsultation
from portal.selectors import portal_hosts_forget

NOW = timezone.now()


def entry(municipality_id, n, **fields):
    values = {
        "municipality_id": municipality_id,
        "consultation_id": n,
        "slug": f"k-{n}",
        "title": f"Konsultacja {n}",
        "summary": "",
        "status": "open",
        "legal_basis": "art5a",
        "municipality_kind": "gmina",
        "starts_at": NOW - timedelta(days=1),
        "ends_at": NOW + timedelta(days=20),
        "published_at": NOW - timedelta(days=2),
        "areas": [],
        "categories": [],
        "forms": ["remarks"],
        "url": f"http://x.localhost:8000/konsultacje/k-{n}/",
    }
    values.update(fields)
    values["search_text"] = "\n".join([values["title"], values["summary"], *values["categories"]])
    index_rows_put([PublicConsultation(**values)])
    return PublicConsultation.objects.get(municipality_id=municipality_id, consultation_id=n)


@pytest.fixture
def metro(tenant_a, tenant_b):
    """A portal with A as its only member; B is outside it. Index rows written directly:
    these tests are about reading (the writing is tests/portal/test_index.py's)."""
    portal = Portal.objects.create(name="Metropolia Testowa", subdomain="metropolia-test")
    portal.members.set([tenant_a.pk])
    portal_hosts_forget()
    yield portal
    portal_hosts_forget()


@pytest.fixture
def rows(metro, tenant_a, tenant_b):
    a, b = tenant_a.pk, tenant_b.pk
    return {
        "park_open": entry(
            a, 1, title="Nowy park na Łazarzu", categories=["Zieleń"], forms=["remarks", "survey"]
        ),
        "park_closed": entry(
            a,
            2,
            title="Park nad Wartą",
            status="closed",
            categories=["Zieleń"],
            starts_at=NOW - timedelta(days=40),
            ends_at=NOW - timedelta(days=10),
        ),
        "road_open": entry(a, 3, title="Ścieżka rowerowa", categories=["Transport"]),
        "park_outside": entry(b, 4, title="Park miejski w B", categories=["Zieleń"]),
    }


def get(host, path="/konsultacje/", **params):
    return Client(HTTP_HOST=host).get(path, params)


@pytest.mark.django_db
def test_a_portal_host_is_served_by_the_public_urlconf_and_shows_only_its_members(rows, tenant_b):
    response = get("metropolia-test.localhost")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nowy park na Łazarzu" in html
    assert "Park miejski w B" not in html
    # the apex is the national portal: every municipality
    national = get("localhost").content.decode()
    assert "Park miejski w B" in national and "Nowy park na Łazarzu" in national


@pytest.mark.django_db
def test_facets_intersect_and_count_on_the_result(rows, tenant_a):
    # when a resident asks for open consultations about greenery with the word "park"
    response = get("metropolia-test.localhost", q="park", status="open", kategoria="Zieleń")
    result = response.context["result"]
    # then only the one row meeting all three remains
    assert [e.consultation_id for e in result.entries] == [1]
    assert result.total == 1
    counts = {f.value: f.count for f in result.facets["status"]}
    assert counts == {"scheduled": 0, "open": 1, "closed": 0, "report_published": 0}
    forms = {f.value: f.count for f in result.facets["form"]}
    assert forms["survey"] == 1 and forms["remarks"] == 1
    # with the text alone, both parks of A, with counts by status on that result
    result = get("metropolia-test.localhost", q="PARK").context["result"]
    assert sorted(e.consultation_id for e in result.entries) == [1, 2]
    assert {f.value: f.count for f in result.facets["status"]}["closed"] == 1
    assert {f.value: f.count for f in result.facets["category"]} == {"Zieleń": 2}


@pytest.mark.django_db
def test_text_search_ignores_case_and_polish_diacritics(rows):
    for text in ("łazarzu", "LAZARZU", "sciezka", "Ścieżka"):
        result = get("metropolia-test.localhost", q=text).context["result"]
        assert result.total == 1, text


@pytest.mark.django_db
def test_the_result_links_to_the_consultation_on_the_municipalitys_site(rows):
    html = get("metropolia-test.localhost", q="Łazarzu").content.decode()
    assert 'href="http://x.localhost:8000/konsultacje/k-1/"' in html


HOSTILE = {
    "another portal's municipality": {"gmina": ["{b}"]},
    "unknown facet values": {
        "status": ["draft", "archived"],
        "typ": ["xyz"],
        "forma": ["<script>"],
    },
    "unknown keys": {"foo": ["1"], "gmina": ["abc", "-1", "9" * 40]},
    "10,000 terms": {"q": [" ".join(f"slowo{i}" for i in range(10_000))]},
    "page 10^9": {"strona": ["1000000000"]},
    "page nonsense": {"strona": ["-5", "1e9"]},
    "bad dates": {"od": ["2026-13-45"], "do": ["jutro"]},
    "many values": {"kategoria": [f"k{i}" for i in range(5000)], "rok": ["1900", "2026"] * 500},
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_input_gets_a_page_and_a_constant_number_of_queries(case, rows, tenant_b):
    params = {k: [v.format(b=tenant_b.pk) for v in vs] for k, vs in HOSTILE[case].items()}
    # given the number of queries of a plain search
    with CaptureQueriesContext(connection) as plain:
        assert get("metropolia-test.localhost", q="park").status_code == 200
    # when the hostile input arrives
    with CaptureQueriesContext(connection) as hostile:
        response = get("metropolia-test.localhost", **params)
    # then a page, no other portal's rows, and no more queries than a plain search
    assert response.status_code == 200
    assert "Park miejski w B" not in response.content.decode()
    assert len(hostile) <= len(plain), [q["sql"][:200] for q in hostile.captured_queries]
    # and no statement that grows with the input (10,000 words make no 10,000 conditions)
    size = lambda captured: sum(len(q["sql"]) for q in captured.captured_queries)  # noqa: E731
    assert size(hostile) < size(plain) + 4000


@pytest.mark.django_db
def test_another_portals_municipality_is_ignored_and_said_so(rows, tenant_b):
    response = get("metropolia-test.localhost", gmina=str(tenant_b.pk))
    assert response.context["result"].criteria.ignored
    assert "zostały pominięte" in response.content.decode()


@pytest.mark.django_db
def test_a_page_past_the_end_shows_the_last_page(rows):
    result = get("metropolia-test.localhost", strona="1000000000").context["result"]
    assert result.page == result.pages == 1
    assert result.total == 3


@pytest.mark.django_db
def test_a_portal_host_never_reaches_a_municipalitys_pages(rows):
    # the municipality's panel and pages do not exist on the portal's host
    assert get("metropolia-test.localhost", "/panel/").status_code == 404
    assert get("metropolia-test.localhost", "/konsultacje/k-1/").status_code == 404


@pytest.mark.django_db
def test_feeds_and_calendar_list_the_portals_members_only(rows):
    for path in ("/konsultacje/rss/", "/konsultacje/atom/", "/konsultacje/kalendarz.ics"):
        body = get("metropolia-test.localhost", path).content.decode()
        assert "Nowy park na Łazarzu" in body, path
        assert "Park miejski w B" not in body, path
        assert "http://x.localhost:8000/konsultacje/k-1/" in body, path


@pytest.mark.django_db
def test_the_list_of_municipalities_shows_members_with_their_counts(rows, tenant_a, tenant_b):
    html = get("metropolia-test.localhost", "/samorzady/").content.decode()
    assert tenant_a.name in html
    assert tenant_b.name not in html


@pytest.mark.django_db
def test_a_year_facet_counts_by_start_year(rows):
    result = get("metropolia-test.localhost").context["result"]
    years = {f.value: f.count for f in result.facets["year"]}
    assert sum(years.values()) == 3
    assert str(timezone.localtime(NOW - timedelta(days=1)).year) in years


@pytest.mark.django_db
def test_a_typed_word_is_found_at_the_start_or_inside_a_word_of_the_text(rows):
    # the rows' words are looked up by substring (migration 0004): a prefix, an infix, a
    # whole word, with or without diacritics and in any case, as the folded text matched
    for text, found in [
        ("rowerow", [3]),  # the start of "rowerowa"
        ("azar", [1]),  # inside "Łazarzu"
        ("ŁAZ", [1]),
        ("sciezka", [3]),
        ("park", [1, 2]),
        ("park łazarzu", [1]),  # every word must be found (the intersection)
        ("parkowy", []),
    ]:
        result = get("metropolia-test.localhost", q=text).context["result"]
        assert sorted(e.consultation_id for e in result.entries) == found, text


@pytest.mark.django_db
def test_like_wildcards_typed_in_a_search_are_plain_characters(rows):
    # "%" and "_" would match any characters in a LIKE pattern: here they match themselves
    for text in ("p_rk", "p%k", "%%%", "___"):
        result = get("metropolia-test.localhost", q=text).context["result"]
        assert result.total == 0, text


@pytest.mark.django_db
def test_a_large_portal_lists_the_municipalities_with_most_results_and_any_chosen():
    from portal.selectors import MUNICIPALITY_FACET_ALL, MUNICIPALITY_FACET_SIZE
    from tenants.models import Municipality, MunicipalityStatus
    from tests.conftest import tenant_make, unique

    # given a regional portal of more members than a facet lists in full
    many = [
        tenant_make(unique("duza"), f"Gmina {unique('duza')}", provision=False)
        for _ in range(MUNICIPALITY_FACET_ALL + 1)
    ]
    pks = [m.pk for m in many]
    Municipality.objects.filter(pk__in=pks).update(status=MunicipalityStatus.ACTIVE)
    portal = Portal.objects.create(name="Województwo Testowe", subdomain="wojewodztwo-test")
    portal.members.set(pks)
    portal_hosts_forget()
    # the first thirty have two consultations each, the others one
    for i, pk in enumerate(pks):
        for n in range(2 if i < MUNICIPALITY_FACET_SIZE else 1):
            entry(pk, n + 1, title=f"Plan ogólny {i}-{n}")
    try:
        response = get("wojewodztwo-test.localhost", q="plan")
        result = response.context["result"]
        listed = [int(f.value) for f in result.facets["municipality"]]
        # then the facet lists the thirty with the most results, and says how to find another
        assert sorted(listed) == sorted(pks[:MUNICIPALITY_FACET_SIZE])
        assert result.municipalities_cut
        assert "wpisać jej nazwę w polu wyszukiwania" in response.content.decode()
        # a municipality chosen outside them is listed, chosen, with its count
        last = pks[-1]
        result = get("wojewodztwo-test.localhost", q="plan", gmina=last).context["result"]
        chosen = [(int(f.value), f.count, f.selected) for f in result.facets["municipality"]]
        assert chosen == [(last, 1, True)]
        assert result.total == 1
    finally:
        portal_hosts_forget()
