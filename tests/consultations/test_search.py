"""The residents' search: intersection of criteria, OR within one, facets, no N+1."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import Area, Category, Consultation, ConsultationStatus
from consultations.selectors import SearchCriteria, consultation_search, consultations_filter
from tests.consultations.factories import consultation_in_state, department_make

S = ConsultationStatus


@pytest.fixture
def world(tenant_a):
    """Four visible consultations spread over two areas, two categories, two departments,
    plus a draft and an ordered one that match everything but must never show."""
    with schema_context(tenant_a.schema_name):
        north, south = Area.objects.create(name="Północ"), Area.objects.create(name="Południe")
        roads, green = Category.objects.create(name="Drogi"), Category.objects.create(name="Zieleń")
        planning, environment = (
            department_make("Wydział Planowania"),
            department_make("Wydział Środowiska"),
        )
        now = timezone.now()

        def make(key, status, areas, categories, department, basis="art5a", **extra):
            c = consultation_in_state(
                status,
                department=department,
                legal_basis=basis,
                title=f"Konsultacje {key}",
                **extra,
            )
            c.areas.set(areas)
            c.categories.set(categories)
            return c

        rows = {
            "a": make("a park na północy", S.OPEN, [north], [green], environment),
            "b": make("b droga na północy", S.OPEN, [north], [roads], planning, "revitalisation"),
            "c": make("c droga na południu", S.CLOSED, [south], [roads], planning),
            "d": make(
                "d plan ogólny",
                S.SCHEDULED,
                [north, south],
                [roads, green],
                planning,
                "spatial_planning",
                starts_at=now + timedelta(days=60),
                ends_at=now + timedelta(days=90),
            ),
            "draft": make("draft droga", S.DRAFT, [north, south], [roads, green], planning),
            "ordered": make("ordered droga", S.ORDERED, [north, south], [roads, green], planning),
        }
        yield {
            "rows": rows,
            "north": north,
            "south": south,
            "roads": roads,
            "green": green,
            "planning": planning,
            "environment": environment,
        }


def keys(world, criteria):
    found = set(consultations_filter(criteria).values_list("pk", flat=True))
    return {key for key, c in world["rows"].items() if c.pk in found}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda w: SearchCriteria(), {"a", "b", "c", "d"}),
        (lambda w: SearchCriteria(area_ids=(w["north"].pk,)), {"a", "b", "d"}),
        (lambda w: SearchCriteria(area_ids=(w["north"].pk, w["south"].pk)), {"a", "b", "c", "d"}),
        (
            lambda w: SearchCriteria(area_ids=(w["north"].pk,), category_ids=(w["roads"].pk,)),
            {"b", "d"},
        ),
        (
            lambda w: SearchCriteria(
                area_ids=(w["south"].pk,), category_ids=(w["roads"].pk,), statuses=(S.CLOSED,)
            ),
            {"c"},
        ),
        (lambda w: SearchCriteria(statuses=(S.OPEN, S.SCHEDULED)), {"a", "b", "d"}),
        (lambda w: SearchCriteria(statuses=(S.OPEN,), department_ids=(w["planning"].pk,)), {"b"}),
        (lambda w: SearchCriteria(legal_bases=("revitalisation", "spatial_planning")), {"b", "d"}),
        (lambda w: SearchCriteria(text="droga"), {"b", "c"}),
        (lambda w: SearchCriteria(text="DROGA północy"), {"b"}),
        (lambda w: SearchCriteria(text="droga", area_ids=(w["south"].pk,)), {"c"}),
        (
            lambda w: SearchCriteria(date_from=timezone.localdate() + timedelta(days=50)),
            {"d"},
        ),
        (lambda w: SearchCriteria(date_to=timezone.localdate() - timedelta(days=5)), {"c"}),
        (lambda w: SearchCriteria(category_ids=(w["green"].pk,), statuses=(S.CLOSED,)), set()),
        # drafts and unpaid orders never show, even when asked for by status
        (lambda w: SearchCriteria(statuses=(S.DRAFT, S.ORDERED)), {"a", "b", "c", "d"}),
    ],
)
def test_criteria_intersect_and_values_within_one_alternate(world, build, expected):
    assert keys(world, build(world)) == expected


@pytest.mark.django_db
def test_facet_counts_are_computed_on_the_current_result(world):
    result = consultation_search(SearchCriteria(category_ids=(world["roads"].pk,)))
    areas = {f.label: f.count for f in result.facets["area"]}
    statuses = {f.value: f.count for f in result.facets["status"]}
    assert result.total == 3  # b, c, d
    assert areas == {"Północ": 2, "Południe": 2}
    assert statuses[S.OPEN] == 1 and statuses[S.CLOSED] == 1 and statuses[S.SCHEDULED] == 1
    assert {f.label: f.selected for f in result.facets["category"]} == {
        "Drogi": True,
        "Zieleń": False,
    }


@pytest.mark.django_db
def test_every_facet_lists_each_value_with_its_count_on_the_result_zeros_included(world):
    # given the north area: a (environment, art5a), b (planning, revitalisation),
    # d (planning, spatial_planning); the draft and the ordered one never count
    result = consultation_search(SearchCriteria(area_ids=(world["north"].pk,)))

    def facet(name):
        return [(f.label, f.count, f.selected) for f in result.facets[name]]

    # then (labels in name order, as the database collates them)
    assert result.total == 3
    assert facet("area") == [("Południe", 1, False), ("Północ", 3, True)]
    assert facet("category") == [("Drogi", 2, False), ("Zieleń", 2, False)]
    assert facet("department") == [
        ("Wydział Planowania", 2, False),
        ("Wydział Środowiska", 1, False),
    ]
    counts = {f.value: f.count for f in result.facets["legal_basis"]}
    assert counts["art5a"] == 1 and counts["revitalisation"] == 1
    assert counts["spatial_planning"] == 1
    assert sum(counts.values()) == 3
    statuses = {f.value: f.count for f in result.facets["status"]}
    assert statuses == {
        S.SCHEDULED: 1,
        S.OPEN: 2,
        S.CLOSED: 0,
        S.REPORT_PUBLISHED: 0,
        S.ARCHIVED: 0,
    }


def _render_list_queries(client, n):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/konsultacje/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_list_page_makes_as_many_queries_for_5_rows_as_for_50(tenant_b):
    from django.test import Client

    client = Client(HTTP_HOST=tenant_b.host)
    with schema_context(tenant_b.schema_name):
        department = department_make()
        area = Area.objects.create(name="Centrum")
        category = Category.objects.create(name="Kultura")

        def add(count):
            for _ in range(count):
                c = consultation_in_state(S.OPEN, department=department)
                c.areas.set([area])
                c.categories.set([category])

        add(5)
    _render_list_queries(client, 0)  # warms the site settings cache
    few = _render_list_queries(client, 5)
    with schema_context(tenant_b.schema_name):
        add(45)
    many = _render_list_queries(client, 50)
    assert many == few


# A page's queries, SET search_path included (the tenant's domain, then its schema): the
# domain, the ids a filter may name, all facet counts, the page of rows and its areas and
# categories. Before: three queries for the ids, eight for the facets and a second COUNT.
LIST_QUERY_BUDGET = 8
# The domain; the three sections in one query, their areas and categories; the news.
HOME_QUERY_BUDGET = 7


@pytest.mark.django_db
def test_the_filtered_list_and_the_home_page_stay_within_their_query_budgets(world, tenant_a):
    from django.test import Client

    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/?status=open&area={world['north'].pk}&category={world['roads'].pk}"
    client.get(url)  # the site settings cache
    with CaptureQueriesContext(connection) as listed:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as home:
        assert client.get("/").status_code == 200
    assert len(listed.captured_queries) <= LIST_QUERY_BUDGET, [
        q["sql"][:120] for q in listed.captured_queries
    ]
    assert len(home.captured_queries) <= HOME_QUERY_BUDGET, [
        q["sql"][:120] for q in home.captured_queries
    ]


@pytest.mark.django_db
def test_the_folded_filters_say_some_are_set_only_for_criteria_inside_them(world, tenant_a):
    from django.test import Client

    client = Client(HTTP_HOST=tenant_a.host)
    # a text search alone sets nothing inside the folded filters
    text_only = client.get("/konsultacje/?q=droga").content.decode()
    assert "wybrano kryteria" not in text_only
    assert "Wyczyść wszystkie kryteria" in text_only
    # a status inside them does
    assert "wybrano kryteria" in client.get("/konsultacje/?status=open").content.decode()


@pytest.mark.django_db
def test_the_home_page_sections_keep_their_order_and_limit(tenant_a):
    from consultations.selectors import home_sections

    # given only (the transaction is rolled back) seven open consultations ending on
    # different days, two scheduled, and three closed
    with schema_context(tenant_a.schema_name):
        Consultation.objects.all().delete()
        now = timezone.now()
        ends = [9, 3, 12, 1, 7, 5, 11]
        opened = {
            d: consultation_in_state(
                S.OPEN, title=f"Otwarte {d}", ends_at=now + timedelta(days=d)
            ).pk
            for d in ends
        }
        later = {
            d: consultation_in_state(
                S.SCHEDULED,
                title=f"Zaplanowane {d}",
                starts_at=now + timedelta(days=d),
                ends_at=now + timedelta(days=d + 30),
            ).pk
            for d in (20, 15)
        }
        closed = {
            d: consultation_in_state(
                S.CLOSED,
                title=f"Zamknięte {d}",
                starts_at=now - timedelta(days=d + 30),
                ends_at=now - timedelta(days=d),
            ).pk
            for d in (10, 2, 90)
        }
        # when
        sections = home_sections()
    # then open: soonest end first, six at most; upcoming: soonest start first;
    # closed: latest end first, only those closed within 60 days
    assert [c.pk for c in sections["open"]] == [opened[d] for d in (1, 3, 5, 7, 9, 11)]
    assert [c.pk for c in sections["upcoming"]] == [later[15], later[20]]
    assert [c.pk for c in sections["closed"]] == [closed[2], closed[10]]


@pytest.mark.django_db
def test_a_search_url_is_shareable_and_shows_the_intersection(world, tenant_a):
    from django.test import Client

    response = Client(HTTP_HOST=tenant_a.host).get(
        "/konsultacje/",
        {"area": [world["north"].pk], "category": [world["roads"].pk], "status": ["open"]},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Konsultacje b droga na północy" in body
    assert "Konsultacje a park" not in body
    assert "draft droga" not in body and "ordered droga" not in body
    assert "Znaleziono 1 konsultację" in body
