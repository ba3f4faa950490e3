"""Demo consultations for `make run` (called by the demo_load command). Idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from consultations.models import Consultation, ConsultationStatus, Department, ParticipationForm
from consultations.participation import kind_get
from consultations.services import (
    ConsultationInput,
    area_save,
    category_save,
    consultation_create,
    department_save,
    news_save,
)
from meetings.models import Event
from surveys import selectors as survey_selectors
from surveys import services as survey_services
from surveys.services import QuestionInput

S = ConsultationStatus

# The demo's forms of participation. Meetings need the price-list add-on in the order, which
# the demo's consultations (created before any order) do not have yet: they are stored
# directly, as if the paid order had included it.
DEMO_FORMS = ["remarks", "paragraph_comments", "survey", "meeting"]

# The demo's events, by consultation status: (days from now, hour, type, title, venue,
# address, opening hours, capacity, attendance). An open consultation has one held meeting
# (with its attendance), a study walk and a consultation point to come; an upcoming one a
# meeting; a closed one the meeting it held.
DEMO_EVENTS: dict[str, list[tuple[int, int, str, str, str, str, str, int | None, int | None]]] = {
    ConsultationStatus.OPEN: [
        (
            -3,
            18,
            "meeting",
            "Spotkanie otwierające konsultacje",
            "Sala sesyjna urzędu",
            "ul. Rynek 1",
            "",
            None,
            34,
        ),
        (
            6,
            17,
            "study_walk",
            "Spacer studyjny",
            "Zbiórka przed ratuszem",
            "ul. Rynek 1",
            "",
            25,
            None,
        ),
        (
            2,
            10,
            "consultation_point",
            "Punkt konsultacyjny w bibliotece",
            "Biblioteka publiczna",
            "ul. Kościuszki 3",
            "pon.–pt. 10:00–18:00, sob. 10:00–14:00",
            None,
            None,
        ),
    ],
    ConsultationStatus.SCHEDULED: [
        (
            20,
            18,
            "meeting",
            "Spotkanie informacyjne",
            "Dom Kultury",
            "ul. Mickiewicza 12",
            "",
            60,
            None,
        ),
    ],
    ConsultationStatus.CLOSED: [
        (
            -30,
            18,
            "meeting",
            "Spotkanie z mieszkańcami",
            "Świetlica wiejska",
            "ul. Szkolna 2",
            "",
            None,
            21,
        ),
    ],
}


def _chosen_on_create(kind_name: str) -> bool:
    """A registered kind that needs no add-on is chosen as a coordinator would; the others
    (not installed, or needing an add-on the demo's paid order is taken to include) are
    stored directly, as the demo shortcut below does for the whole lifecycle."""
    kind = kind_get(kind_name)
    return kind is not None and kind.addon_code is None


DEMO: dict[str, dict[str, Any]] = {
    "debno": {
        "departments": ["Wydział Rozwoju i Inwestycji", "Wydział Spraw Społecznych"],
        "areas": ["Dębno – centrum", "Cychry", "Sarbinowo"],
        "categories": [
            "Przestrzeń publiczna",
            "Zdrowie i porządek publiczny",
            "Organizacje pozarządowe",
        ],
        "consultations": [
            (
                "Rewitalizacja rynku w Dębnie",
                "revitalisation",
                S.OPEN,
                0,
                1,
                0,
                "Jak ma wyglądać odnowiony rynek? Zieleń, ławki, miejsca na targ i wydarzenia.",
            ),
            (
                "Konsultacje projektu uchwały w sprawie zasad usytuowania "
                "miejsc sprzedaży alkoholu",
                "art5a",
                S.OPEN,
                1,
                1,
                0,
                "Gmina proponuje nowe odległości punktów sprzedaży alkoholu od szkół i kościołów.",
            ),
            (
                "Program współpracy z organizacjami pozarządowymi na 2027 rok",
                "ngo_programme",
                S.SCHEDULED,
                1,
                2,
                0,
                "Na co gmina powinna przeznaczyć środki dla organizacji pozarządowych w 2027 roku?",
            ),
            (
                "Plac zabaw w Cychrach",
                "art5a",
                S.CLOSED,
                0,
                0,
                1,
                "Mieszkańcy wybierali wyposażenie nowego placu zabaw przy świetlicy wiejskiej.",
            ),
        ],
        "news": (
            "Spotkanie w sprawie rynku",
            "Zapraszamy na spotkanie konsultacyjne w sprawie "
            "rewitalizacji rynku w sali widowiskowej Dębnowskiego Ośrodka Kultury.",
        ),
    },
    "czestochowa": {
        "departments": ["Wydział Urbanistyki i Architektury", "Wydział Komunikacji Społecznej"],
        "areas": ["Śródmieście", "Tysiąclecie", "Raków", "Parkitka"],
        "categories": ["Planowanie przestrzenne", "Transport", "Zieleń miejska"],
        "consultations": [
            (
                "Plan ogólny miasta Częstochowy",
                "spatial_planning",
                S.OPEN,
                0,
                0,
                0,
                "Projekt planu ogólnego określa, co i gdzie będzie można budować w mieście.",
            ),
            (
                "Nowa aranżacja Alei Najświętszej Maryi Panny",
                "art5a",
                S.OPEN,
                1,
                1,
                2,
                "Pytamy o zieleń, ogródki gastronomiczne i ruch rowerowy na III Alei.",
            ),
            (
                "Park na Tysiącleciu – koncepcja zagospodarowania",
                "art5a",
                S.SCHEDULED,
                1,
                1,
                2,
                "Jakie funkcje powinien mieć nowy park między ulicami Kopernika a Focha?",
            ),
            (
                "Rewitalizacja Rakowa – program gminny",
                "revitalisation",
                S.CLOSED,
                0,
                2,
                0,
                "Konsultacje gminnego programu rewitalizacji dzielnicy Raków.",
            ),
        ],
        "news": (
            "Dyżury konsultacyjne planu ogólnego",
            "Urbaniści odpowiadają na pytania "
            "mieszkańców w każdy wtorek w godzinach 15–18 w Urzędzie Miasta.",
        ),
    },
}


def demo_consultations_load(*, subdomain: str, admin: User) -> None:
    """Departments, areas, categories, a news item and four consultations (two open, one
    upcoming, one closed) in the current schema; does nothing once they are there."""
    data = DEMO.get(subdomain)
    if data is None or Department.objects.filter(name=data["departments"][0]).exists():
        return
    departments = [
        department_save(acting_user=admin, department_id=None, name=n, coordinator_ids=[])
        for n in data["departments"]
    ]
    areas = [area_save(acting_user=admin, area_id=None, name=n) for n in data["areas"]]
    categories = [
        category_save(acting_user=admin, category_id=None, name=n) for n in data["categories"]
    ]
    now = timezone.now()
    periods = {
        S.OPEN: (now - timedelta(days=5), now + timedelta(days=30)),
        S.SCHEDULED: (now + timedelta(days=14), now + timedelta(days=49)),
        S.CLOSED: (now - timedelta(days=50), now - timedelta(days=10)),
    }
    for title, basis, status, d, a, c, summary in data["consultations"]:
        starts_at, ends_at = periods[status]
        consultation = consultation_create(
            acting_user=admin,
            data=ConsultationInput(
                title=title,
                summary=summary,
                description=summary + "\n\nZapraszamy wszystkich mieszkańców do udziału.",
                legal_basis=basis,
                department_id=departments[d].pk,
                area_ids=[areas[a].pk],
                category_ids=[categories[c].pk],
                target_groups="mieszkańcy, przedsiębiorcy",
                participation_forms=[kind for kind in DEMO_FORMS if _chosen_on_create(kind)],
                starts_at=starts_at,
                ends_at=ends_at,
                contact_name="Referat Konsultacji Społecznych",
                contact_email=f"konsultacje@{subdomain}.test",
                contact_phone="95 760 20 00",
            ),
        )
        ParticipationForm.objects.bulk_create(
            ParticipationForm(consultation=consultation, kind=kind, position=position)
            for position, kind in enumerate(DEMO_FORMS)
            if not _chosen_on_create(kind)
        )
        if status == S.OPEN:
            _demo_survey(consultation, admin=admin)
        # Demo shortcut: put the consultation straight into its state, as if it had been
        # ordered, paid, scheduled and (for open/closed) advanced by the beat task.
        Consultation.objects.filter(pk=consultation.pk).update(
            status=status,
            payment_cleared_at=now,
            payment_reference="demo",
            ordered_at=now - timedelta(days=60),
            scheduled_at=now - timedelta(days=55),
            opened_at=starts_at if status != S.SCHEDULED else None,
            closed_at=ends_at if status == S.CLOSED else None,
        )
        _demo_events(consultation, status=status, admin=admin, now=now)
    title, body = data["news"]
    news_save(acting_user=admin, news_id=None, title=title, body=body, area_id=areas[0].pk)


# The demo survey of an open consultation: a resident has something to answer (a survey
# form with no questions yet would only say it is being prepared).
DEMO_SURVEY = [
    QuestionInput(
        type="single",
        text="Czy zapoznali się Państwo z projektem?",
        choices=["Tak", "Częściowo", "Nie"],
        required=True,
    ),
    QuestionInput(
        type="scale",
        text="Jak Państwo oceniają projekt?",
        min_value=1,
        max_value=5,
        min_label="bardzo źle",
        max_label="bardzo dobrze",
    ),
    QuestionInput(type="long_text", text="Co warto zmienić w projekcie?"),
]


def _demo_survey(consultation: Consultation, *, admin: User) -> None:
    """Build the consultation's survey through the builder's services, as staff would."""
    survey = survey_services.survey_create(
        acting_user=admin, consultation=consultation, kind="survey"
    )
    version = survey_selectors.survey_current_version(survey)
    section = version.sections.order_by("position").first()
    assert section is not None  # survey_create makes the first section
    for question in DEMO_SURVEY:
        survey_services.question_add(
            acting_user=admin, survey_id=survey.pk, section_key=section.key, data=question
        )


def _demo_events(consultation: Consultation, *, status: str, admin: User, now: Any) -> None:
    """The consultation's demo events, stored directly (past ones could not be scheduled
    through the service, as in life they were scheduled before they happened)."""
    today = timezone.localtime(now)
    for days, hour, kind, title, venue, address, hours, capacity, attendance in DEMO_EVENTS.get(
        status, []
    ):
        day = today + timedelta(days=days)
        starts_at = day.replace(hour=hour, minute=0, second=0, microsecond=0)
        long = kind == "consultation_point"
        Event.objects.create(
            consultation=consultation,
            event_type=kind,
            title=title,
            description="Zapraszamy mieszkańców; opowiemy o projekcie i zapiszemy Państwa uwagi.",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(days=14 if long else 0, hours=8 if long else 2),
            opening_hours=hours,
            venue=venue,
            address=address,
            step_free_access=True,
            induction_loop=kind == "meeting",
            interpreter_on_request=True,
            signup_required=capacity is not None,
            capacity=capacity,
            attendance=attendance,
            attendance_recorded_at=now if attendance is not None else None,
            created_by=admin,
        )
