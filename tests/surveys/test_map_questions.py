"""Map questions: an area of the municipality, or a point that decides its area. The areas
(with their GeoJSON outlines) come from the consultations catalogue and are copied into the
question; the page draws them with Leaflet and keeps a list and a coordinates field for the
keyboard and for browsers without JavaScript; the server checks every point."""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from consultations.models import Area
from surveys import geo, selectors, services
from surveys.models import Answer
from tests.conftest import unique
from tests.consultations.factories import staff_make
from tests.surveys.factories import question_add, survey_make

pytestmark = pytest.mark.django_db


def square(lon: float, lat: float, size: float = 0.01, hole: bool = False) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    rings = [ring]
    if hole:
        q = size / 4
        rings.append(
            [
                [lon + q, lat + q],
                [lon + 3 * q, lat + q],
                [lon + 3 * q, lat + 3 * q],
                [lon + q, lat + 3 * q],
                [lon + q, lat + q],
            ]
        )
    return {"type": "Polygon", "coordinates": rings}


# (text typed, expected (lat, lon) or None for refused) — written by hand
POINTS = [
    ("50.0614, 19.9366", (Decimal("50.061400"), Decimal("19.936600"))),
    ("50,0614 19,9366", (Decimal("50.061400"), Decimal("19.936600"))),
    ("50.0614;19.9366", (Decimal("50.061400"), Decimal("19.936600"))),
    ("50.0614,19.9366", (Decimal("50.061400"), Decimal("19.936600"))),
    ("-33.8688 151.2093", (Decimal("-33.868800"), Decimal("151.209300"))),
    ("50.12345678, 19.1", (Decimal("50.123457"), Decimal("19.100000"))),
    ("91, 19", None),
    ("50, 181", None),
    ("50.1", None),
    ("50.1, 19.1, 3", None),
    ("NaN, 19", None),
    ("Infinity 1", None),
    ("1e400 1", None),
    ("ul. Długa 5", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), POINTS)
def test_point_parse_table(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            geo.point_parse(text)
    else:
        assert geo.point_parse(text) == expected


def test_inside_an_outline_counts_holes_as_outside_and_reads_every_geojson_kind():
    outline = json.dumps(square(19.0, 50.0, hole=True))
    assert geo.point_in_outline(50.001, 19.001, outline)
    assert not geo.point_in_outline(50.005, 19.005, outline)  # in the hole
    assert not geo.point_in_outline(50.02, 19.02, outline)
    multi = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {
                        "type": "MultiPolygon",
                        "coordinates": [
                            square(19.0, 50.0)["coordinates"],
                            square(20.0, 51.0)["coordinates"],
                        ],
                    },
                }
            ],
        }
    )
    assert geo.point_in_outline(51.005, 20.005, multi)
    for garbage in ("", "{", '{"type":"Polygon","coordinates":[[["a","b"]]]}', "[1,2]"):
        assert not geo.point_in_outline(50.0, 19.0, garbage)


def _areas(tag: str) -> tuple[str, str]:
    north, south = f"Północ {tag}", f"Południe {tag}"
    Area.objects.create(name=north, outline=json.dumps(square(-40.0, -40.0)))
    Area.objects.create(name=south, outline=json.dumps(square(-40.0, -40.02)))
    return north, south


def _submit(survey, answers):
    return services.survey_response_submit(
        acting_user=None, survey_id=survey.pk, idempotency_key=uuid.uuid4(), answers=answers
    )


def test_a_map_question_without_any_area_gets_a_polish_message(admin):
    _consultation, survey = survey_make(admin)
    Area.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        question_add(admin, survey, "area", "Gdzie?")
    assert "Najpierw proszę dodać obszary" in str(error.value)


def test_a_map_question_copies_the_areas_with_their_outlines(admin):
    north, south = _areas(unique(""))
    _consultation, survey = survey_make(admin)
    question = question_add(
        admin, survey, "point", "Gdzie postawić ławkę?", choices=["zignorowane"]
    )
    copied = {c.text: c.outline for c in question.choices.all()}
    assert north in copied and south in copied and "zignorowane" not in copied
    assert json.loads(copied[north]) == square(-40.0, -40.0)


def test_an_area_and_a_point_are_checked_and_a_point_decides_its_area(admin):
    north, south = _areas(unique(""))
    _consultation, survey = survey_make(admin)
    area_q = question_add(admin, survey, "area", "Która dzielnica?", required=True)
    point_q = question_add(admin, survey, "point", "Gdzie dokładnie?")
    keys = {c.text: c.key for c in point_q.choices.all()}
    area_keys = {c.text: c.key for c in area_q.choices.all()}

    # a point inside the north square, with the south chosen in the list: the point wins
    result = _submit(
        survey,
        {
            area_q.key: area_keys[south],
            point_q.key: keys[south],
            point_q.key + ".point": "-39.995, -39.995",
        },
    )
    stored = {a.question_id: a for a in Answer.objects.filter(response=result.response)}
    assert stored[area_q.pk].choice.text == south
    assert stored[point_q.pk].choice.text == north
    assert stored[point_q.pk].text == "-39.995000,-39.995000"

    # refused, each with its message, nothing stored
    bad = [
        ({point_q.key + ".point": "10, 10"}, "poza obszarami"),
        ({point_q.key + ".point": "to nie punkt"}, "szerokość i długość"),
        ({point_q.key: "obcy-klucz"}, "wybrać obszar z listy"),
        ({point_q.key: [keys[north], keys[south]]}, "wybrać obszar z listy"),
    ]
    for extra, message in bad:
        with pytest.raises(ValidationError) as error:
            _submit(survey, {area_q.key: area_keys[north], **extra})
        assert message in error.value.message_dict[point_q.key][0]
    with pytest.raises(ValidationError) as error:
        _submit(survey, {point_q.key: keys[north]})
    assert area_q.key in error.value.message_dict  # required
    assert survey.responses.count() == 1

    # results count areas; the export has the point's column
    _submit(survey, {area_q.key: area_keys[north]})
    results = {r.question.text: r for r in selectors.survey_results(survey).questions}
    counts = {row.label: row.count for row in results["Która dzielnica?"].rows}
    assert counts[north] == 1 and counts[south] == 1
    header, rows, _codebook = selectors.export_table(survey)
    column = header.index("Gdzie dokładnie? — punkt (szerokość, długość)")
    assert [r[column] for r in rows] == ["-39.995000,-39.995000", ""]


def test_a_condition_may_name_an_area(admin):
    north, _south = _areas(unique(""))
    _consultation, survey = survey_make(admin)
    area_q = question_add(admin, survey, "area", "Która dzielnica?")
    follow = question_add(
        admin,
        survey,
        "short_text",
        "Co na północy?",
        condition={"question_key": area_q.key, "op": "equals", "value": north},
    )
    assert follow.conditions[0]["value"] == area_q.choices.get(text=north).key


def test_the_page_draws_the_map_from_the_outlines_and_keeps_the_list(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        north, _south = _areas(unique(""))
        consultation, survey = survey_make(admin)
        point_q = question_add(admin, survey, "point", "Gdzie dokładnie?")
        north_key = point_q.choices.get(text=north).key
    client = Client(HTTP_HOST=tenant_a.host)
    url = f"/konsultacje/{consultation.slug}/ankieta/"
    html = client.get(url).content.decode()
    assert "surveys/vendor/leaflet/leaflet.js" in html and "surveys/map.js" in html
    assert f'<select name="q-{point_q.key}"' in html
    assert f'name="q-{point_q.key}-point"' in html
    data = re.search(
        rf'<script id="q-{point_q.key}-areas" type="application/json">(.*?)</script>', html
    ).group(1)
    drawn = {a["name"]: a for a in json.loads(data)}
    assert drawn[north]["outline"]["type"] == "Polygon"
    # without JavaScript: the list and the typed point are enough
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', html).group(1)
    sent = client.post(
        url,
        {
            "idempotency_key": key,
            f"q-{point_q.key}": "",
            f"q-{point_q.key}-point": "-39,995 -39,995",
        },
    )
    assert sent.status_code == 302
    with schema_context(tenant_a.schema_name):
        answer = Answer.objects.get(response__survey=survey)
        assert answer.choice.key == north_key
    # a point outside: the page says so and shows the typed text back
    key = re.search(
        r'name="idempotency_key" value="([0-9a-f-]+)"', client.get(url).content.decode()
    ).group(1)
    refused = client.post(
        url, {"idempotency_key": key, f"q-{point_q.key}-point": "10.5, 10.5"}
    ).content.decode()
    assert "Punkt leży poza obszarami" in refused
    assert 'value="10.5, 10.5"' in refused
