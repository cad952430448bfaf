"""A real SMTP server for tests (aiosmtpd) on a loopback port, that can be down and come back.

``TestMailServer(port)`` starts nothing until :meth:`start`; while stopped,
connections to its port are refused, as with a mail server that is down.
With ``tls=True`` it offers STARTTLS with a certificate made for 127.0.0.1
(:func:`make_certificate`, with the ``cryptography`` package) and requires it;
with ``password`` it requires AUTH LOGIN/PLAIN with user ``journal``.
Received messages are in :attr:`messages` (``email.message.EmailMessage``).
"""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and its key; return their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "journal test mail server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "mail-cert.pem", folder / "mail-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Collect:
    def __init__(self, server: "TestMailServer"):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        self.server.messages.append(parsed)
        self.server.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


class TestMailServer:
    """An aiosmtpd server on 127.0.0.1:``port`` that tests start and stop."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, port: int | None = None, *, tls_files: tuple[Path, Path] | None = None,
                 password: str | None = None):
        self.port = port or free_port()
        self.tls_files = tls_files
        self.password = password
        self.messages: list = []
        self.recipients: list[list[str]] = []
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (getattr(auth_data, "login", b"") == b"journal"
              and getattr(auth_data, "password", b"") == (self.password or "").encode())
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself

    def start(self) -> "TestMailServer":
        """Start listening (again)."""
        kwargs: dict = {}
        if self.tls_files:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, self.tls_files))
            kwargs.update(tls_context=context, require_starttls=True)
        if self.password is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True,
                          auth_require_tls=bool(self.tls_files))
        self._controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port,
                                      ready_timeout=10, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self, **more) -> dict:
        """App settings that send through this server."""
        return {"JOURNAL_SMTP_HOST": "127.0.0.1", "JOURNAL_SMTP_PORT": self.port,
                "JOURNAL_SMTP_SECURITY": "starttls" if self.tls_files else "none",
                "JOURNAL_SMTP_SENDER": "logboek@school.test",
                "JOURNAL_SMTP_CA_FILE": str(self.tls_files[0]) if self.tls_files else "",
                "JOURNAL_SMTP_USERNAME": "journal" if self.password is not None else "",
                "JOURNAL_SMTP_PASSWORD": self.password or "",
                "JOURNAL_SMTP_TIMEOUT_SECONDS": 5, **more}
