"""Hostile archives for the corpus of tests/hostile.py: zip bombs (flat, many members,
overlapping, nested, recursive by name), zips whose declared sizes lie, one of 100,000
members, and zip/tar slip (names with `..`, absolute paths, drive letters, backslashes, NUL,
links out of the archive, a FIFO and a device). Zips are written field by field, so that
names, sizes and offsets can lie.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hostile_items import MIB, UNSAFE, Expect, Hostile, write_file

# --- zip and tar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    name: bytes
    payload: bytes  # as stored: raw deflate
    crc: int
    size: int  # declared uncompressed size
    method: int = zipfile.ZIP_DEFLATED
    offset: int | None = None  # the local header it names, when not its own


def _zip_bytes(members: Sequence[_Member]) -> bytes:
    """A zip written field by field, so that names, sizes and offsets can lie; ZIP64 end
    records past 65,535 members."""
    body, central = bytearray(), bytearray()
    for m in members:
        offset = len(body) if m.offset is None else m.offset
        fields = (m.method, 0, 0x21, m.crc, len(m.payload), m.size, len(m.name), 0)
        if m.offset is None:
            body += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, *fields) + m.name + m.payload
        head = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, offset)
        central += head + m.name
    n, start, size = len(members), len(body), len(central)
    tail = b""
    if n > 0xFFFF:
        tail = struct.pack("<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, size, start)
        tail += struct.pack("<4sIQI", b"PK\x06\x07", 0, start + size, 1)
    count = min(n, 0xFFFF)
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, size, start, 0)
    return bytes(body + central) + tail + end


def _plain(name: str, data: bytes) -> _Member:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return _Member(name.encode(), c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def _zeros(name: str, mib: int) -> _Member:
    """`mib` MiB of zeros, ~1000:1, never held in memory: one flushed block repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(MIB)) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(bytes(MIB), crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return _Member(name.encode(), block * mib + final, crc, mib * MIB)


def zip_flat_bomb(root: Path) -> Hostile:
    path = write_file(root / "zip_flat_bomb.zip", _zip_bytes([_zeros("zeros.bin", 1024)]))
    expect = Expect("file", r"compression ratio \d+ exceeds", "/zeros.bin")
    return Hostile("zip_flat_bomb", path, (expect,), "one member of 1 GiB of zeros in 1 MB")


def zip_many_bomb(root: Path) -> Hostile:
    """100 members of exactly 1 MiB of zeros: each just below the size from which a member's
    ratio is judged; together 100 MiB from 100 KB."""
    path = write_file(
        root / "zip_many_bomb.zip", _zip_bytes([_zeros(f"z{i:03d}", 1) for i in range(100)])
    )
    return Hostile("zip_many_bomb", path, (Expect("any", r"bomb|ratio"),), "flat, many members")


def zip_overlap_bomb(root: Path) -> Hostile:
    """David Fifield's overlapping bomb: 100 central entries naming one local member."""
    first = _zeros("zeros.bin", 1)
    alias = _Member(first.name, first.payload, first.crc, first.size, offset=0)
    path = write_file(root / "zip_overlap_bomb.zip", _zip_bytes([first] + [alias] * 99))
    return Hostile("zip_overlap_bomb", path, (Expect("any", r"bomb|overlap"),), "overlapping")


def zip_nested(root: Path) -> Hostile:
    """42.zip style, 3 levels of 4 copies around a 1 GiB flat bomb. Nested archives are
    files, never expanded: exactly the outer 4 members are listed."""
    data = _zip_bytes([_zeros("zeros.bin", 1024)])
    for level in range(3):
        data = _zip_bytes([_plain(f"level{level}-{i}.zip", data) for i in range(4)])
    path = write_file(root / "zip_nested.zip", data)
    expects = (Expect("count", "4"), Expect("kind", "^file$", "/level2-0.zip"))
    return Hostile("zip_nested", path, expects, "zip in zip in zip")


def zip_quine(root: Path) -> Hostile:
    """A zip holding a zip of its own name twice (`./` the second time), each holding one of
    its own name in turn: recursive by name."""
    inner = _zip_bytes([_plain("zip_quine.zip", b"PK\x05\x06" + bytes(18))])
    members = [_plain(n, inner) for n in ("zip_quine.zip", "./zip_quine.zip")]
    path = write_file(root / "zip_quine.zip", _zip_bytes(members))
    expects = (Expect("count", "2"), Expect("file", "name normalised", "/zip_quine.zip"))
    return Hostile("zip_quine", path, expects, "a zip holding zips of its own name")


def zip_size_lie(root: Path) -> Hostile:
    """10 MiB of zeros declared as 100 bytes; 10 bytes declared as 50 MiB."""
    zeros, ten = _zeros("short.bin", 10), _plain("long.bin", b"0123456789")
    members = [
        _Member(zeros.name, zeros.payload, zeros.crc, 100),
        _Member(ten.name, ten.payload, ten.crc, 50 * MIB),
        _plain("honest.txt", b"fine\n"),
    ]
    path = write_file(root / "zip_size_lie.zip", _zip_bytes(members))
    expects = (
        Expect("file", r"read error|declared|CRC", "/short.bin"),
        Expect("file", r"read error|declared|CRC|ratio", "/long.bin"),
    )
    return Hostile("zip_size_lie", path, expects, "declared sizes that lie")


def zip_many_members(root: Path, count: int = 100_000) -> Hostile:
    members = [_Member(f"e/{i:06d}".encode(), b"", 0, 0, 0) for i in range(count)]
    path = write_file(root / "zip_many_members.zip", _zip_bytes(members))
    expects = (Expect("count", str(count + 1)),)  # and the implied folder e/
    return Hostile("zip_many_members", path, expects, f"{count:,} empty members")


def zip_slip(root: Path) -> Hostile:
    names = ("../../evil.txt", "/etc/cron.d/x", "C:\\Windows\\x.dll", "..\\..\\y.txt")
    path = write_file(root / "zip_slip.zip", _zip_bytes([_plain(n, b"slip\n") for n in names]))
    cleaned = ("/evil.txt", "/etc/cron.d/x", "/Windows/x.dll", "/y.txt")
    expects = tuple(Expect("file", UNSAFE, p) for p in cleaned)
    return Hostile("zip_slip", path, expects, "zip-slip: .., absolute, drive, backslashes")


def zip_nul_name(root: Path) -> Hostile:
    """A NUL in a (length-prefixed) zip name hides the rest: `invoice.pdf\\0.exe`."""
    path = write_file(root / "zip_nul_name.zip", _zip_bytes([_plain("invoice.pdf\x00.exe", b"MZ")]))
    expect = Expect("file", UNSAFE + r".*\\x00", "/invoice.pdf\ufffd.exe")
    return Hostile("zip_nul_name", path, (expect,), "NUL inside a member name")


def _tar_member(name: str, kind: bytes, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    data = b"x" if kind == tarfile.REGTYPE else b""
    info.type, info.linkname, info.size, info.mtime = kind, link, len(data), 1_700_000_000
    return info, data


def tar_slip(root: Path) -> Hostile:
    reg, sym, hard = tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
    members = [
        *(_tar_member(n, reg) for n in ("../../evil.sh", "/etc/passwd", "C:\\boot.ini")),
        _tar_member("..\\up.txt", reg),
        _tar_member("nül\x00name.txt", reg),  # a PAX path keeps the NUL
        _tar_member("link_out", sym, "/etc/shadow"),
        _tar_member("link_up", sym, "../../../../"),
        _tar_member("hard_out", hard, "../../outside"),
        _tar_member("pipe", tarfile.FIFOTYPE),
        _tar_member("dev_null", tarfile.CHRTYPE),
    ]
    path = root / "tar_slip.tar"
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data else None)
    not_followed = r"link to '%s' \(not followed\)"
    expects = (
        *(Expect("file", UNSAFE, p) for p in ("/evil.sh", "/etc/passwd", "/boot.ini", "/up.txt")),
        Expect("file", UNSAFE + r".*\\x00", "/nül\ufffdname.txt"),
        Expect("file", not_followed % "/etc/shadow", "/link_out"),
        Expect("file", not_followed % r"\.\./\.\./\.\./\.\./", "/link_up"),
        Expect("file", not_followed % r"\.\./\.\./outside", "/hard_out"),
        Expect("kind", "^other$", "/pipe"),
        Expect("kind", "^other$", "/dev_null"),
    )
    return Hostile("tar_slip", path, expects, "tar-slip names, links out, FIFO and device")
