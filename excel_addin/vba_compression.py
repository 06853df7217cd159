"""[MS-OVBA] 2.4.1 compression: the CompressedContainer of a VBA project's `dir`
stream and of each module's source.

The data is cut into chunks of 4096 bytes; each chunk is a sequence of tokens, a
literal byte or a copy token (an offset back into the chunk and a length, packed
into two bytes with as many offset bits as the distance to the chunk's start
needs, at least 4), eight tokens to a flag byte. Every chunk is written
compressed: Excel is reported to drop a module stored in "raw" chunks (flag 0),
which the specification allows, so a chunk whose tokens would not fit in 4096
bytes (no VBA source is near that: it takes a chunk without repeats) is refused
rather than stored raw. Matches are found through an index of the chunk's
3-byte prefixes, nearest first: any match is valid, the longest is only smaller.
"""

from __future__ import annotations

CHUNK_SIZE = 4096  # decompressed bytes per chunk
SIGNATURE = 0x01  # the container's first byte
_CHUNK_SIGNATURE = 0b011  # bits 12-14 of each chunk header
_MIN_MATCH = 3
_CANDIDATES = 256  # earlier occurrences of a 3-byte prefix tried, nearest first


class IncompressibleChunkError(ValueError):
    """A 4096-byte chunk whose tokens do not fit in 4096 bytes."""


class CorruptContainerError(ValueError):
    """Bytes that are not a CompressedContainer."""


def _offset_bits(position: int) -> int:
    """Offset bits of a copy token at `position` in its chunk (CopyToken Help):
    ceil(log2(position)), at least 4."""
    return max(4, (position - 1).bit_length())


def _max_length(position: int) -> int:
    return (0xFFFF >> _offset_bits(position)) + _MIN_MATCH


def compress(data: bytes) -> bytes:
    """The CompressedContainer of `data`."""
    out = bytearray([SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data[start : start + CHUNK_SIZE])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    tokens = bytearray()
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> where it started, in order
    position = 0

    def note(start: int, end: int) -> None:
        for index in range(start, min(end, len(chunk) - _MIN_MATCH + 1)):
            seen.setdefault(chunk[index : index + _MIN_MATCH], []).append(index)

    while position < len(chunk):
        flags, group = 0, bytearray()
        for bit in range(8):
            if position >= len(chunk):
                break
            length, offset = _longest_match(chunk, position, seen)
            if length:
                bits = _offset_bits(position)
                token = ((offset - 1) << (16 - bits)) | (length - _MIN_MATCH)
                group += token.to_bytes(2, "little")
                flags |= 1 << bit
            else:
                length = 1
                group.append(chunk[position])
            note(position, position + length)
            position += length
        tokens.append(flags)
        tokens += group
    if len(tokens) > CHUNK_SIZE:
        raise IncompressibleChunkError(
            f"a chunk of {len(chunk)} bytes takes {len(tokens)} bytes compressed "
            f"(at most {CHUNK_SIZE}): it has too few repeats to be stored compressed"
        )
    header = 0x8000 | (_CHUNK_SIGNATURE << 12) | (len(tokens) + 2 - 3)
    return header.to_bytes(2, "little") + tokens


def _longest_match(chunk: bytes, position: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """(length, offset) of the longest earlier copy of the bytes at `position`, or (0, 0)."""
    candidates = seen.get(chunk[position : position + _MIN_MATCH])
    if not candidates:
        return 0, 0
    limit = min(_max_length(position), len(chunk) - position)
    best, best_start = 0, 0
    for start in reversed(candidates[-_CANDIDATES:]):
        length = _MIN_MATCH
        while length < limit and chunk[start + length] == chunk[position + length]:
            length += 1
        if length > best:
            best, best_start = length, start
            if best == limit:
                break
    if best < _MIN_MATCH:
        return 0, 0
    return min(best, limit), position - best_start


def decompress(container: bytes) -> bytes:
    """The bytes a CompressedContainer holds ([MS-OVBA] 2.4.1.3.1)."""
    if not container or container[0] != SIGNATURE:
        raise CorruptContainerError("a compressed container starts with the byte 0x01")
    out = bytearray()
    current = 1
    while current < len(container):
        if current + 2 > len(container):
            raise CorruptContainerError(f"a chunk header is cut off at byte {current}")
        header = int.from_bytes(container[current : current + 2], "little")
        if (header >> 12) & 0b111 != _CHUNK_SIGNATURE:
            raise CorruptContainerError(f"the chunk at byte {current} has no chunk signature")
        end = min(len(container), current + (header & 0x0FFF) + 3)
        current += 2
        chunk_start = len(out)
        if not header & 0x8000:  # a raw chunk: 4096 bytes as they are
            out += container[current : current + CHUNK_SIZE]
            current += CHUNK_SIZE
            continue
        while current < end:
            flags = container[current]
            current += 1
            for bit in range(8):
                if current >= end:
                    break
                if not flags >> bit & 1:
                    out.append(container[current])
                    current += 1
                    continue
                if current + 2 > end:
                    raise CorruptContainerError(f"a copy token is cut off at byte {current}")
                token = int.from_bytes(container[current : current + 2], "little")
                current += 2
                bits = _offset_bits(len(out) - chunk_start)
                source = len(out) - ((token >> (16 - bits)) + 1)
                if source < chunk_start:
                    raise CorruptContainerError(
                        f"a copy token at byte {current - 2} points before its chunk"
                    )
                for index in range((token & (0xFFFF >> bits)) + _MIN_MATCH):
                    out.append(out[source + index])
    return bytes(out)
