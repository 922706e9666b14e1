"""A real SMTP server for the tests (aiosmtpd, on a port of its own): it keeps every message
it accepts, and can be told to refuse the next one or to drop the connection after taking it
(the case where the sender cannot know whether the reply went)."""

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = "seller@example.test", "app-password"


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_DATA(self, smtp: SMTP, session, envelope) -> str:
        with self.server.lock:
            plan = self.server.plans.pop(0) if self.server.plans else "accept"
        if plan.startswith("refuse"):
            return plan.removeprefix("refuse ")
        mail = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.server.lock:
            self.server.received.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        if plan == "drop":
            # Taken, but the answer never reaches the sender.
            smtp.transport.close()
            return "250 queued (never heard)"
        return "250 OK queued"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    return AuthResult(success=ok)


class SmtpServer:
    """A running SMTP server on 127.0.0.1 that wants a login (USER, PASSWORD)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self.plans: list[str] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        # Login over a plain connection: the server runs on this machine only (SMTP_SECURITY=none).
        # (aiosmtpd warns of it at each connection: pyproject.toml's filterwarnings.)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      authenticator=_authenticate, auth_require_tls=False,
                                      auth_required=True)
        self._controller.start()

    def refuse_next(self, answer: str = "550 5.7.1 <x9@marketplace.amazon.com>: sender not "
                    "approved") -> None:
        """The next message is refused with `answer`."""
        with self.lock:
            self.plans.append(f"refuse {answer}")

    def drop_next(self) -> None:
        """The next message is taken, then the connection dropped before the answer."""
        with self.lock:
            self.plans.append("drop")

    def stop(self) -> None:
        """Stop serving."""
        self._controller.stop()
