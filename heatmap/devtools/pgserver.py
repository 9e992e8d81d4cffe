"""A throwaway PostgreSQL server of one's own, for tests that must stop or restart it.

The shared server a CI run gets cannot be restarted under other tests; this one is
made with ``initdb`` in a temporary folder, listens on a free port of 127.0.0.1
and goes away afterwards. It needs Debian's server binaries (``postgresql-NN``,
plus ``postgresql-NN-postgis-3`` for PostGIS). Run as root, it runs the server as
the ``postgres`` system user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg


def server_bin() -> Path:
    """The folder of the newest installed server binaries (raises when there is none)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return Path(found[-1]).parent


@dataclass
class PrivateServer:
    folder: Path
    port: int
    bin: Path

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # The server outlives pg_ctl: it must not inherit pipes we wait on (it logs to a file).
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def restart(self) -> None:
        """Stop the server (``fast``: sessions are cut, open transactions roll back), start it."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-m",
            "fast",
            "-w",
            "restart",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def private_server(
    extensions: Sequence[str] = ("postgis",), *, locale: str = "C.UTF-8"
) -> Iterator[PrivateServer]:
    """Start a fresh server with ``extensions`` created in its ``postgres`` database, whose
    collation and character classes are those of ``locale`` (it must exist on the machine:
    ``locale -a``)."""
    folder = Path(tempfile.mkdtemp(prefix="heatmap-pg-"))
    server = PrivateServer(folder=folder, port=_free_port(), bin=server_bin())
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    try:
        server._run(
            "initdb",
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            f"--locale={locale}",
            "--no-sync",
        )
        server.start()
        with psycopg.connect(server.dsn, autocommit=True) as admin:
            for name in extensions:
                admin.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}"')
        yield server
    finally:
        with suppress(RuntimeError):  # not running
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
