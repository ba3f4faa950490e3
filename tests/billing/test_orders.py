"""The price list, quotes and orders on real PostgreSQL (no Stripe involved)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from billing import selectors, services
from billing.models import OrderStatus, PriceChange, PriceItem, vat_of
from billing.pdf import order_confirmation_pdf
from billing.permissions import can_edit_invoice_data, can_order_consultations
from tests.billing.conftest import consultation_cleared, consultation_make, orderer_make


def place(municipality, schema_name, *, days=21, addons=(), method="card"):
    return services.order_place(
        municipality=municipality,
        consultation_id=consultation_make(schema_name, days=days),
        addon_codes=list(addons),
        payment_method=method,
        acting_user=orderer_make(schema_name),
    )


def test_vat_is_23_percent_rounded_to_the_grosz():
    assert vat_of(120000) == 27600
    assert vat_of(1) == 0
    assert vat_of(3) == 1  # 0.69 grosza rounds up
    assert vat_of(2) == 0  # 0.46 grosza rounds down


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "code"),
    [
        (1, "base-14"),
        (14, "base-14"),
        (15, "base-30"),
        (30, "base-30"),
        (31, "base-60"),
        (60, "base-60"),
        (61, "base-60plus"),
        (400, "base-60plus"),
    ],
)
def test_the_base_price_follows_the_consultations_length(days, code):
    assert selectors.base_item_for(days).code == code


@pytest.mark.django_db
def test_an_order_keeps_its_prices_when_the_price_list_changes(
    municipality_a, tenant_a, addons_deliverable
):
    # given an order with the survey add-on
    order = place(municipality_a, tenant_a.schema_name, days=21, addons=["addon-survey"])
    assert [(i.code, i.net_amount, i.vat_amount, i.gross_amount) for i in order.items.all()] == [
        ("base-30", 180000, 41400, 221400),
        ("addon-survey", 50000, 11500, 61500),
    ]
    assert (order.net_total, order.vat_total, order.gross_total) == (230000, 52900, 282900)
    assert order.buyer_nip == municipality_a.nip
    assert "74-400 Dębno" in order.buyer_address

    # when the provider raises the price
    base = PriceItem.objects.get(code="base-30")
    services.price_item_update(
        price_item_id=base.pk, net_amount=199900, active=True, acting_user=None
    )

    # then the placed order is unchanged, and a new one pays the new price
    order.refresh_from_db()
    assert order.gross_total == 282900
    assert order.items.get(code="base-30").net_amount == 180000
    newer = place(municipality_a, tenant_a.schema_name, days=21)
    assert newer.net_total == 199900


@pytest.mark.django_db
def test_a_price_change_is_audited_with_who_and_when(municipality_a):
    from accounts.services import user_create
    from tests.conftest import PASSWORD, unique

    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    item = PriceItem.objects.get(code="addon-meetings")

    services.price_item_update(
        price_item_id=item.pk, net_amount=35000, active=False, acting_user=operator
    )

    change = PriceChange.objects.get(price_item=item)
    assert (change.old_net_amount, change.new_net_amount) == (30000, 35000)
    assert (change.old_active, change.new_active) == (True, False)
    assert change.acting_user == operator and change.created_at is not None
    # a withdrawn add-on is no longer offered
    assert "addon-meetings" not in [a.code for a in selectors.price_list_addons(active_only=True)]


@pytest.mark.django_db
def test_a_price_must_be_greater_than_zero():
    item = PriceItem.objects.get(code="base-14")
    with pytest.raises(ValidationError):
        services.price_item_update(
            price_item_id=item.pk, net_amount=0, active=True, acting_user=None
        )
    assert PriceItem.objects.get(pk=item.pk).net_amount == 120000


@pytest.mark.django_db
def test_a_consultation_has_only_one_live_order(municipality_a, tenant_a):
    order = place(municipality_a, tenant_a.schema_name)
    with pytest.raises(ValidationError, match="już zamówiona"):
        services.order_place(
            municipality=municipality_a,
            consultation_id=order.consultation_id,
            addon_codes=[],
            payment_method="card",
            acting_user=orderer_make(tenant_a.schema_name),
        )


@pytest.mark.django_db
def test_ordering_needs_the_invoice_address(tenant_b):
    from tenants.models import Municipality

    municipality = Municipality.objects.get(pk=tenant_b.pk)
    with pytest.raises(ValidationError, match="adres do faktury"):
        place(municipality, tenant_b.schema_name)


@pytest.mark.django_db
def test_a_wrong_postal_code_is_refused_in_polish(municipality_a):
    with pytest.raises(ValidationError) as error:
        services.billing_profile_update(
            municipality=municipality_a,
            invoice_name="Gmina",
            street="ul. Rynek 1",
            postal_code="74400",
            city="Dębno",
        )
    assert error.value.message_dict["postal_code"] == [
        "Prosimy podać kod pocztowy w formacie 74-400."
    ]


@pytest.mark.django_db
def test_a_consultation_without_dates_is_neither_ordered_nor_priced(municipality_a, tenant_a):
    from django_tenants.utils import schema_context

    from billing.models import Order
    from consultations.models import Consultation
    from consultations.services import consultation_create, consultation_order
    from tests.consultations.factories import complete_input, department_make, staff_make

    # given a draft whose dates are not set yet
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        draft = consultation_create(
            acting_user=admin,
            data=complete_input(department_make(), starts_at=None, ends_at=None),
        )
        # when the clerk orders it, then consultations names the missing dates
        with pytest.raises(ValidationError, match=r"początek.*koniec"):
            consultation_order(acting_user=admin, consultation_id=draft.pk)
        assert Consultation.objects.get(pk=draft.pk).status == "draft"
    # and billing, asked directly, prices and records nothing
    with pytest.raises(ValidationError):
        services.order_place(
            municipality=municipality_a,
            consultation_id=draft.pk,
            addon_codes=[],
            payment_method="card",
            acting_user=orderer_make(tenant_a.schema_name),
        )
    assert not Order.objects.filter(consultation_id=draft.pk).exists()


@pytest.mark.django_db
def test_provider_approval_of_a_postpaid_order_clears_the_consultation(municipality_a, tenant_a):
    from django_tenants.utils import schema_context

    from accounts.services import user_create
    from consultations.models import Consultation
    from tests.conftest import PASSWORD, unique

    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    order = place(municipality_a, tenant_a.schema_name, method="transfer")
    assert not consultation_cleared(tenant_a.schema_name, order.consultation_id)

    order = services.order_approve_transfer(order_id=order.pk, acting_user=operator)

    assert order.status == OrderStatus.APPROVED
    assert order.approved_by == operator and order.approved_at is not None
    assert consultation_cleared(tenant_a.schema_name, order.consultation_id)
    # the consultation learns the duration band paid for (a late payment may move its dates
    # within it): the band of the order's base item, as the price list has it
    base = PriceItem.objects.get(code=order.items.order_by("position").first().code)
    with schema_context(tenant_a.schema_name):
        consultation = Consultation.objects.get(pk=order.consultation_id)
        assert (consultation.paid_min_days, consultation.paid_max_days) == (
            base.min_days,
            base.max_days,
        )
    with pytest.raises(ValidationError):
        services.order_approve_transfer(order_id=order.pk, acting_user=operator)


@pytest.mark.django_db
def test_revenue_counts_cleared_orders_per_municipality(municipality_a, tenant_a):
    from accounts.services import user_create
    from tests.conftest import PASSWORD, unique

    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    before = {r["municipality__pk"]: r for r in selectors.revenue_by_municipality()}
    approved = place(municipality_a, tenant_a.schema_name, method="transfer")
    services.order_approve_transfer(order_id=approved.pk, acting_user=operator)
    unpaid = place(municipality_a, tenant_a.schema_name, method="transfer")

    after = {r["municipality__pk"]: r for r in selectors.revenue_by_municipality()}
    row, old = after[municipality_a.pk], before.get(municipality_a.pk, {})
    assert row["gross"] - old.get("gross", 0) == approved.gross_total
    assert row["unpaid_gross"] - old.get("unpaid_gross", 0) == unpaid.gross_total


@pytest.mark.django_db
def test_the_confirmation_pdf_shows_the_amounts_and_both_nips(
    municipality_a, tenant_a, settings, addons_deliverable
):
    from pypdf import PdfReader

    order = place(
        municipality_a, tenant_a.schema_name, addons=["addon-printed-report"], method="transfer"
    )

    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(order_confirmation_pdf(order))).pages
    )

    normalised = text.replace("\u00a0", " ")
    assert order.number in normalised
    assert municipality_a.nip in normalised
    assert settings.BILLING_PROVIDER["nip"] in normalised
    assert "2 214,00 zł" in normalised  # base-30 gross
    assert "2 706,00 zł" in normalised  # total gross: 2200 net + 506 VAT
    assert "Potwierdzenie zamówienia" in normalised
    assert "Dębno" in normalised and "Nabywca" in normalised
    assert settings.BILLING_PROVIDER["bank_account"] in normalised


def test_the_permission_matrix_for_ordering():
    from types import SimpleNamespace

    def user(role, active=True):
        return SimpleNamespace(is_authenticated=True, is_active=active, role=role)

    matrix = {
        "admin": (True, True),
        "coordinator": (True, False),
        "moderator": (False, False),
        "district_editor": (False, False),
        "": (False, False),
    }
    for role, (order, invoice) in matrix.items():
        assert can_order_consultations(user(role)) is order, role
        assert can_edit_invoice_data(user(role)) is invoice, role
    assert can_order_consultations(user("admin", active=False)) is False


@pytest.mark.django_db
def test_a_draft_consultation_cannot_be_ordered_here_before_its_checks(municipality_a, tenant_a):
    from django_tenants.utils import schema_context

    from billing.models import Order
    from consultations.models import Consultation
    from tests.billing.conftest import consultation_make, orderer_make

    # given a consultation still in draft (not checked, dates not frozen)
    consultation_id = consultation_make(tenant_a.schema_name, order=False)
    with schema_context(tenant_a.schema_name):
        assert Consultation.objects.get(pk=consultation_id).status == "draft"
    # when billing is asked to order it, then it refuses and records nothing
    with pytest.raises(ValidationError, match="najpierw zamówić"):
        services.order_place(
            municipality=municipality_a,
            consultation_id=consultation_id,
            addon_codes=[],
            payment_method="card",
            acting_user=orderer_make(tenant_a.schema_name),
        )
    assert not Order.objects.filter(consultation_id=consultation_id).exists()


# Start and end in Warsaw time → days billed and the price band. Written by hand from the
# calendar: a day counts once it has begun, a consultation ending at the hour it started has
# run whole days, and the changes to and from summer time (28 Mar and 31 Oct 2027) add or
# remove no day.
DURATIONS = [
    ("2027-12-01 08:00", "2027-12-31 08:00", 30, "base-30"),
    ("2027-12-01 08:00", "2027-12-31 08:01", 31, "base-60"),
    ("2027-12-01 00:00", "2027-12-14 23:59", 14, "base-14"),
    ("2027-12-01 08:00", "2027-12-15 08:00", 14, "base-14"),
    ("2027-12-01 08:00", "2027-12-15 12:00", 15, "base-30"),
    ("2027-12-01 08:00", "2027-12-01 16:00", 1, "base-14"),
    ("2027-03-01 08:00", "2027-03-31 08:00", 30, "base-30"),
    ("2027-10-01 08:00", "2027-10-31 08:00", 30, "base-30"),
    ("2027-12-01 08:00", "2028-01-30 08:00", 60, "base-60"),
    ("2027-12-01 08:00", "2028-01-31 08:00", 61, "base-60plus"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("starts", "ends", "days", "band"), DURATIONS)
def test_a_consultation_is_billed_for_the_days_it_runs(starts, ends, days, band):
    import datetime as dt
    from zoneinfo import ZoneInfo

    warsaw = ZoneInfo("Europe/Warsaw")

    def at(text: str) -> dt.datetime:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=warsaw)

    snapshot = selectors.ConsultationSnapshot(
        id=1, title="x", status="ordered", starts_at=at(starts), ends_at=at(ends)
    )
    assert snapshot.duration_days == days
    assert selectors.base_item_for(snapshot.duration_days).code == band


@pytest.mark.django_db
def test_a_30_day_consultation_is_ordered_at_the_30_day_price(municipality_a, tenant_a, orderer):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django_tenants.utils import schema_context

    from consultations.models import Consultation

    starts = dt.datetime(2027, 12, 1, 8, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    with schema_context(tenant_a.schema_name):
        consultation_id = Consultation.objects.create(
            title="Grudzień",
            slug="grudzien-30",
            status="ordered",
            starts_at=starts,
            ends_at=starts + dt.timedelta(days=30),
        ).pk

    order = services.order_place(
        municipality=municipality_a,
        consultation_id=consultation_id,
        addon_codes=[],
        payment_method="transfer",
        acting_user=orderer,
    )

    assert [(item.code, item.net_amount) for item in order.items.all()] == [("base-30", 180000)]
