"""A real SMTP server for the mail tests: aiosmtpd on a free local port, collecting what it
receives. ``stop()`` and ``start()`` take it down and bring it back on the same port."""
from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from conftest import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


class _Collector:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope: Envelope, address, rcpt_options):
        if address in self.server.refused:
            return "550 5.1.1 Hộp thư không tồn tại"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                                 message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.received: list[Received] = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.recipients]
