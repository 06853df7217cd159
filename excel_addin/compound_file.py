"""A compound file ([MS-CFB], version 3) written from a set of streams.

What the VBA project needs, and no more: storages and streams named by paths
(`"VBA/dir"`), written once. Version 3 (512-byte sectors); streams under 4096
bytes live in the mini stream (64-byte sectors), larger ones in sectors of
their own; no DIFAT sectors, so at most 109 FAT sectors (about 6.8 MB).

Siblings are kept in the order [MS-CFB] 2.6.4 defines (shorter names first,
then by upper-cased name), each storage's children linked as a chain of right
siblings, every entry black: no two red entries in a row, the left one always
the lesser. This is the shape of the VBA project xlwings ships in its add-in
templates, which Excel opens.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096  # streams smaller than this go to the mini stream
MAX_FAT_SECTORS = 109  # the header's DIFAT holds this many; more would need DIFAT sectors

FREE = 0xFFFFFFFF
END_OF_CHAIN = 0xFFFFFFFE
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1
_ENTRY = 128
_ENTRIES_PER_SECTOR = SECTOR // _ENTRY
_IDS_PER_SECTOR = SECTOR // 4


@dataclass(slots=True)
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    right: int = NO_STREAM
    child: int = NO_STREAM
    start: int = END_OF_CHAIN
    size: int = 0


def sibling_key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4: shorter names first, then by their upper-cased characters."""
    return len(name.encode("utf-16-le")), name.upper()


def compound_file(streams: Mapping[str, bytes]) -> bytes:
    """The compound file holding `streams`, each named by its path ("VBA/dir")."""
    root = _tree(streams)
    entries = _numbered(root)
    small = [e for e in entries if e.kind == _STREAM and e.data and len(e.data) < MINI_CUTOFF]
    large = [e for e in entries if e.kind == _STREAM and len(e.data) >= MINI_CUTOFF]

    mini_stream, mini_fat = bytearray(), []
    for entry in small:
        entry.start = len(mini_stream) // MINI_SECTOR
        entry.size = len(entry.data)
        count = _sectors(len(entry.data), MINI_SECTOR)
        mini_fat += [entry.start + i + 1 for i in range(count - 1)] + [END_OF_CHAIN]
        mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\0")
    root.data = bytes(mini_stream)

    # sectors: FAT, directory, mini FAT, mini stream (the root's data), large streams
    blocks: list[tuple[_Entry | None, bytes]] = [
        (None, _directory(entries)),  # written again below, once the sectors are known
        (None, b"".join(struct.pack("<I", n) for n in mini_fat)),
        (root, root.data),
        *((entry, entry.data) for entry in large),
    ]
    used = sum(_sectors(len(data), SECTOR) for _, data in blocks)
    fat_sectors = 0
    while fat_sectors * _IDS_PER_SECTOR < fat_sectors + used:
        fat_sectors += 1
    if fat_sectors > MAX_FAT_SECTORS:
        raise ValueError(f"{used} sectors need DIFAT sectors, which this writer does not write")

    fat = [FAT_SECTOR] * fat_sectors
    starts = []
    for owner, data in blocks:
        count = _sectors(len(data), SECTOR)
        start = len(fat) if count else END_OF_CHAIN
        starts.append(start)
        fat += [len(fat) + i + 1 for i in range(count - 1)] + ([END_OF_CHAIN] if count else [])
        if owner is not None:
            owner.start, owner.size = start, len(data)
    fat += [FREE] * (fat_sectors * _IDS_PER_SECTOR - len(fat))

    parts = [_directory(entries), *(data for _, data in blocks[1:])]  # now with the sectors
    body = b"".join(struct.pack("<I", n) for n in fat)
    body += b"".join(part.ljust(_sectors(len(part), SECTOR) * SECTOR, b"\0") for part in parts)
    header = _header(fat_sectors, starts[0], starts[1], _sectors(len(blocks[1][1]), SECTOR))
    return header + body


def _sectors(size: int, sector: int) -> int:
    return -(-size // sector)


def _tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        *storages, name = path.split("/")
        parent = root
        for storage in storages:
            found = next((c for c in parent.children if c.name == storage), None)
            if found is None:
                found = _Entry(storage, _STORAGE)
                parent.children.append(found)
            parent = found
        if any(c.name.upper() == name.upper() for c in parent.children):
            raise ValueError(f"two entries named {name!r} in one storage")
        parent.children.append(_Entry(name, _STREAM, data))
    return root


def _numbered(root: _Entry) -> list[_Entry]:
    """Every entry, root first, each storage's children linked in sibling order."""
    entries = [root]

    def visit(storage: _Entry) -> None:
        children = sorted(storage.children, key=lambda e: sibling_key(e.name))
        for child in children:
            child.index = len(entries)
            entries.append(child)
        for child, following in itertools.pairwise(children):
            child.right = following.index
        if children:
            storage.child = children[0].index
        for child in children:
            visit(child)

    visit(root)
    return entries


def _directory(entries: list[_Entry]) -> bytes:
    records = [_directory_entry(entry) for entry in entries]
    free = _directory_entry(None)
    records += [free] * (-len(records) % _ENTRIES_PER_SECTOR)
    return b"".join(records)


def _directory_entry(entry: _Entry | None) -> bytes:
    if entry is None:
        return b"\0" * 68 + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM) + b"\0" * 48
    name = entry.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"{entry.name!r}: a compound file's names have at most 31 characters")
    start = entry.start if entry.kind != _STORAGE else 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name) + 2,
        entry.kind,
        _BLACK,
        NO_STREAM,  # left sibling: siblings are chained to the right
        entry.right,
        entry.child,
        b"\0" * 16,  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modification time
        start,
        entry.size,
    )


def _header(fat_sectors: int, directory: int, mini_fat: int, mini_fat_sectors: int) -> bytes:
    difat = list(range(fat_sectors)) + [FREE] * (MAX_FAT_SECTORS - fat_sectors)
    return struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        SIGNATURE,
        b"\0" * 16,  # CLSID
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # byte order: little-endian
        9,  # sector shift: 2**9
        6,  # mini sector shift: 2**6
        b"\0" * 6,
        0,  # directory sectors: 0 in version 3
        fat_sectors,
        directory,
        0,  # transaction signature
        MINI_CUTOFF,
        mini_fat if mini_fat_sectors else END_OF_CHAIN,
        mini_fat_sectors,
        END_OF_CHAIN,  # first DIFAT sector: none
        0,
        *difat,
    )
