"""A small zip writer for parts deflated ahead of time.

    part = deflate(content, level)                  # once per distinct content
    data = write_zip([(name, part), ...], date_time)

A statement package is mostly the template's own parts (styles, theme, content
types, relationships, drawings): the same bytes in every statement of a close.
`zipfile` compresses every entry it writes and has no way to take bytes already
compressed, so this module writes the archive itself from `Deflated` parts: the
local headers, the stored CRC and compressed bytes, the central directory.

The bytes are the ones `zipfile.ZipFile(..., "w", ZIP_DEFLATED, compresslevel=level)`
writes into a seekable file with `writestr` (the same raw deflate stream, the same
headers, version 2.0, permissions rw-------, Unix as the creating system), so a
package's bytes do not depend on which of the two wrote it
(tests/statements/test_zipparts.py). Archives of 2 GiB or more, which would need
zip64 records, are refused (`ValueError`); a statement is never near that.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20  # 2.0: deflate
_UNIX = 3
_PERMISSIONS = 0o600 << 16  # ?rw-------, as zipfile gives an entry without any
_UTF8_NAME = 0x800
_LIMIT = (1 << 31) - 1


@dataclass(frozen=True, slots=True)
class Deflated:
    """One part's content, compressed: what its zip entry stores."""

    crc: int
    size: int  # uncompressed
    data: bytes  # the raw deflate stream


def deflate(content: bytes, level: int) -> Deflated:
    """`content` compressed as zipfile compresses an entry at `level`."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Deflated(
        zlib.crc32(content), len(content), compressor.compress(content) + compressor.flush()
    )


def write_zip(
    entries: Sequence[tuple[str, Deflated]],
    date_time: tuple[int, int, int, int, int, int],
) -> bytes:
    """The zip archive of `entries` (name, deflated part), in that order, every entry
    dated `date_time` (year ≥ 1980, as a zip entry's date)."""
    year, month, day, hour, minute, second = date_time
    dosdate = (year - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | (second // 2)
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, part in entries:
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        local = _LOCAL.pack(
            b"PK\003\004",
            _VERSION,
            0,
            flags,
            zlib.DEFLATED,
            dostime,
            dosdate,
            part.crc,
            len(part.data),
            part.size,
            len(encoded),
            0,
        )
        central.append(
            _CENTRAL.pack(
                b"PK\001\002",
                _VERSION,
                _UNIX,
                _VERSION,
                0,
                flags,
                zlib.DEFLATED,
                dostime,
                dosdate,
                part.crc,
                len(part.data),
                part.size,
                len(encoded),
                0,
                0,
                0,
                0,
                _PERMISSIONS,
                offset,
            )
            + encoded
        )
        out += (local, encoded, part.data)
        offset += len(local) + len(encoded) + len(part.data)
        if offset > _LIMIT or part.size > _LIMIT:
            raise ValueError("a zip archive of 2 GiB or more needs zip64 records")
    directory = b"".join(central)
    out.append(directory)
    out.append(
        _END.pack(b"PK\005\006", 0, 0, len(entries), len(entries), len(directory), offset, 0)
    )
    return b"".join(out)
