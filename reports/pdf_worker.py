"""A process that lays out and writes parts of the report's PDF for reports.formats.pdf.

    python -m reports.pdf_worker

It imports WeasyPrint and nothing of Django (a small process: its memory is one part's
layout), reads requests from its standard input and answers on its standard output, one at
a time, each message a kind byte, a length (8 bytes, big-endian) and the payload:

- ``L`` + the part's HTML document (UTF-8): lay it out, answer ``P`` + its page count (ASCII);
- ``W``: write the part laid out last as a tagged PDF (PDF/UA-1), answer ``D`` + its bytes,
  and free its layout.

A failure answers ``E`` + the error's text; the process ends when its input is closed. The
parent lays out part k+1 in one process while the other writes part k: a part's page
numbers need the page count of every part before it, so layouts follow each other and the
writing (about 40 % of the work) runs beside them."""

from __future__ import annotations

import gc
import os
import traceback
from typing import IO, Any

LAYOUT = b"L"
WRITE = b"W"
PAGES = b"P"
DONE = b"D"
ERROR = b"E"


def message_send(stream: IO[bytes], kind: bytes, payload: bytes = b"") -> None:
    stream.write(kind + len(payload).to_bytes(8, "big"))
    stream.write(payload)
    stream.flush()


def _read(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the other process closed the pipe")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def message_receive(stream: IO[bytes]) -> tuple[bytes, bytes]:
    head = _read(stream, 9)
    return head[:1], _read(stream, int.from_bytes(head[1:], "big"))


def main() -> None:
    # Answers go to the original standard output; anything printed goes to stderr instead.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = os.fdopen(os.dup(0), "rb")
    import weasyprint

    from common.fonts import FONT_DIR

    document: Any = None
    while True:
        try:
            kind, payload = message_receive(requests)
        except EOFError:
            return
        try:
            if kind == LAYOUT:
                document = None
                document = weasyprint.HTML(string=payload.decode(), base_url=str(FONT_DIR)).render(
                    pdf_variant="pdf/ua-1"
                )
                message_send(answers, PAGES, str(len(document.pages)).encode())
            elif kind == WRITE:
                content = document.write_pdf(pdf_variant="pdf/ua-1")
                document = None
                gc.collect()
                message_send(answers, DONE, content)
            else:
                raise ValueError(f"unknown request {kind!r}")
        except Exception:  # noqa: BLE001 - any failure goes to the parent, which raises it
            message_send(answers, ERROR, traceback.format_exc().encode())


if __name__ == "__main__":
    main()
