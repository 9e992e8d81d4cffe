"""Files written whole (a temp file beside the target, renamed over it) and who may read them.

One policy for every file the package creates, decided here and nowhere else:

* a file that holds personal data — the SQLite store and its ``-wal``/``-shm``, the SMS
  spool, exports and outputs that carry phone numbers, ``msisdn_hash`` pseudonyms or
  complaint text — is created :data:`PRIVATE_MODE` (``0600``: its owner only);
* any other file (the map, a GeoJSON of spots, synthetic samples, a gazetteer's files)
  is created as a normal file is: ``0666`` less the process's umask.

The SQLite store makes its file the same way (:mod:`heatmap.store.sqlite.schema`; the
store sits below this layer, so it says ``0600`` itself). The umask is never read or
changed (changing it would race other threads): a file is created with the mode asked
for and the kernel takes the umask off, so a stricter umask makes every file stricter.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from heatmap.errors import UsageError

#: Mode of a file that holds personal data.
PRIVATE_MODE = 0o600
#: Mode asked for any other file (the umask takes its share off).
SHARED_MODE = 0o666

_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def creation_mode(*, private: bool) -> int:
    """The mode a new file is created with (before the umask): the policy's one decision."""
    return PRIVATE_MODE if private else SHARED_MODE


def create_new(path: str | Path, *, private: bool) -> int:
    """Create ``path``, which must not exist, open for writing; its descriptor."""
    return os.open(path, _NEW, creation_mode(private=private))


def create_if_missing(path: str | Path, *, private: bool) -> bool:
    """Create ``path`` empty unless it exists, so whatever opens it next (SQLite) finds it
    with the policy's mode; whether it was created here."""
    try:
        os.close(create_new(path, private=private))
    except FileExistsError:
        return False
    return True


def refuse_folder(path: Path) -> None:
    """Refuse to write over a folder (renaming a file onto it fails after all the work)."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder: name a file to write in it ({path}/…)")


def _temp_beside(target: Path, *, private: bool) -> tuple[int, Path]:
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return create_new(temp, private=private), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


@contextmanager
def atomic_path(target: str | Path, *, private: bool) -> Iterator[Path]:
    """A new, empty temp file beside ``target`` for the body to write (by its name); renamed
    over ``target`` only when the body succeeds, with the policy's mode even when the body
    replaced the temp file with one of its own making."""
    out = Path(target)
    refuse_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = _temp_beside(out, private=private)
    try:
        mode = os.fstat(handle).st_mode & 0o777  # as created: the umask already taken off
    finally:
        os.close(handle)
    try:
        yield temp
        os.chmod(temp, mode)
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)


@contextmanager
def atomic_text(target: str | Path, *, private: bool, newline: str | None = None) -> Iterator[TextIO]:
    """A UTF-8 text stream whose whole content replaces ``target`` when the body succeeds."""
    with atomic_path(target, private=private) as temp, temp.open("w", encoding="utf-8", newline=newline) as f:
        yield f
