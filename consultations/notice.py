"""The announcement of a consultation (obwieszczenie / ogłoszenie), drawn from its data.

``notice_build`` gathers what the announcement says into a :class:`Notice` (plain sections of
plain paragraphs); ``notice_pdf`` and ``notice_odt`` draw the same notice as a PDF (fpdf2 with
Roboto, as billing's order confirmation) and as an OpenDocument text written by hand (a ZIP
with ``mimetype`` first and stored, ``content.xml``, ``styles.xml``, ``meta.xml`` and the
manifest: ODF 1.3 part 2, "Packages"). The announcement is an official Polish document, so
it is always drawn in Polish whatever language the person asking for it reads.

What it holds (issue 8): the municipality and its office, the subject, the legal basis with
the article (``consultations.legal_basis``), the dates, each form of participation in use
with its window, address and what its kind adds (places and times of meetings), how and
where to submit remarks, where the documents are, and the information clause of art. 13
RODO (Regulation (EU) 2016/679), whose ust. 1 a)–f) and ust. 2 a)–f) list what a controller
collecting data from the person must give (text read at erodo.pl and afterlegal.pl).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from common.fonts import roboto_add
from consultations import participation
from consultations.legal_basis import legal_basis_citation
from consultations.models import Consultation, ParticipationForm
from tenants.models import Municipality, MunicipalityKind

NOTICE_LANGUAGE = "pl"
ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class NoticeSection:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    issuer: tuple[str, ...]  # the municipality, its office, the organising department
    title: str
    subtitle: str
    sections: tuple[NoticeSection, ...]

    def text(self) -> str:
        """All of it as plain text: what the digest is taken of (and what tests read)."""
        parts = [*self.issuer, self.title, self.subtitle]
        for section in self.sections:
            parts.append(section.heading)
            parts.extend(section.paragraphs)
        return "\n".join(parts)

    def digest(self) -> str:
        return hashlib.sha256(self.text().encode()).hexdigest()


# The office that serves each kind of local government (the names of the statutes on
# municipal, county and voivodeship self-government: urząd gminy / miasta, starostwo
# powiatowe, urząd marszałkowski).
_OFFICES: dict[str, str] = {
    MunicipalityKind.GMINA: "Urząd Gminy",
    MunicipalityKind.MIASTO: "Urząd Miasta",
    MunicipalityKind.POWIAT: "Starostwo Powiatowe",
    MunicipalityKind.WOJEWODZTWO: "Urząd Marszałkowski",
    MunicipalityKind.ZWIAZEK: "Biuro Związku",
}


def municipality_office(municipality: Municipality) -> str:
    return _OFFICES.get(municipality.kind, "Urząd")


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return _("%(date)s, %(time)s") % {
        "date": formats.date_format(local, "j E Y"),
        "time": local.strftime("%H:%M"),
    }


def _url(name: str, slug: str, base_url: str) -> str | None:
    try:
        return base_url + reverse(name, kwargs={"slug": slug}, urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return None


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in re.split(r"\n\s*\n|\r\n\s*\r\n", text) if line.strip())


def _forms_section(
    consultation: Consultation, forms: list[ParticipationForm], base_url: str
) -> NoticeSection:
    paragraphs: list[str] = []
    for form in forms:
        kind = participation.kind_get(form.kind)
        if kind is None:
            continue  # its app is not installed: residents cannot use it
        line = _("%(form)s: from %(start)s to %(end)s.") % {
            "form": kind.label,
            "start": _when(form.window_starts_at),
            "end": _when(form.window_ends_at),
        }
        url = kind.resident_url_name and _url(kind.resident_url_name, consultation.slug, base_url)
        if url:
            line += " " + _("Address: %(url)s") % {"url": url}
        paragraphs.append(line)
        paragraphs.extend(f"– {extra}" for extra in kind.notice_lines(consultation))
    if not paragraphs:
        paragraphs.append(_("The forms of participation will be announced on the website."))
    return NoticeSection(_("Forms of participation"), tuple(paragraphs))


def _remarks_section(
    consultation: Consultation,
    forms: list[ParticipationForm],
    office: str,
    municipality: Municipality,
    base_url: str,
) -> NoticeSection:
    paragraphs = [
        _("Remarks and opinions may be submitted from %(start)s to %(end)s:")
        % {"start": _when(consultation.starts_at), "end": _when(consultation.ends_at)}
    ]
    for form in forms:
        kind = participation.kind_get(form.kind)
        if kind is None or "submit" not in kind.resident_actions or not kind.resident_url_name:
            continue
        url = _url(kind.resident_url_name, consultation.slug, base_url)
        if url:
            paragraphs.append(_("– electronically, through the form at %(url)s;") % {"url": url})
    if consultation.contact_email:
        paragraphs.append(_("– by e-mail to %(email)s;") % {"email": consultation.contact_email})
    paragraphs.append(
        _(
            "– on paper, delivered in person or by post to the %(office)s of %(name)s, "
            "marked with the title of the consultation."
        )
        % {"office": office, "name": municipality.name}
    )
    return NoticeSection(_("How and where to submit remarks"), tuple(paragraphs))


def _privacy_section(municipality: Municipality, office: str, base_url: str) -> NoticeSection:
    """The information clause of art. 13 RODO, ust. 1 and 2, point by point."""
    privacy_url = base_url + reverse("privacy_notice", urlconf=settings.ROOT_URLCONF)
    contact = municipality.contact_email or privacy_url
    processor = settings.BILLING_PROVIDER["name"]
    return NoticeSection(
        _("Information on the processing of personal data (art. 13 GDPR)"),
        (
            # art. 13 ust. 1 a): the controller's identity and contact details
            _(
                "1. The controller of the personal data of the participants is %(name)s, "
                "served by the %(office)s; contact: %(contact)s."
            )
            % {"name": municipality.name, "office": office, "contact": contact},
            # art. 13 ust. 1 b): the data protection officer's contact details
            _(
                "2. The data protection officer can be contacted at %(contact)s; their details "
                "are also given in the privacy notice at %(url)s."
            )
            % {"contact": contact, "url": privacy_url},
            # art. 13 ust. 1 c): purposes and legal basis
            _(
                "3. The data are processed to carry out this consultation and to publish its "
                "results, as a task in the public interest and a legal obligation of the "
                "controller (art. 6(1)(c) and (e) GDPR), under the provision named above."
            ),
            # art. 13 ust. 1 e) and f): recipients, no transfer outside the EEA
            _(
                "4. The data may be entrusted to %(processor)s, which runs the consultation "
                "platform on the controller's behalf, and to other entities entitled by law. "
                "They are not transferred outside the European Economic Area."
            )
            % {"processor": processor},
            # art. 13 ust. 2 a): retention
            _(
                "5. The data are kept for as long as the rules on archiving the controller's "
                "records require; in the published report remarks appear without the names "
                "of private persons."
            ),
            # art. 13 ust. 2 b) and d): rights, complaint to the supervisory authority
            _(
                "6. Every participant has the right of access to their data, to rectification, "
                "erasure or restriction of processing, and to object, within the limits of "
                "the law, and the right to lodge a complaint with the President of the "
                "Personal Data Protection Office (PUODO)."
            ),
            # art. 13 ust. 2 e) and f): whether providing data is required; no profiling
            _(
                "7. Giving personal data is voluntary, unless the law governing the "
                "consultation requires the author of a remark to be identified; without them "
                "such a remark cannot be considered. The data are not used for automated "
                "decision-making or profiling."
            ),
        ),
    )


def notice_build(
    consultation: Consultation,
    *,
    municipality: Municipality,
    announced_at: datetime | None = None,
) -> Notice:
    """The announcement of ``consultation``, in Polish, from its current data."""
    with translation.override(NOTICE_LANGUAGE):
        return _notice_build(consultation, municipality, announced_at)


def _notice_build(
    consultation: Consultation, municipality: Municipality, announced_at: datetime | None
) -> Notice:
    base_url = municipality.site_url.rstrip("/")
    office = municipality_office(municipality)
    forms = list(consultation.participation_forms.all())
    page_url = _url("consultation_detail", consultation.slug, base_url) or base_url
    citation = legal_basis_citation(consultation.legal_basis)
    issuer = [municipality.name, office]
    if consultation.department_id:
        issuer.append(str(consultation.department))
    announced = announced_at or consultation.scheduled_at or timezone.now()

    subject = [consultation.title]
    if consultation.summary:
        subject.append(consultation.summary)
    subject.extend(_paragraphs(consultation.description))

    basis = [str(consultation.get_legal_basis_display())]
    if citation:
        basis.append(
            _("The consultation is carried out under %(citation)s.") % {"citation": citation}
        )

    sections = [
        NoticeSection(
            "",
            (
                _(
                    "%(name)s announces a public consultation and invites residents and all "
                    "interested parties to take part."
                )
                % {"name": municipality.name},
                _("Date of the announcement: %(date)s.")
                % {"date": formats.date_format(timezone.localtime(announced), "j E Y")},
            ),
        ),
        NoticeSection(_("Subject of the consultation"), tuple(subject)),
        NoticeSection(_("Legal basis"), tuple(basis)),
        NoticeSection(
            _("Dates"),
            (
                _("The consultation runs from %(start)s to %(end)s.")
                % {"start": _when(consultation.starts_at), "end": _when(consultation.ends_at)},
            ),
        ),
        _forms_section(consultation, forms, base_url),
        _remarks_section(consultation, forms, office, municipality, base_url),
        NoticeSection(
            _("Where the documents are"),
            (
                _(
                    "The draft and the information materials can be read and downloaded at "
                    "%(url)s, where the results of the consultation will also be published."
                )
                % {"url": page_url},
            ),
        ),
    ]
    contact = ", ".join(
        part
        for part in (
            consultation.contact_name,
            consultation.contact_email,
            consultation.contact_phone
            and _("phone %(phone)s") % {"phone": consultation.contact_phone},
        )
        if part
    )
    if contact:
        sections.append(NoticeSection(_("Contact"), (contact,)))
    sections.append(_privacy_section(municipality, office, base_url))
    return Notice(
        issuer=tuple(issuer),
        title=_("Announcement of a public consultation"),
        subtitle=consultation.title,
        sections=tuple(sections),
    )


# --- PDF ---------------------------------------------------------------------------------------


def notice_pdf(notice: Notice) -> bytes:
    """The notice as an A4 PDF with embedded Roboto (every Polish letter)."""
    doc = FPDF(format="A4")
    doc.set_title(f"{notice.title}: {notice.subtitle}")
    doc.set_author(notice.issuer[0])
    doc.set_lang("pl")
    roboto_add(doc)
    doc.set_auto_page_break(auto=True, margin=15)
    doc.add_page()
    width = doc.epw

    doc.set_font("Roboto", "B", 11)
    for line in notice.issuer:
        doc.multi_cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.set_font("Roboto", "B", 16)
    doc.multi_cell(width, 8, notice.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Roboto", "B", 13)
    doc.multi_cell(width, 7, notice.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    for section in notice.sections:
        if section.heading:
            doc.ln(2)
            doc.set_font("Roboto", "B", 12)
            doc.multi_cell(width, 6, section.heading, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Roboto", "", 10)
        for paragraph in section.paragraphs:
            # Left-aligned: justified lines around long addresses leave wide gaps.
            doc.multi_cell(width, 5, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
            doc.ln(1)
    return bytes(doc.output())


# --- ODT ---------------------------------------------------------------------------------------

# Characters XML 1.0 does not allow, which pasted text can carry.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)

_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_NS} office:version="1.3">
<office:font-face-decls>
<style:font-face style:name="Roboto" svg:font-family="Roboto"/>
</office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph">
<style:paragraph-properties fo:margin-bottom="0.2cm"/>
<style:text-properties style:font-name="Roboto" fo:font-size="10.5pt"
 fo:language="pl" fo:country="PL"/>
</style:default-style>
<style:style style:name="Standard" style:family="paragraph"/>
<style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph"
 style:parent-style-name="Standard"/>
<style:style style:name="Issuer" style:family="paragraph" style:parent-style-name="Standard">
<style:paragraph-properties fo:margin-bottom="0cm"/>
<style:text-properties fo:font-weight="bold"/>
</style:style>
<style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard">
<style:paragraph-properties fo:text-align="center" fo:margin-top="0.6cm"/>
<style:text-properties fo:font-size="16pt" fo:font-weight="bold"/>
</style:style>
<style:style style:name="Subtitle" style:family="paragraph" style:parent-style-name="Standard">
<style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.5cm"/>
<style:text-properties fo:font-size="13pt" fo:font-weight="bold"/>
</style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph"
 style:parent-style-name="Standard" style:default-outline-level="2">
<style:paragraph-properties fo:margin-top="0.4cm"/>
<style:text-properties fo:font-size="12pt" fo:font-weight="bold"/>
</style:style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="A4">
<style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2cm"
 fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/>
</style:page-layout>
</office:automatic-styles>
<office:master-styles>
<style:master-page style:name="Standard" style:page-layout-name="A4"/>
</office:master-styles>
</office:document-styles>
"""

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" manifest:version="1.3"
 manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def _x(text: str) -> str:
    return escape(_XML_FORBIDDEN.sub("", text))


def notice_odt(notice: Notice) -> bytes:
    """The notice as an OpenDocument text (ODF 1.3), readable by LibreOffice and Word."""
    body: list[str] = [
        f'<text:p text:style-name="Issuer">{_x(line)}</text:p>' for line in notice.issuer
    ]
    body.append(
        '<text:h text:style-name="Title" text:outline-level="1">'
        f"{_x(notice.title.upper())}</text:h>"
    )
    body.append(f'<text:p text:style-name="Subtitle">{_x(notice.subtitle)}</text:p>')
    for section in notice.sections:
        if section.heading:
            body.append(
                '<text:h text:style-name="Heading_20_2" text:outline-level="2">'
                f"{_x(section.heading)}</text:h>"
            )
        body.extend(
            f'<text:p text:style-name="Text_20_body">{_x(paragraph)}</text:p>'
            for paragraph in section.paragraphs
        )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-content {_NS} office:version="1.3">'
        "<office:body><office:text>" + "".join(body) + "</office:text></office:body>"
        "</office:document-content>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-meta {_NS} office:version="1.3"><office:meta>'
        f"<dc:title>{_x(notice.title + ': ' + notice.subtitle)}</dc:title>"
        "<dc:language>pl-PL</dc:language>"
        f"<meta:generator>{_x(settings.PLATFORM_NAME)}</meta:generator>"
        "</office:meta></office:document-meta>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        # ODF packages: "mimetype" is the first member, stored uncompressed, so that the type
        # can be read at a fixed offset.
        package.writestr(
            zipfile.ZipInfo("mimetype"), ODT_MIMETYPE, compress_type=zipfile.ZIP_STORED
        )
        package.writestr("content.xml", content)
        package.writestr("styles.xml", _STYLES)
        package.writestr("meta.xml", meta)
        package.writestr("META-INF/manifest.xml", _MANIFEST)
    return buffer.getvalue()
