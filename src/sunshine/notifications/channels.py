"""The outbound channels: email over SMTP, and SMS through a pluggable gateway.

A sender returns the provider's message id, raises :class:`DeliverySkipped` when the channel
is not set up (nothing was attempted), :class:`PermanentDeliveryError` when retrying cannot
help (the server refused the address), and any other exception for a failure worth retrying.
"""

from __future__ import annotations

import importlib
import json
import logging
import smtplib
import ssl
import threading
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol, runtime_checkable

from sunshine.config import Settings, get_settings
from sunshine.core.masking import mask_phone
from sunshine.core.time import utc_now

SMS_LOGGER = logging.getLogger("sunshine.sms")
log = logging.getLogger(__name__)


class DeliverySkipped(Exception):
    """The channel is not set up here; the reason is recorded and nothing is sent."""


class PermanentDeliveryError(Exception):
    """Retrying will not help (e.g. the mail server refuses the recipient address)."""


# Email ----------------------------------------------------------------------------------------


def email_message(*, settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 email (Chinese subjects are encoded as RFC 2047 words)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = settings.smtp_from.rsplit("@", 1)[-1].strip(" >") or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8")
    return message


def send_email(*, to: str, subject: str, body: str, settings: Settings | None = None) -> str:
    """Send one email through the configured SMTP server; returns its Message-ID."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        raise DeliverySkipped("no SMTP server is configured (SUNSHINE_SMTP_HOST)")
    message = email_message(settings=settings, to=to, subject=subject, body=body)
    try:
        with _connect(settings) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentDeliveryError(f"the mail server refused {_codes(exc)}") from exc
    except smtplib.SMTPDataError as exc:
        # The message itself was refused for good (5xx). Everything else, a refused login or
        # sender included, is retried: an administrator can put the settings right meanwhile.
        if 500 <= exc.smtp_code < 600:
            raise PermanentDeliveryError(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        raise
    return str(message["Message-ID"])


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.smtp_timeout_s
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_starttls and not settings.smtp_ssl:
            smtp.starttls(context=context)
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _codes(exc: smtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


# SMS ------------------------------------------------------------------------------------------


@runtime_checkable
class SmsGateway(Protocol):
    """An SMS provider. ``send`` returns the provider's message id or raises."""

    def send(self, *, phone: str, text: str) -> str: ...


class LoggingSmsGateway:
    """The demo gateway: no text leaves the machine. Each message is logged on the
    ``sunshine.sms`` logger (phone masked) and appended as one JSON line to
    ``SUNSHINE_SMS_LOG_PATH`` (phone in full: the file stands in for the handset)."""

    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or get_settings().sms_log_path

    def send(self, *, phone: str, text: str) -> str:
        message_id = f"log-{uuid.uuid4().hex}"
        line = json.dumps(
            {"id": message_id, "at": utc_now().isoformat(), "phone": phone, "text": text},
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        SMS_LOGGER.info("SMS %s to %s: %s", message_id, mask_phone(phone), text)
        return message_id


def sms_gateway(setting: str | None = None) -> SmsGateway:
    """The gateway named by ``SUNSHINE_SMS_GATEWAY``: ``logging`` or ``package.module:Class``
    (a class built without arguments that reads its own settings)."""
    name = (setting or get_settings().sms_gateway).strip()
    if name == "logging":
        return LoggingSmsGateway()
    module_name, _, class_name = name.partition(":")
    if not module_name or not class_name:
        raise ValueError(
            f"SUNSHINE_SMS_GATEWAY should be 'logging' or 'module:Class', not {name!r}"
        )
    gateway = getattr(importlib.import_module(module_name), class_name)()
    if not isinstance(gateway, SmsGateway):
        raise TypeError(f"{name} has no send(*, phone, text) method")
    return gateway


def send_sms(*, phone: str, text: str) -> str:
    return sms_gateway().send(phone=phone, text=text)
