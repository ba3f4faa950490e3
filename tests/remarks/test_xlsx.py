"""The register's XLSX round trip: export, edit decisions, import all or nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from remarks.models import Response
from remarks.xlsx import decisions_import, decisions_read, register_xlsx
from tests.consultations.factories import exe_bytes
from tests.remarks.helpers import coordinator_with, open_consultation, paper_remark, remark_input


@pytest.fixture
def register(tenant_a):
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultation = open_consultation(department=department)
        remarks = [
            paper_remark(
                consultation,
                clerk,
                data=remark_input(justification='=HYPERLINK("http://zlo.example")', email=""),
            ),
            paper_remark(consultation, clerk),
        ]
        yield {"clerk": clerk, "consultation": consultation, "remarks": remarks}


def edited(consultation, changes):
    workbook = load_workbook(io.BytesIO(register_xlsx(consultation)))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    for row in range(2, sheet.max_row + 1):
        reference = sheet.cell(row, col["Numer"]).value
        if reference in changes:
            decision, justification = changes[reference]
            sheet.cell(row, col["Rozstrzygnięcie"]).value = decision
            sheet.cell(row, col["Uzasadnienie rozstrzygnięcia"]).value = justification
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


@pytest.mark.django_db
def test_the_export_keeps_formulas_as_text(register):
    workbook = load_workbook(io.BytesIO(register_xlsx(register["consultation"])))
    values = [c.value for row in workbook.worksheets[0].iter_rows() for c in row]
    assert '=HYPERLINK("http://zlo.example")' in values
    cells = [
        c
        for row in workbook.worksheets[0].iter_rows()
        for c in row
        if c.value == '=HYPERLINK("http://zlo.example")'
    ]
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.django_db
def test_edited_decisions_come_back_as_drafts_awaiting_approval(register):
    first, second = register["remarks"]
    upload = edited(
        register["consultation"],
        {
            first.reference: ("nieuwzględniona", "Niezgodne z planem."),
            second.reference: ("Uwzględniona", "Słusznie."),
        },
    )
    rows = decisions_read(upload, size=None)
    changed = decisions_import(
        acting_user=register["clerk"], consultation_id=register["consultation"].pk, rows=rows
    )
    assert changed == 2
    assert Response.objects.get(remark=first).decision == "rejected"
    assert Response.objects.get(remark=second).decision == "accepted"
    assert not Response.objects.filter(approved_at__isnull=False).exists()


@pytest.mark.django_db
def test_one_bad_row_applies_nothing(register):
    first, second = register["remarks"]
    upload = edited(
        register["consultation"],
        {
            first.reference: ("nieuwzględniona", "Niezgodne z planem."),
            second.reference: ("może kiedyś", ""),
        },
    )
    rows = decisions_read(upload, size=None)
    with pytest.raises(ValidationError) as caught:
        decisions_import(
            acting_user=register["clerk"], consultation_id=register["consultation"].pk, rows=rows
        )
    text = " ".join(caught.value.messages)
    assert "Wiersz 3" in text and second.reference in text
    assert not Response.objects.filter(remark__in=register["remarks"]).exists()


def _bomb(megabytes: int = 60) -> io.BytesIO:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package,
        package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(megabytes):
            member.write(b"\0" * (1024 * 1024))
    buffer.seek(0)
    return buffer


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [lambda: io.BytesIO(exe_bytes()), lambda: io.BytesIO(b"PK\x03\x04zepsute"), _bomb],
)
def test_a_malformed_file_gets_a_message_and_changes_nothing(register, make):
    with pytest.raises(ValidationError) as caught:
        decisions_read(make(), size=None)
    assert "file" in caught.value.message_dict


@pytest.mark.django_db
def test_a_zip_bomb_is_named_as_too_large_not_as_a_broken_file(register):
    # 40 MB of zeros stays under the 50 MB total but inflates about 1000:1 (SafeZip: 100:1).
    with pytest.raises(ValidationError) as caught:
        decisions_read(_bomb(40), size=None)
    assert caught.value.message_dict["file"] == ["Skoroszyt po rozpakowaniu jest za duży."]


@pytest.mark.django_db
def test_a_workbook_without_the_columns_is_refused(register):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Coś", "Innego"])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    with pytest.raises(ValidationError) as caught:
        decisions_read(out, size=None)
    assert "Numer" in " ".join(caught.value.messages)
