"""The report as a tagged PDF (WeasyPrint, PDF/UA-1 variant): a structure tree from the HTML
headings, tables with header cells, /Lang pl, the charts' alt text, and the Roboto font
(every Polish letter; from the font-roboto package on PyPI) embedded as a subset.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0);
`make report-deps` installs them where they are missing."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _

from common.fonts import FONT_DIR
from reports import pdf_worker
from reports.formats.html import PRINT_PART_BREAK, report_body_html

CSS = """
@font-face { font-family: Roboto; src: url("%(regular)s"); font-weight: normal; }
@font-face { font-family: Roboto; src: url("%(bold)s"); font-weight: bold; }
@page { size: A4; margin: 18mm 15mm 20mm;
  @bottom-right { content: counter(page); font: 9pt Roboto; } }
@page :first { counter-reset: page %(first_page)s; }
@page wide { size: A4 landscape; }
html { font: 10pt/1.4 Roboto, sans-serif; color: #111; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; break-after: avoid; }
h3 { font-size: 11pt; break-after: avoid; }
dl.facts { display: grid; grid-template-columns: 45mm 1fr; gap: 1mm 5mm; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%%; margin: 3mm 0; font-size: 8.5pt;
  table-layout: fixed; }
table.print-chunk + table.print-chunk { margin-top: 0; }
caption { text-align: left; font-weight: bold; padding-bottom: 1mm; }
th, td { border: 0.5pt solid #777; padding: 1mm 1.5mm; vertical-align: top; text-align: left;
  overflow-wrap: break-word; }
thead { display: table-header-group; } tr { break-inside: avoid; }
table.wide { font-size: 7.5pt; page: wide; }
figure { margin: 3mm 0; } figure img { width: 160mm; }
figcaption { font-style: italic; }
"""


def _document(title: str, data: dict[str, Any], body: str, *, pages_before: int) -> str:
    css = CSS % {
        "regular": (FONT_DIR / "Roboto-Regular.ttf").as_uri(),
        "bold": (FONT_DIR / "Roboto-Bold.ttf").as_uri(),
        "first_page": pages_before + 1,  # WeasyPrint shows the reset value on that page
    }
    return (
        f'<!doctype html><html lang="{escape(data.get("lang", "pl"))}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f'<meta name="author" content="{escape(data["municipality"])}">'
        f"<style>{css}</style></head><body>{body}</body></html>"
    )


def report_document_parts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's title and its body cut at the print tables' part marks
    (reports.formats.html): each part is rendered as a document of its own."""
    title = _("Report on the consultation: %(title)s") % {"title": data["title"]}
    version = data.get("version_label") or ""
    body = (
        f"<h1>{escape(title)}</h1>"
        f"<p>{escape(data['municipality'])}{' – ' + escape(version) if version else ''}</p>"
        + report_body_html(data, level=2, for_print=True)
    )
    return [(title, part) for part in body.split(PRINT_PART_BREAK)]


# How many processes lay out and write the parts of a long report (reports.pdf_worker).
PDF_WORKERS = 2


def render_pdf(data: dict[str, Any]) -> bytes:
    """A short report is laid out and written here. A long one comes in parts (each laid out
    and written by WeasyPrint on its own, its layout freed before the next: memory stays that
    of one part) rendered by ``PDF_WORKERS`` worker processes (``_PartWorkers``), then the
    parts' pages and structure trees are joined into one tagged PDF (``merge_tagged``)."""
    parts = report_document_parts(data)
    if len(parts) == 1:
        import weasyprint

        title, body = parts[0]
        return weasyprint.HTML(
            string=_document(title, data, body, pages_before=0), base_url=str(FONT_DIR)
        ).write_pdf(pdf_variant="pdf/ua-1")
    with _PartWorkers(PDF_WORKERS) as workers:
        written = workers.render(
            lambda index, pages_before: _document(
                parts[index][0], data, parts[index][1], pages_before=pages_before
            ),
            len(parts),
        )
    return merge_tagged(written)


class _PartWorkers:
    """Worker processes (``python -m reports.pdf_worker``: WeasyPrint without Django) fed
    through pipes. A part's page numbers start after the pages of the parts before it, so
    part k+1 is laid out once part k's layout has given its page count, while part k is
    written in its own process: the layouts follow each other and the writing runs beside
    them. Separate processes rather than a fork of this one: the Celery worker's memory is
    not copied, each stays the size of one part, and they end with the job."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> _PartWorkers:
        root = Path(__file__).resolve().parent.parent.parent
        try:
            for _index in range(self.count):
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "reports.pdf_worker"],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        cwd=root,
                    )
                )
        except BaseException:
            self.__exit__()  # the workers already started end with the failure
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        # Both pipes closed first: a worker ends on the end of its input, and one blocked
        # writing a reply nobody will read gets a broken pipe instead of stalling the wait.
        # A pipe to a worker that died may fail to close; that must not leave the others.
        for process in self.processes:
            for pipe in (process.stdin, process.stdout):
                if pipe:
                    with contextlib.suppress(OSError):
                        pipe.close()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _ask(self, process: subprocess.Popen[bytes], kind: bytes, payload: bytes = b"") -> None:
        assert process.stdin is not None
        pdf_worker.message_send(process.stdin, kind, payload)

    def _answer(self, process: subprocess.Popen[bytes], expected: bytes) -> bytes:
        assert process.stdout is not None
        try:
            kind, payload = pdf_worker.message_receive(process.stdout)
        except EOFError as exc:
            raise RuntimeError(f"a PDF worker ended (exit code {process.wait()})") from exc
        if kind != expected:
            raise RuntimeError(f"a PDF worker failed:\n{payload.decode(errors='replace')}")
        return payload

    def render(self, document: Callable[[int, int], str], count: int) -> list[bytes]:
        """Each part's PDF; ``document(index, pages_before)`` gives a part's HTML."""
        written: list[bytes] = [b""] * count
        writing: dict[int, int] = {}  # worker -> the part it is writing
        pages = 0
        for index in range(count):
            worker = index % self.count
            process = self.processes[worker]
            if worker in writing:
                written[writing.pop(worker)] = self._answer(process, pdf_worker.DONE)
            self._ask(process, pdf_worker.LAYOUT, document(index, pages).encode())
            pages += int(self._answer(process, pdf_worker.PAGES))
            self._ask(process, pdf_worker.WRITE)
            writing[worker] = index
        for worker, index in writing.items():
            written[index] = self._answer(self.processes[worker], pdf_worker.DONE)
        return written


# An indirect reference in unparsed PDF syntax, or a string (kept as it is: qpdf writes a
# literal string's parentheses escaped, and a hex string has no spaces worth matching).
_TOKEN = re.compile(rb"(\((?:\\.|[^\\)])*\))|(<[0-9A-Fa-f\s]*>)|(?<![\w.+-])(\d+) (\d+) R\b")
# Objects packed into each compressed object stream of the joined file.
_OBJECT_STREAM_SIZE = 200


class _JoinedPdf:
    """The joined file, written as it goes: objects from the parts are renumbered into it one
    part at a time, non-stream ones packed into compressed object streams, and the
    cross-reference stream written at the end. Only the numbering and the parent tree's
    entries are kept between parts, never the parts' objects."""

    def __init__(self, version: str) -> None:
        self.out = io.BytesIO()
        self.out.write(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))
        self.count = 0
        self.offsets: dict[int, tuple[int, int, int]] = {}  # number -> xref entry
        self.packed: list[tuple[int, bytes]] = []

    def number(self) -> int:
        self.count += 1
        return self.count

    def add(self, number: int, body: bytes) -> None:
        self.packed.append((number, body))
        if len(self.packed) >= _OBJECT_STREAM_SIZE:
            self._pack()

    def add_stream(self, number: int, head: bytes, data: bytes) -> None:
        self.offsets[number] = (1, self.out.tell(), 0)
        self.out.write(b"%d 0 obj\n%s\nstream\n" % (number, head))
        self.out.write(data)
        self.out.write(b"\nendstream\nendobj\n")

    def _pack(self) -> None:
        if not self.packed:
            return
        container = self.number()
        index, bodies, offset = [], [], 0
        for position, (number, body) in enumerate(self.packed):
            index.append(b"%d %d" % (number, offset))
            bodies.append(body)
            offset += len(body) + 1
            self.offsets[number] = (2, container, position)
        head = b" ".join(index) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies) + b"\n", 6)
        self.add_stream(
            container,
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
            % (len(self.packed), len(head), len(data)),
            data,
        )
        self.packed = []

    def finish(self, root: int, info: int | None) -> bytes:
        self._pack()
        xref = self.number()
        self.offsets[xref] = (1, self.out.tell(), 0)
        size = self.count + 1
        rows = [b"\x00\x00\x00\x00\x00\xff\xff"]  # object 0: free
        for number in range(1, size):
            kind, a, b = self.offsets.get(number, (0, 0, 0))
            rows.append(bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big"))
        data = zlib.compress(b"".join(rows), 6)
        ident = (
            hashlib.md5(self.out.getbuffer()[: 1 << 16], usedforsecurity=False).hexdigest().encode()
        )
        self.out.write(
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R%s /ID [ <%s> <%s> ] "
            b"/Filter /FlateDecode /Length %d >>\nstream\n"
            % (
                xref,
                size,
                root,
                b" /Info %d 0 R" % info if info else b"",
                ident,
                ident,
                len(data),
            )
        )
        self.out.write(data)
        self.out.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % self.offsets[xref][1])
        return self.out.getvalue()


def merge_tagged(parts: list[bytes]) -> bytes:
    """One PDF of the parts' pages in order, keeping the first part's catalogue (/Lang,
    /MarkInfo, metadata, names) and joining the structure trees: every part's top-level
    structure elements go under one /Document element, and its /ParentTree entries (one per
    page, then one per link annotation) are renumbered after the ones already there, as are
    the pages' /StructParents and the annotations' /StructParent. The parts' bookmarks
    follow the first part's. Each part is read with pikepdf (qpdf) and its objects written
    out renumbered (``_JoinedPdf``) before the next is read: joining them into one qpdf
    document held the whole structure tree, about 300 MB at 5,000 register rows."""
    import pikepdf

    first = pikepdf.Pdf.open(io.BytesIO(parts[0]))
    joined = _JoinedPdf(str(first.pdf_version))
    catalog, pages_root, tree_root, document, parent_tree = (joined.number() for _ in range(5))
    page_numbers: list[int] = []
    top_level: list[bytes] = []
    nums: list[bytes] = []
    outline: list[dict[str, Any]] = []
    next_key = 0
    first_catalog = info = b""
    for index, data in enumerate(parts):
        part = first if index == 0 else pikepdf.Pdf.open(io.BytesIO(data))
        numbers: dict[tuple[int, int], int] = {}

        def renumber(
            match: re.Match[bytes], numbers: dict[tuple[int, int], int] = numbers
        ) -> bytes:
            if match.group(3) is None:
                return match.group(0)
            key = (int(match.group(3)), int(match.group(4)))
            if key not in numbers:
                numbers[key] = joined.number()
            return b"%d 0 R" % numbers[key]

        def unparse(obj: Any, renumber: Callable[[re.Match[bytes]], bytes] = renumber) -> bytes:
            return _TOKEN.sub(renumber, obj.unparse(resolved=True))

        root = part.Root
        tree = root.StructTreeRoot
        part_document = tree.K[0]
        numbers[root.Pages.objgen] = pages_root
        numbers[part_document.objgen] = document
        numbers[tree.objgen] = tree_root
        skip = {root.objgen, root.Pages.objgen, tree.objgen, part_document.objgen}
        if tree.ParentTree.is_indirect:
            skip.add(tree.ParentTree.objgen)
        if "/Outlines" in root:
            skip.update(_outline_objects(root.Outlines))
        if index:
            if "/Metadata" in root:
                skip.add(root.Metadata.objgen)
            if "/Info" in part.trailer and part.trailer.Info.is_indirect:
                skip.add(part.trailer.Info.objgen)
        page_index = {page.obj.objgen: i for i, page in enumerate(part.pages)}
        for page in part.pages:
            page.obj.StructParents = next_key + int(page.obj.StructParents)
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = next_key + int(annotation.StructParent)
        if index == 0:
            first_catalog = b" ".join(
                b"%s %s" % (key.encode(), unparse(value))
                for key, value in root.items()
                if key not in ("/Pages", "/StructTreeRoot", "/Outlines", "/Type")
            )
            if "/Info" in part.trailer:
                info = unparse(part.trailer.Info)
        offset = len(page_numbers)
        for page in part.pages:
            numbers.setdefault(page.obj.objgen, joined.number())
            page_numbers.append(numbers[page.obj.objgen])
        top_level.extend(_reference(kid, renumber) for kid in part_document.K)
        part_nums = tree.ParentTree.Nums
        for i in range(0, len(part_nums), 2):
            value = part_nums[i + 1]
            nums.append(b"%d %s" % (next_key + int(part_nums[i]), _reference(value, renumber)))
        next_key += max(int(part_nums[i]) for i in range(0, len(part_nums), 2)) + 1
        if "/Outlines" in root:
            items = [
                _outline_read(item, offset, page_index) for item in _outline_children(root.Outlines)
            ]
            # A part after the first has no <h1>: its headings go under the report's.
            target = outline[-1]["children"] if outline and index else outline
            target.extend(items)
        for obj in part.objects:
            if not obj.is_indirect or obj.objgen in skip or obj.objgen == (0, 0):
                continue
            if isinstance(obj, pikepdf.Stream):
                if obj.stream_dict.get("/Type") in ("/ObjStm", "/XRef"):
                    continue
                raw = obj.read_raw_bytes()
                obj.stream_dict.Length = len(raw)
                number = numbers.setdefault(obj.objgen, joined.number())
                joined.add_stream(number, _TOKEN.sub(renumber, obj.stream_dict.unparse()), raw)
            else:
                number = numbers.setdefault(obj.objgen, joined.number())
                joined.add(number, unparse(obj))
        if index:
            part.close()
    kids = b" ".join(b"%d 0 R" % number for number in page_numbers)
    joined.add(pages_root, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(page_numbers), kids))
    joined.add(
        tree_root,
        b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R /ParentTreeNextKey %d >>"
        % (document, parent_tree, next_key),
    )
    joined.add(
        document,
        b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>"
        % (tree_root, b" ".join(top_level)),
    )
    joined.add(parent_tree, b"<< /Nums [ %s ] >>" % b" ".join(nums))
    outlines = b""
    if outline:
        outlines = b" /Outlines %d 0 R" % _outline_write(joined, outline, page_numbers)
    joined.add(
        catalog,
        b"<< /Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R%s %s >>"
        % (pages_root, tree_root, outlines, first_catalog),
    )
    info_number = None
    if info:
        info_number = joined.number()
        joined.add(info_number, info if info.startswith(b"<<") else b"<< >>")
    first.close()
    return joined.finish(catalog, info_number)


def _reference(obj: Any, renumber: Callable[[re.Match[bytes]], bytes]) -> bytes:
    """``obj`` in the joined file's numbering: a reference when it is indirect."""
    if obj.is_indirect:
        return _TOKEN.sub(renumber, b"%d %d R" % obj.objgen)
    return _TOKEN.sub(renumber, obj.unparse(resolved=True))


def _outline_children(node: Any) -> Any:
    item = node.get("/First")
    while item is not None:
        yield item
        item = item.get("/Next")


def _outline_objects(root: Any) -> set[tuple[int, int]]:
    found = {root.objgen}
    for item in _outline_children(root):
        found |= _outline_objects(item)
    return found


def _outline_read(item: Any, offset: int, pages: dict[tuple[int, int], int]) -> dict[str, Any]:
    """A part's bookmark (WeasyPrint makes them from the headings): its title, the page in
    the joined document (``pages`` maps the part's page objects to their indexes) and the
    place on it, and its children."""
    import pikepdf

    dest = item.get("/Dest")
    page, place = 0, [b"/Fit"]
    if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].is_indirect:
        page = pages.get(dest[0].objgen, 0)
        # "[ 6 0 R /XYZ 48.5 784.8 0 ]": what follows the page
        place = [dest.unparse(resolved=True).strip()[1:-1].split(b" R", 1)[1].strip()]
    return {
        "title": item.Title.unparse(),
        "page": offset + page,
        "place": place,
        "children": [_outline_read(child, offset, pages) for child in _outline_children(item)],
    }


def _outline_write(joined: _JoinedPdf, items: list[dict[str, Any]], pages: list[int]) -> int:
    """The bookmarks' objects; the number of their /Outlines root."""
    root = joined.number()

    def write(items: list[dict[str, Any]], parent: int) -> tuple[int, int, int]:
        numbers = [joined.number() for _ in items]
        count = 0
        for i, (item, number) in enumerate(zip(items, numbers, strict=True)):
            links = [b"/Parent %d 0 R" % parent]
            if i:
                links.append(b"/Prev %d 0 R" % numbers[i - 1])
            if i + 1 < len(numbers):
                links.append(b"/Next %d 0 R" % numbers[i + 1])
            if item["children"]:
                first, last, below = write(item["children"], number)
                links.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (first, last, below))
                count += below
            dest = b"[ %d 0 R %s ]" % (pages[item["page"]], b" ".join(item["place"]))
            joined.add(
                number, b"<< /Title %s %s /Dest %s >>" % (item["title"], b" ".join(links), dest)
            )
            count += 1
        return numbers[0], numbers[-1], count

    first, last, count = write(items, root)
    joined.add(
        root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (first, last, count)
    )
    return root
