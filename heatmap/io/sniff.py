"""What kind of text a CSV file is: its encoding and its separator, from its bytes."""

from __future__ import annotations

from heatmap.errors import InputError

#: Separators CSV exports use, in the order a tie is broken.
SEPARATORS = (",", ";", "\t", "|")
#: Encodings ``auto`` tries, in order: UTF-8, then what Russian Excel and 1C write.
AUTO_ENCODINGS = ("utf-8", "cp1251")
#: Byte-order marks of UTF-16 (little and big endian), as Excel's "Unicode text" writes it.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def utf16_as_utf8(data: bytes, source: str) -> bytes | None:
    """``data`` as UTF-8 when it starts with a UTF-16 byte-order mark, else None.

    A UTF-16 file read as UTF-8 or Windows-1251 is garbage with a NUL between letters;
    its mark says what it is whatever encoding was expected.
    """
    if not data.startswith(UTF16_BOMS):
        return None
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: starts as UTF-16 text, but its bytes from {exc.start} are not ({exc.reason})"
        ) from exc


def to_utf8(data: bytes, encoding: str, source: str) -> tuple[bytes, str]:
    """``data`` as UTF-8 bytes without a byte-order mark, and the encoding it was read in.

    ``auto`` takes UTF-8 when the bytes are valid UTF-8, else Windows-1251; a named
    encoding is used as given. Bytes the encoding cannot read are an :class:`InputError`
    saying where.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8"
    names = AUTO_ENCODINGS if encoding == "auto" else (encoding,)
    failure: UnicodeDecodeError | LookupError | None = None
    for name in names:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            failure = exc
            continue
        except LookupError as exc:
            raise InputError(f"{source}: unknown encoding {name!r}") from exc
        return (data if name.replace("-", "").lower() == "utf8" else text.encode("utf-8")), name
    assert isinstance(failure, UnicodeDecodeError)
    raise InputError(
        f"{source}: cannot read as {' or '.join(names)} text (byte "
        f"{failure.start}: {failure.reason}); give the encoding in a profile"
    )


def sniff_separator(data: bytes) -> str:
    """The separator the header line uses most (a comma when it names only one column)."""
    end = data.find(b"\n")
    header = data[:end] if end >= 0 else data  # (split would copy the whole rest of the file)
    counts = {sep: header.count(sep.encode()) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","
