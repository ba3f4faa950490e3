"""A minimal SMTP server for tests: records each message it accepts, and can hold a delivery.

It speaks the part of RFC 5321 Django's SMTP backend uses (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT). A message counts as delivered only once the server has answered "250" to
its final dot, as a real MTA takes responsibility for it then. ``hold_at(n)`` makes the n-th
MAIL command (1-based) wait without an answer until ``release()``: a test can kill the
sender at a known point of a batch.
"""

from __future__ import annotations

import email
import socketserver
import threading
from email import policy
from email.message import EmailMessage


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._mail_commands = 0
        self._hold_at: int | None = None
        self.held = threading.Event()
        self._released = threading.Event()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                sink._session(self)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold_at(self, n: int) -> None:
        self._hold_at, self._mail_commands = n, 0
        self.held.clear()
        self._released.clear()

    def release(self) -> None:
        self._hold_at = None
        self._released.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def _session(self, handler: socketserver.StreamRequestHandler) -> None:
        def reply(line: str) -> None:
            handler.wfile.write(line.encode() + b"\r\n")
            handler.wfile.flush()

        reply("220 sink ESMTP")
        while raw := handler.rfile.readline():
            command = raw.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                reply("250 sink")
            elif verb == "MAIL":
                with self._lock:
                    self._mail_commands += 1
                    hold = self._hold_at is not None and self._mail_commands == self._hold_at
                if hold:
                    self.held.set()
                    self._released.wait(120)
                reply("250 OK")
            elif verb == "RCPT" or verb in ("RSET", "NOOP"):
                reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (line := handler.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                if not line:
                    return  # the client went away mid-message: nothing was accepted
                message = email.message_from_bytes(b"".join(lines), policy=policy.default)
                reply("250 OK queued")
                with self._lock:
                    self.messages.append(message)  # type: ignore[arg-type]
            elif verb == "QUIT":
                reply("221 Bye")
                return
            else:
                reply("502 Command not implemented")
