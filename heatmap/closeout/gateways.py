"""SMS gateways: one protocol, a file gateway (demo, tests) and Kannel's smsbox over HTTP.

A gateway takes one message at a time. ``send`` returns once the gateway has
accepted the message, or raises:

* :class:`GatewayError` — it refused or failed; nothing was sent. ``unreachable``
  says the gateway itself is down (the job stops the batch rather than spend every
  message's attempts on it);
* :class:`GatewayUnknown` — the request may or may not have been taken (a timeout
  after it was written). The message stays ``sending`` until a delivery report or
  :meth:`Gateway.confirm` settles it.

``confirm`` answers, for a message whose outcome was never recorded (the job was
killed mid-call), whether the gateway has it: True, False, or None when it cannot
tell (Kannel: the delivery report is the receipt).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import httpx

from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import encoding_of
from heatmap.errors import HeatmapError, UsageError
from heatmap.io.atomic import creation_mode

__all__ = [
    "FileGateway",
    "Gateway",
    "GatewayError",
    "GatewayUnknown",
    "KannelGateway",
    "OutgoingSms",
    "dlr_url",
    "open_gateway",
]


class GatewayError(HeatmapError):
    """The gateway did not take the message."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable


class GatewayUnknown(HeatmapError):
    """The gateway may have taken the message; nobody can tell yet."""


@dataclass(frozen=True)
class OutgoingSms:
    id: int  # the outbox row
    attempt: int
    to: str  # E.164
    text: str
    at: datetime | None = None  # when the job sends it (its clock: --now, a replay's hour)


class Gateway(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> str | None:
        """Hand the message over; the gateway's reference for it, if it gives one."""
        ...

    def confirm(self, sms: OutgoingSms) -> bool | None:
        """Whether an earlier, unrecorded attempt at this message reached the gateway."""
        ...

    def close(self) -> None: ...


class FileGateway:
    """Appends each message as one JSON line (``id, attempt, to, text, at``) to a file;
    ``at`` is the sending job's time (the wall clock when the message does not say).

    Each line is one ``write`` on a file opened for appending and is flushed to disk
    before ``send`` returns, so :meth:`confirm` can always tell whether a message went.
    ``durable=False`` leaves the flush to the system: for a spool thrown away with its
    run (a replay's), where a crash loses nothing anyone reads.
    """

    name = "file"

    def __init__(self, path: Path | str, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, sms: OutgoingSms) -> str:
        line = (
            json.dumps(
                {
                    "id": sms.id,
                    "attempt": sms.attempt,
                    "to": sms.to,
                    "text": sms.text,
                    "at": (sms.at or datetime.now(UTC)).isoformat(),
                },
                ensure_ascii=False,
            )
            + "\n"
        )
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, creation_mode(private=True))
            try:
                os.write(fd, line.encode("utf-8"))
                if self.durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise GatewayError(f"cannot write {self.path}: {exc}", unreachable=True) from exc
        return f"file:{sms.id}:{sms.attempt}"

    def confirm(self, sms: OutgoingSms) -> bool:
        return any(entry.get("id") == sms.id for entry in self.messages())

    def messages(self) -> list[dict[str, object]]:
        """Every message written so far (a torn last line, from a crash, is skipped)."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def close(self) -> None:
        return None


def dlr_url(base: str, outbox_id: int, attempt: int, key: str | None) -> str:
    """The delivery-report URL for one message; Kannel fills ``%d`` (status) and ``%T`` (time)."""
    url = f"{base.rstrip('/')}/api/v1/sms/dlr?id={outbox_id}&attempt={attempt}&status=%d&at=%T"
    return url + (f"&key={quote(key, safe='')}" if key else "")


class KannelGateway:
    """Kannel smsbox's ``sendsms`` HTTP interface, with a delivery-report URL per message.

    Cyrillic texts go as UCS-2 (``coding=2``, ``charset=UTF-8``); smsbox splits long
    ones into concatenated parts (give the ``sendsms-user`` ``max-messages`` ≥ the
    templates' ``max_parts`` and ``concatenation = true``). ``dlr-mask=31`` asks for
    every report: delivered (1), not delivered (2), buffered (4), SMSC accepted (8),
    SMSC rejected (16).
    """

    name = "kannel"

    def __init__(
        self,
        url: str,
        *,
        user: str,
        password: str,
        sender: str,
        callback_url: str | None = None,
        callback_key: str | None = None,
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.user = user
        self.password = password
        self.sender = sender
        self.callback_url = callback_url
        self.callback_key = callback_key
        self._client = client or httpx.Client(timeout=timeout_s)

    def send(self, sms: OutgoingSms) -> str | None:
        params = {
            "username": self.user,
            "password": self.password,
            "from": self.sender,
            "to": sms.to,
            "text": sms.text,
            "charset": "UTF-8",
            "coding": "2" if encoding_of(sms.text) == "ucs2" else "0",
        }
        if self.callback_url:
            params["dlr-mask"] = "31"
            params["dlr-url"] = dlr_url(self.callback_url, sms.id, sms.attempt, self.callback_key)
        try:
            answer = self._client.get(self.url, params=params)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise GatewayError(f"Kannel smsbox unreachable at {self.url}: {exc}", unreachable=True) from exc
        except httpx.TimeoutException as exc:
            raise GatewayUnknown(f"no answer from Kannel within the timeout: {exc}") from exc
        except httpx.HTTPError as exc:
            raise GatewayUnknown(f"the call to Kannel broke off: {exc}") from exc
        body = answer.text.strip()
        if answer.status_code in (200, 202) and body[:2] in ("0:", "3:"):
            return None  # "0: Accepted for delivery" / "3: Queued for later delivery"
        raise GatewayError(
            f"Kannel answered {answer.status_code}: {body[:200] or '(empty)'}",
            unreachable=answer.status_code >= 500,
        )

    def confirm(self, sms: OutgoingSms) -> bool | None:
        return None

    def close(self) -> None:
        self._client.close()


def open_gateway(kind: str, settings: CloseoutSettings) -> Gateway:
    """The gateway ``kind`` (``file`` or ``kannel``) configured from ``settings``."""
    if kind == "file":
        return FileGateway(settings.sms_spool)
    if kind == "kannel":
        if not settings.kannel_user or settings.kannel_password is None:
            raise UsageError(
                "the Kannel gateway needs HEATMAP_KANNEL_USER and "
                "HEATMAP_KANNEL_PASSWORD (a sendsms-user of smsbox)"
            )
        return KannelGateway(
            settings.kannel_url,
            user=settings.kannel_user,
            password=settings.kannel_password.get_secret_value(),
            sender=settings.sms_sender,
            callback_url=settings.sms_callback_url,
            callback_key=(
                settings.sms_callback_key.get_secret_value() if settings.sms_callback_key else None
            ),
            timeout_s=settings.sms_timeout_s,
        )
    raise UsageError(f"--gateway must be file or kannel, not {kind!r}")
