"""Reading the live stack's file mailbox message by message (several mails to one address)."""

from __future__ import annotations

import email
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage

from tests.conftest import LiveStack


def messages_to(live_stack: LiveStack, address: str) -> list[EmailMessage]:
    found = []
    # Parsed from bytes: from a str, an 8bit UTF-8 body comes back as \uXXXX.
    for path in sorted(live_stack.mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip(), policy=policy.default)
            if message["To"] == address:
                found.append(message)
    return found


def wait_for_message(
    live_stack: LiveStack,
    address: str,
    where: Callable[[EmailMessage], bool],
    seconds: float = 30,
) -> EmailMessage:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in messages_to(live_stack, address):
            if where(message):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no such mail to {address} within {seconds} s")


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
