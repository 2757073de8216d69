"""A GPT-partitioned raw disk written from partition images, for the sample laptop.

Follows the UEFI specification 2.10 §5 ("GUID Partition Table (GPT) Disk Layout"): a
protective MBR (§5.2.3), the primary GPT header at LBA 1 (§5.3.2) with 128 entries of
128 bytes from LBA 2 (§5.3.3), and the backup entries and header in the last 33 sectors.
GUIDs are stored in the spec's mixed-endian form (`uuid.UUID.bytes_le`). Partitions start
on 1 MiB boundaries like those Windows and Linux tools make and are exactly as long as
their images (whole sectors). The disk is streamed to the file; the gaps and the images'
all-zero MiBs are left as holes, so a large disk costs little more than its data.
"""

from __future__ import annotations

import binascii
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

SECTOR = 512
ALIGN_SECTORS = 2048  # 1 MiB
# sgdisk type code 0700.
MICROSOFT_BASIC_DATA = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")
# sgdisk type code 8300 (Discoverable Partitions Specification); the tests check sgdisk agrees.
LINUX_FILESYSTEM_DATA = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4")
_ENTRIES = 128
_ENTRY_SIZE = 128
_ENTRY_SECTORS = _ENTRIES * _ENTRY_SIZE // SECTOR  # 32
_NAME_UNITS = 36  # UTF-16 code units in an entry's name
_HEADER_SIZE = 92
_REVISION = 0x00010000
_PROTECTIVE_TYPE = 0xEE
_CHUNK = 1024 * 1024
_ZEROS = bytes(_CHUNK)


@dataclass(frozen=True)
class GptPartition:
    """One partition: its GPT name, type and unique GUIDs and its content (a file system
    image, padded with zeros to whole sectors on the disk)."""

    name: str
    type_guid: uuid.UUID
    unique_guid: uuid.UUID
    image: bytes


def write_gpt_disk(
    out: Path,
    partitions: Sequence[GptPartition],
    *,
    disk_guid: uuid.UUID,
    size_bytes: int | None = None,
) -> list[tuple[int, int]]:
    """Write the disk to `out` and return each partition's (first LBA, last LBA).

    Without `size_bytes` the disk ends on the first 1 MiB boundary that leaves room for the
    backup GPT. Raises ValueError for more than 128 partitions, an empty image, a name over
    36 UTF-16 units, or a `size_bytes` that is not whole sectors or too small.
    """
    spans = _layout(partitions)
    total = _total_sectors(spans, size_bytes)
    last = total - 1
    entries = b"".join(_entry(p, span) for p, span in zip(partitions, spans, strict=True))
    entries = entries.ljust(_ENTRIES * _ENTRY_SIZE, b"\0")
    backup_entries = last - _ENTRY_SECTORS
    usable = (2 + _ENTRY_SECTORS, backup_entries - 1)
    primary = _header(disk_guid, (1, last), usable, 2, entries)
    backup = _header(disk_guid, (last, 1), usable, backup_entries, entries)
    with open(out, "wb") as f:
        f.write(_protective_mbr(total))
        f.write(primary)
        f.write(entries)
        for part, (first, _) in zip(partitions, spans, strict=True):
            _write_sparse(f, first * SECTOR, part.image)
        f.seek(backup_entries * SECTOR)
        f.write(entries)
        f.write(backup)
    return spans


def _write_sparse(f: BinaryIO, offset: int, data: bytes) -> None:
    """Write `data` at `offset`, seeking over all-zero chunks: they stay holes in the file
    (read back as zeros), so a mostly empty file system costs little disk space."""
    view = memoryview(data)
    for start in range(0, len(data), _CHUNK):
        chunk = view[start : start + _CHUNK]
        if chunk != _ZEROS[: len(chunk)]:
            f.seek(offset + start)
            f.write(chunk)


def _layout(partitions: Sequence[GptPartition]) -> list[tuple[int, int]]:
    """(first, last) LBA of each partition, one after the other on 1 MiB boundaries."""
    if len(partitions) > _ENTRIES:
        raise ValueError(f"GPT holds at most {_ENTRIES} partitions")
    spans = []
    first = ALIGN_SECTORS
    for part in partitions:
        if not part.image:
            raise ValueError(f"partition {part.name!r} has an empty image")
        sectors = -(-len(part.image) // SECTOR)
        spans.append((first, first + sectors - 1))
        first = -(-(first + sectors) // ALIGN_SECTORS) * ALIGN_SECTORS
    return spans


def _total_sectors(spans: Sequence[tuple[int, int]], size_bytes: int | None) -> int:
    """The disk's size in sectors: room after the last partition for the backup GPT."""
    end = spans[-1][1] + 1 if spans else 2 + _ENTRY_SECTORS
    needed = end + _ENTRY_SECTORS + 1
    if size_bytes is None:
        return -(-needed // ALIGN_SECTORS) * ALIGN_SECTORS
    if size_bytes % SECTOR or size_bytes // SECTOR < needed:
        raise ValueError(f"size_bytes must be whole sectors and at least {needed * SECTOR}")
    return size_bytes // SECTOR


def _entry(part: GptPartition, span: tuple[int, int]) -> bytes:
    """A partition entry (UEFI §5.3.3): GUIDs, LBAs, no attributes, a UTF-16LE name."""
    name = part.name.encode("utf-16-le")
    if len(name) > 2 * _NAME_UNITS:
        raise ValueError(f"GPT partition name over {_NAME_UNITS} UTF-16 units: {part.name!r}")
    return struct.pack(
        "<16s16sQQQ72s", part.type_guid.bytes_le, part.unique_guid.bytes_le, *span, 0, name
    )


def _header(
    disk_guid: uuid.UUID,
    my_alternate: tuple[int, int],
    usable: tuple[int, int],
    entries_lba: int,
    entries: bytes,
) -> bytes:
    """A GPT header sector (UEFI §5.3.2); its CRC32 covers the 92 bytes with the CRC
    field zero, the entries' CRC32 covers the whole 128-entry array."""

    def pack(crc: int) -> bytes:
        return struct.pack(
            "<8sIIIIQQQQ16sQIII", b"EFI PART", _REVISION, _HEADER_SIZE, crc, 0,
            *my_alternate, *usable, disk_guid.bytes_le, entries_lba, _ENTRIES, _ENTRY_SIZE,
            binascii.crc32(entries),
        )  # fmt: skip

    return pack(binascii.crc32(pack(0))).ljust(SECTOR, b"\0")


def _protective_mbr(total: int) -> bytes:
    """LBA 0 (UEFI §5.2.3): one 0xEE partition from LBA 1 over the disk (capped at
    0xFFFFFFFF sectors), so MBR-only tools see the disk as in use."""
    mbr = bytearray(SECTOR)
    size = min(total - 1, 0xFFFFFFFF)
    struct.pack_into("<B3sB3sII", mbr, 446, 0, _chs(1), _PROTECTIVE_TYPE, _chs(total - 1), 1, size)
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def _chs(lba: int) -> bytes:
    """The MBR's cylinder/head/sector triple for an LBA with 255 heads and 63 sectors per
    track, or FF FF FF when the cylinder does not fit in 10 bits (UEFI §5.2.3)."""
    heads, per_track = 255, 63
    cylinder = lba // (heads * per_track)
    if cylinder > 1023:
        return b"\xff\xff\xff"
    head = lba // per_track % heads
    sector = lba % per_track + 1
    return bytes((head, (cylinder >> 2) & 0xC0 | sector, cylinder & 0xFF))
