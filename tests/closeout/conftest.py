"""Fixtures of the close-out tests: a spot with complainants, settings, templates, Kannel.

The Kannel fixture starts the real Debian ``bearerbox``, ``smsbox`` and two
``fakesmsc`` SMSCs on free loopback ports from a generated configuration: ``mt``
receives what the job sends (and is counted), ``mo`` is how a test's "phone" replies
(only messages routed to it explicitly go there). Everything is stopped at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heatmap.closeout.settings import CloseoutSettings, load_closeout_settings
from heatmap.closeout.templates import SmsTemplates, load_sms_templates
from heatmap.core.policy import Policy, load_policy
from heatmap.detect.run import DetectParams
from heatmap.service import detect_spots, ingest, workflow
from heatmap.store import Store

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # 15:00 in Moscow: not quiet
POLICY = load_policy()
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")


def number(i: int) -> str:
    return f"+7916{i:07d}"


def write_export(
    path: Path,
    count: int,
    *,
    region: str = "Вологодская область",
    address: str = "г Вологда, ул. Мира, д. 1",
    first: int = 0,
    lat: float = 59.2200,
) -> Path:
    """``count`` complaints by distinct subscribers around one point (one spot)."""
    lines = [
        f"T{first + i},2026-11-19T10:00:00+03:00,{number(first + i)},mass,no_coverage,"
        f'Нет связи,"{address}",{lat + (i % 7) * 1e-5},{39.8800 + (i // 7) * 1e-5},{region}'
        for i in range(count)
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_spot(store: Store, tmp: Path, count: int = 4, **kwargs: object) -> str:
    ingest(
        store,
        [write_export(tmp / f"export{count}.csv", count, **kwargs)],  # type: ignore[arg-type]
        now=NOW,
        policy=POLICY,
    )
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW)
    spots = store.load_spots(statuses=["queued", "new"])
    assert len(spots) == 1, spots
    return str(spots["id"].iloc[0])


def resolve(store: Store, spot_id: str, *, at: datetime = NOW, cause: str = "power") -> None:
    workflow.transition(store, spot_id, "take", actor="eng", now=at, policy=POLICY)
    workflow.transition(store, spot_id, "resolve", actor="eng", now=at, policy=POLICY, cause=cause)


@dataclass
class Kit:
    """What the close-out tests share (test modules do not import each other)."""

    store: Store
    tmp: Path
    now: datetime = NOW
    policy: Policy = POLICY

    @staticmethod
    def number(i: int) -> str:
        return number(i)

    def make_spot(self, count: int = 4, **kwargs: object) -> str:
        return make_spot(self.store, self.tmp, count, **kwargs)

    def resolve(self, spot_id: str, *, at: datetime = NOW, cause: str = "power") -> None:
        resolve(self.store, spot_id, at=at, cause=cause)


@pytest.fixture
def kit(store: Store, tmp_path: Path) -> Kit:
    return Kit(store, tmp_path)


@pytest.fixture
def spot_id(kit: Kit) -> str:
    return kit.make_spot()


@pytest.fixture
def settings(tmp_path: Path) -> CloseoutSettings:
    return load_closeout_settings(
        sms_spool=tmp_path / "spool.jsonl",
        public_url="https://tk.example.ru",
        quiet_hours="21-9",
        sms_backoff_s=60.0,
        sms_max_attempts=3,
        sms_confirm_after_s=30.0,
    )


@pytest.fixture
def templates(settings: CloseoutSettings) -> SmsTemplates:
    return load_sms_templates(public_url=settings.public_url)


# --- Kannel ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: object, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


_GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (?:udh (\S+) )?(text|data) (.*)>$")


@dataclass
class Received:
    sender: str
    receiver: str
    text: str
    parts: int


@dataclass
class Kannel:
    """Running bearerbox + smsbox + fakesmsc; what the fake SMSC received, and a phone."""

    folder: Path
    sendsms_url: str
    user: str
    password: str
    mo_port: int
    callback_port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def mt_log(self) -> Path:
        return self.folder / "fakesmsc-mt.log"

    def received(self) -> list[Received]:
        """Messages the fake SMSC got, concatenated parts joined (UCS-2 decoded)."""
        messages: list[Received] = []
        partial: dict[tuple[str, str, int], list[tuple[int, bytes]]] = {}
        for line in self.mt_log.read_text(encoding="utf-8", errors="replace").splitlines():
            match = _GOT.search(line)
            if not match:
                continue
            sender, receiver, udh, kind, data = match.groups()
            payload = (
                urllib.parse.unquote_to_bytes(data.replace("+", " ")) if kind == "data" else data.encode()
            )
            if not udh:
                messages.append(Received(sender, receiver, _decode(payload), 1))
                continue
            head = urllib.parse.unquote_to_bytes(udh)  # 05 00 03 ref total seq
            ref, total, seq = head[3], head[4], head[5]
            parts = partial.setdefault((sender, receiver, ref), [])
            parts.append((seq, payload))
            if len(parts) == total:
                joined = b"".join(p for _, p in sorted(parts))
                messages.append(Received(sender, receiver, _decode(joined), total))
                del partial[(sender, receiver, ref)]
        return messages

    def per_receiver(self) -> Counter[str]:
        return Counter(m.receiver for m in self.received())

    def reply(self, msisdn: str, text: str) -> None:
        """The phone ``msisdn`` sends ``text`` (UCS-2) to the short number 1234."""
        log = self.folder / f"fakesmsc-mo-{time.monotonic_ns()}.log"
        body = urllib.parse.quote(text.encode("utf-16-be"))
        with open(log, "wb") as handle:
            phone = subprocess.Popen(
                [
                    str(FAKESMSC),
                    "-H",
                    "127.0.0.1",
                    "-r",
                    str(self.mo_port),
                    "-i",
                    "0.1",
                    "-m",
                    "1",
                    f"{msisdn} 1234 ucs2 {body}",
                ],
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(
                lambda: "sent message 1" in log.read_text(errors="replace"), 10, "the phone to send its reply"
            )
        finally:
            phone.terminate()
            phone.wait(5)

    wait_for = staticmethod(wait_for)
    free_port = staticmethod(free_port)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-16-be")
    except UnicodeDecodeError:
        return payload.decode("latin-1")


CONFIG = """\
group = core
admin-port = {admin}
admin-password = {password}
smsbox-port = {box}
admin-allow-ip = "127.0.0.1"
box-allow-ip = "127.0.0.1"
log-file = "{folder}/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = mt
port = {mt}
connect-allow-ip = "127.0.0.1"

group = smsc
smsc = fake
smsc-id = mo
port = {mo}
connect-allow-ip = "127.0.0.1"
allowed-smsc-id = mo

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box}
sendsms-port = {sendsms}
sendsms-interface = 127.0.0.1
log-file = "{folder}/smsbox.log"
log-level = 1
mo-recode = true

group = sendsms-user
username = {user}
password = {password}
max-messages = 3
concatenation = true
user-allow-ip = "127.0.0.1"

group = sms-service
keyword = default
post-url = "http://127.0.0.1:{callback}/api/v1/sms/inbound?key={key}"
send-sender = true
max-messages = 0
"""


@pytest.fixture
def kannel(tmp_path: Path) -> Iterator[Kannel]:
    """Real Kannel on loopback; the callback port is where the test serves the SMS router."""
    if not (shutil.which("bearerbox") and shutil.which("smsbox") and FAKESMSC.exists()):
        pytest.skip("Kannel tests need Debian packages kannel and kannel-extras")
    folder = tmp_path / "kannel"
    folder.mkdir()
    ports = {n: free_port() for n in ("admin", "box", "mt", "mo", "sendsms", "callback")}
    config = folder / "kannel.conf"
    config.write_text(
        CONFIG.format(folder=folder, user="teplokarty", password="s3cret-pass", key=GATEWAY_KEY, **ports),
        encoding="utf-8",
    )
    env = {**os.environ, "LC_ALL": "C"}
    box = Kannel(
        folder,
        f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms",
        "teplokarty",
        "s3cret-pass",
        ports["mo"],
        ports["callback"],
    )
    try:
        for name in ("bearerbox", "smsbox"):
            with open(folder / f"{name}.out", "wb") as out:
                box.processes.append(
                    subprocess.Popen([name, str(config)], stdout=out, stderr=subprocess.STDOUT, env=env)
                )
            wait_for(
                lambda n=name: port_open(ports["box"] if n == "bearerbox" else ports["sendsms"]),
                what=f"{name} to listen",
            )
        with open(box.mt_log, "wb") as out:
            box.processes.append(
                subprocess.Popen(
                    [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(ports["mt"]), "-m", "0", "x y text z"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
        wait_for(
            lambda: "Fakesmsc client connected" in (folder / "bearerbox.log").read_text(errors="replace"),
            what="the fake SMSC",
        )
        yield box
    finally:
        box.stop()


#: The gateway key the generated Kannel configuration presents to the SMS router.
GATEWAY_KEY = "gw-test-key-0123456789"


@pytest.fixture
def sms_api(store_url: str, kannel: Kannel, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The SMS router on a bare FastAPI app, served by uvicorn where Kannel calls back."""
    import uvicorn
    from fastapi import FastAPI

    from heatmap.api.sms import router

    monkeypatch.setenv("HEATMAP_DB", store_url)
    monkeypatch.setenv("HEATMAP_SMS_GATEWAY_KEY", GATEWAY_KEY)
    monkeypatch.setenv("HEATMAP_QUIET_HOURS", "none")
    app = FastAPI()
    app.include_router(router)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=kannel.callback_port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="the SMS API to start")
    try:
        yield f"http://127.0.0.1:{kannel.callback_port}"
    finally:
        server.should_exit = True
        thread.join(10)
