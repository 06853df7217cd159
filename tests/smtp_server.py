"""A real SMTP server on localhost for tests and the send benchmark (aiosmtpd).

`LocalSmtp` keeps every message it accepted (envelope and parsed message); with
`user`/`password` it requires a login (AUTH over the plain local connection).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalSmtp:
    def __init__(self, user: str = "", password: str = "") -> None:
        self.handler = _Handler()
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if user:

            def authenticator(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
                ok = isinstance(data, LoginPassword) and (
                    data.login.decode() == user and data.password.decode() == password
                )
                return AuthResult(success=ok, handled=False)

            kwargs = {
                "auth_required": True,
                "auth_require_tls": False,
                "authenticator": authenticator,
            }
        self.kwargs = kwargs
        self.controller: Controller | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        """Start (again, after `stop`: a new server on the same port, same mailbox)."""
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
