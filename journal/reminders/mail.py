"""Sending mail through the school's own SMTP server (settings ``JOURNAL_SMTP_*``).

Plain :mod:`smtplib` over STARTTLS, implicit TLS ("ssl") or, for a server on
the same machine only, no encryption; certificates are checked against the
system's authorities (or ``JOURNAL_SMTP_CA_FILE``). A failure becomes a
:class:`MailError` with a short message for the admin page, never the message
itself or its recipient.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

SECURITY = ("starttls", "ssl", "none")


class MailError(RuntimeError):
    """The mail server could not be reached or refused the message."""


def configured() -> bool:
    """Return whether an SMTP server and a sender are set."""
    config = current_app.config
    return bool(config.get("JOURNAL_SMTP_HOST") and config.get("JOURNAL_SMTP_SENDER"))


def message(to: str, subject: str, text: str) -> EmailMessage:
    """Return a plain-text message from the configured sender."""
    sender = current_app.config["JOURNAL_SMTP_SENDER"]
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"  # no vacation replies to the journal
    mail.set_content(text)
    return mail


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca_file = current_app.config.get("JOURNAL_SMTP_CA_FILE")
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def send(mail: EmailMessage) -> None:
    """Deliver ``mail`` through the configured server.

    :raise MailError: not configured, unreachable, TLS failed, login or message refused.
    """
    config = current_app.config
    host = config.get("JOURNAL_SMTP_HOST")
    if not configured():
        raise MailError("no mail server configured (JOURNAL_SMTP_HOST, JOURNAL_SMTP_SENDER)")
    security = config.get("JOURNAL_SMTP_SECURITY", "starttls")
    if security not in SECURITY:
        raise MailError(f"JOURNAL_SMTP_SECURITY must be one of {', '.join(SECURITY)}")
    port = int(config.get("JOURNAL_SMTP_PORT") or (465 if security == "ssl" else 587))
    timeout = float(config.get("JOURNAL_SMTP_TIMEOUT_SECONDS", 20))
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_tls_context())
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=_tls_context())
            if config.get("JOURNAL_SMTP_USERNAME"):
                server.login(config["JOURNAL_SMTP_USERNAME"],
                             config.get("JOURNAL_SMTP_PASSWORD") or "")
            server.send_message(mail)
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(f"the mail server refused the user name or password ({error.smtp_code})")
    except smtplib.SMTPNotSupportedError:
        raise MailError("the mail server does not offer STARTTLS; check JOURNAL_SMTP_SECURITY")
    except smtplib.SMTPResponseException as error:
        raise MailError(f"the mail server answered {error.smtp_code}") from None
    except smtplib.SMTPRecipientsRefused:
        raise MailError("the mail server refused the recipient") from None
    except ssl.SSLError as error:
        raise MailError(f"secure connection failed: {error.reason or error}") from None
    except (OSError, smtplib.SMTPException) as error:
        reason = "timed out" if isinstance(error, socket.timeout) else \
            (error.strerror or type(error).__name__) if isinstance(error, OSError) else \
            type(error).__name__
        raise MailError(f"cannot reach the mail server {host}:{port}: {reason}") from None
