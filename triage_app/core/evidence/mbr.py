"""A tolerant reader of DOS/MBR partition tables, used only when TSK refuses the table.

TSK rejects a whole MBR when one primary entry starts past the end of the image (a damaged,
truncated or deliberately crafted table), which would hide every good partition on the
disk. This reader walks the primary table and the chain of extended boot records, keeps
every entry, and marks the impossible ones instead of giving up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SECTOR = 512
_EXTENDED = {0x05, 0x0F, 0x85}
_MAX_LOGICAL = 128  # an EBR chain longer than this is a loop or garbage


@dataclass(frozen=True)
class MbrPartition:
    start: int  # bytes
    length: int  # bytes
    type_id: int
    logical: bool

    @property
    def description(self) -> str:
        return f"{'logical' if self.logical else 'primary'} partition type 0x{self.type_id:02x}"


def _entries(sector: bytes) -> list[tuple[int, int, int]]:
    """(type, first LBA, sector count) of the four entries of a boot record."""
    out = []
    for i in range(4):
        e = sector[446 + 16 * i : 462 + 16 * i]
        type_id = e[4]
        lba = int.from_bytes(e[8:12], "little")
        count = int.from_bytes(e[12:16], "little")
        if type_id and count:
            out.append((type_id, lba, count))
    return out


def read_mbr(read_at: Callable[[int, int], bytes]) -> list[MbrPartition] | None:
    """Partitions of an MBR disk, or None when sector 0 is not an MBR."""
    sector = read_at(0, SECTOR)
    if len(sector) < SECTOR or sector[510:512] != b"\x55\xaa":
        return None
    primaries = _entries(sector)
    if not primaries or any(t == 0xEE for t, _, _ in primaries):
        return None  # empty, or a GPT protective MBR: not ours to read
    result: list[MbrPartition] = []
    for type_id, lba, count in primaries:
        if type_id in _EXTENDED:
            result += _logical(read_at, lba)
        else:
            result.append(MbrPartition(lba * SECTOR, count * SECTOR, type_id, False))
    return result


def _logical(read_at: Callable[[int, int], bytes], extended_lba: int) -> list[MbrPartition]:
    found: list[MbrPartition] = []
    seen: set[int] = set()
    ebr = extended_lba
    while ebr not in seen and len(found) < _MAX_LOGICAL:
        seen.add(ebr)
        sector = read_at(ebr * SECTOR, SECTOR)
        if len(sector) < SECTOR or sector[510:512] != b"\x55\xaa":
            break
        entries = _entries(sector)
        next_ebr = None
        for type_id, lba, count in entries:
            if type_id in _EXTENDED:
                next_ebr = extended_lba + lba  # relative to the start of the extended partition
            else:
                found.append(MbrPartition((ebr + lba) * SECTOR, count * SECTOR, type_id, True))
        if next_ebr is None:
            break
        ebr = next_ebr
    return found
