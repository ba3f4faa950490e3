"""The order confirmation as a PDF, drawn with fpdf2 in pure Python.

The font comes from the ``font-roboto`` package on PyPI (Roboto has every Polish letter), so
a fresh machine needs nothing from the operating system.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from billing.models import Order
from billing.money import pln
from common.fonts import roboto_add


def _date(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y") if value else "—"


def order_confirmation_pdf(order: Order) -> bytes:
    """The confirmation of an order: provider and buyer with their NIPs, the items with net,
    VAT and gross amounts, the status and, for a transfer, the bank account."""
    provider = settings.BILLING_PROVIDER
    doc = FPDF(format="A4")
    doc.set_title(_("Order confirmation %(number)s") % {"number": order.number})
    doc.set_author(provider["name"])
    roboto_add(doc)
    doc.set_auto_page_break(auto=True, margin=15)
    doc.add_page()
    width = doc.epw

    doc.set_font("Roboto", "B", 16)
    doc.cell(
        width,
        10,
        _("Order confirmation %(number)s") % {"number": order.number},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("Roboto", "", 10)
    doc.cell(
        width,
        6,
        _("Date of order: %(date)s") % {"date": _date(order.created_at)},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(4)

    column = width / 2
    top = doc.get_y()
    for index, (heading, lines) in enumerate(
        (
            (
                _("Seller"),
                [
                    provider["name"],
                    _("NIP: %(nip)s") % {"nip": provider["nip"]},
                    provider["address"],
                ],
            ),
            (
                _("Buyer"),
                [
                    order.buyer_name,
                    _("NIP: %(nip)s") % {"nip": order.buyer_nip or "—"},
                    order.buyer_address,
                ],
            ),
        )
    ):
        doc.set_xy(doc.l_margin + index * column, top)
        doc.set_font("Roboto", "B", 11)
        doc.cell(column, 6, heading, new_x="LEFT", new_y="NEXT")
        doc.set_font("Roboto", "", 10)
        for line in lines:
            doc.multi_cell(column - 4, 5, line, new_x="LEFT", new_y="NEXT")
    doc.set_xy(doc.l_margin, max(doc.get_y(), top + 30))
    doc.ln(4)

    doc.set_font("Roboto", "B", 11)
    doc.cell(width, 6, _("Consultation"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Roboto", "", 10)
    doc.multi_cell(width, 5, order.consultation_title, new_x="LMARGIN", new_y="NEXT")
    doc.cell(
        width,
        5,
        _("From %(start)s to %(end)s")
        % {"start": _date(order.consultation_starts_at), "end": _date(order.consultation_ends_at)},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(4)

    headings = (_("Item"), _("Net"), _("VAT"), _("VAT amount"), _("Gross"))
    widths = (width - 4 * 28, 28, 28, 28, 28)
    with doc.table(
        col_widths=widths,
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        first_row_as_headings=True,
    ) as table:
        doc.set_font("Roboto", "B", 10)
        table.row(headings)
        doc.set_font("Roboto", "", 10)
        for item in order.items.all():
            table.row(
                (
                    item.name,
                    pln(item.net_amount),
                    f"{item.vat_rate_bp // 100}%",
                    pln(item.vat_amount),
                    pln(item.gross_amount),
                )
            )
        table.row(
            (_("Total"), pln(order.net_total), "", pln(order.vat_total), pln(order.gross_total))
        )
    doc.ln(4)

    doc.set_font("Roboto", "B", 11)
    doc.cell(
        width,
        6,
        _("Amount due: %(amount)s") % {"amount": pln(order.gross_total)},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("Roboto", "", 10)
    doc.cell(
        width,
        5,
        _("Status: %(status)s") % {"status": order.get_status_display()},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if order.payment_method == "transfer":
        doc.multi_cell(
            width,
            5,
            _(
                "Please pay by bank transfer within %(days)s days to the account %(account)s, "
                "quoting %(number)s."
            )
            % {
                "days": settings.BILLING_TRANSFER_DUE_DAYS,
                "account": provider["bank_account"],
                "number": order.number,
            },
            new_x="LMARGIN",
            new_y="NEXT",
        )
    else:
        doc.cell(
            width,
            5,
            _("Bank account: %(account)s") % {"account": provider["bank_account"]},
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.ln(4)
    doc.set_font("Roboto", "", 8)
    doc.multi_cell(
        width,
        4,
        _(
            "This confirmation is not a VAT invoice. The invoice is issued by the seller after "
            "payment."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(doc.output())
