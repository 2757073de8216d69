"""A corpus of hostile and malformed evidence, generated, and what the case must say about it.

Each builder writes one item (an archive, a disk image, or files planted in the shared phone
folder) and returns a `Hostile`: the path given to `qarina scan` and the rows the case must
then hold (`Expect`). Builders use only the standard library, Pillow and Qarina's own sample
writers, so the corpus is the same on every machine and small on disk (~25 MB, disk images
sparse). `coverage()` reads a case back as rows, `unmet()` names the expectations no row
satisfies, `snapshot()` lists and hashes an evidence tree, and `trace_writes()` reads an
`strace -e trace=%file` log for anything that changed a file. Shared by
tests/test_hostile_inputs.py and benchmarks/hostile_figures.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import tarfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from triage_app.sample.android_schemas import PAGE_SIZE, SMS_SCHEMA
from triage_app.sample.ewf import AcquisitionInfo, write_e01
from triage_app.sample.ext4 import build_ext4
from triage_app.sample.fat32 import build_fat32
from triage_app.sample.fsmodel import FsFile, FsTree
from triage_app.sample.gpt import LINUX_FILESYSTEM_DATA, GptPartition, write_gpt_disk
from triage_app.sample.ios_schemas import sqlite_bytes

MIB = 1024**2
WHEN = datetime(2024, 1, 2, tzinfo=UTC)
PAYLOADS = (
    "<script>alert('qarina')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "</title><svg onload=alert(1)>",
)
UNSAFE = "unsafe member name sanitised"
REASON_KINDS = ("evidence", "warning", "volume", "file", "run")


@dataclass(frozen=True)
class Expect:
    """A row the case must hold. `where`: evidence (status: message), warning (of the evidence
    item), volume (idx status: message), file (note; error), run (parser: status: message),
    any (one of those), kind (the file row's kind: listed, never opened) or count (`pattern`
    is the number of file rows). `path`: the file row inside the evidence."""

    where: str
    pattern: str
    path: str | None = None


@dataclass(frozen=True)
class Hostile:
    name: str
    path: Path  # the evidence item given to the scan
    expects: tuple[Expect, ...]
    about: str


@dataclass(frozen=True)
class Row:
    evidence: str  # the evidence item's identity (its absolute path)
    where: str
    path: str | None
    reason: str


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


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
    path = _write(root / "zip_flat_bomb.zip", _zip_bytes([_zeros("zeros.bin", 1024)]))
    expect = Expect("file", r"compression ratio \d+ exceeds", "/zeros.bin")
    return Hostile("zip_flat_bomb", path, (expect,), "one member of 1 GiB of zeros in 1 MB")


def zip_many_bomb(root: Path) -> Hostile:
    """100 members of exactly 1 MiB of zeros: each just below the size from which a member's
    ratio is judged; together 100 MiB from 100 KB."""
    path = _write(
        root / "zip_many_bomb.zip", _zip_bytes([_zeros(f"z{i:03d}", 1) for i in range(100)])
    )
    return Hostile("zip_many_bomb", path, (Expect("any", r"bomb|ratio"),), "flat, many members")


def zip_overlap_bomb(root: Path) -> Hostile:
    """David Fifield's overlapping bomb: 100 central entries naming one local member."""
    first = _zeros("zeros.bin", 1)
    alias = _Member(first.name, first.payload, first.crc, first.size, offset=0)
    path = _write(root / "zip_overlap_bomb.zip", _zip_bytes([first] + [alias] * 99))
    return Hostile("zip_overlap_bomb", path, (Expect("any", r"bomb|overlap"),), "overlapping")


def zip_nested(root: Path) -> Hostile:
    """42.zip style, 3 levels of 4 copies around a 1 GiB flat bomb. Nested archives are
    files, never expanded: exactly the outer 4 members are listed."""
    data = _zip_bytes([_zeros("zeros.bin", 1024)])
    for level in range(3):
        data = _zip_bytes([_plain(f"level{level}-{i}.zip", data) for i in range(4)])
    path = _write(root / "zip_nested.zip", data)
    expects = (Expect("count", "4"), Expect("kind", "^file$", "/level2-0.zip"))
    return Hostile("zip_nested", path, expects, "zip in zip in zip")


def zip_quine(root: Path) -> Hostile:
    """A zip holding a zip of its own name twice (`./` the second time), each holding one of
    its own name in turn: recursive by name."""
    inner = _zip_bytes([_plain("zip_quine.zip", b"PK\x05\x06" + bytes(18))])
    members = [_plain(n, inner) for n in ("zip_quine.zip", "./zip_quine.zip")]
    path = _write(root / "zip_quine.zip", _zip_bytes(members))
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
    path = _write(root / "zip_size_lie.zip", _zip_bytes(members))
    expects = (
        Expect("file", r"read error|declared|CRC", "/short.bin"),
        Expect("file", r"read error|declared|CRC|ratio", "/long.bin"),
    )
    return Hostile("zip_size_lie", path, expects, "declared sizes that lie")


def zip_many_members(root: Path, count: int = 100_000) -> Hostile:
    members = [_Member(f"e/{i:06d}".encode(), b"", 0, 0, 0) for i in range(count)]
    path = _write(root / "zip_many_members.zip", _zip_bytes(members))
    expects = (Expect("count", str(count + 1)),)  # and the implied folder e/
    return Hostile("zip_many_members", path, expects, f"{count:,} empty members")


def zip_slip(root: Path) -> Hostile:
    names = ("../../evil.txt", "/etc/cron.d/x", "C:\\Windows\\x.dll", "..\\..\\y.txt")
    path = _write(root / "zip_slip.zip", _zip_bytes([_plain(n, b"slip\n") for n in names]))
    cleaned = ("/evil.txt", "/etc/cron.d/x", "/Windows/x.dll", "/y.txt")
    expects = tuple(Expect("file", UNSAFE, p) for p in cleaned)
    return Hostile("zip_slip", path, expects, "zip-slip: .., absolute, drive, backslashes")


def zip_nul_name(root: Path) -> Hostile:
    """A NUL in a (length-prefixed) zip name hides the rest: `invoice.pdf\\0.exe`."""
    path = _write(root / "zip_nul_name.zip", _zip_bytes([_plain("invoice.pdf\x00.exe", b"MZ")]))
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


# --- files planted in the phone folder -------------------------------------------------------


def names(folder: Path) -> Hostile:
    """Right-to-left override, 255-byte, HTML/JS and (POSIX) invalid UTF-8 names."""
    rtl, long = "invoice\u202egpj.exe", "L" * 251 + ".txt"
    for name in (rtl, long, PAYLOADS[0] + ".txt", PAYLOADS[1] + ".html"):
        _write(folder / "names" / name, b"MZ hostile name\n")
    expects = [Expect("kind", "^file$", f"/names/{n}") for n in (rtl, long)]
    if os.name == "posix":
        with open(os.path.join(os.fsencode(folder / "names"), b"bad\xff\xfe.txt"), "wb") as f:
            f.write(b"name bytes are not UTF-8\n")
        hexed = "names/bad\xff\xfe.txt".encode("latin-1").hex()
        expects.append(Expect("file", f"not valid UTF-8: {hexed}", "/names/bad\ufffd\ufffd.txt"))
    return Hostile("names", folder, tuple(expects), "RTL, 255 bytes, bad UTF-8, HTML names")


def links(folder: Path) -> Hostile:
    """Symbolic link loops and escapes (never followed); FIFOs (opening one would block)."""
    base = folder / "links"
    (base / "d" / "e").mkdir(parents=True)
    expects: list[Expect] = []
    if os.name == "posix":
        pairs = {"a": "b", "b": "a", "self": "self", "up": "..", "out": "/etc", "d/e/top": "../.."}
        for name, target in pairs.items():
            os.symlink(target, base / name)
            pattern = f"symbolic link to {re.escape(repr(target))} \\(not followed\\)"
            expects.append(Expect("file", pattern, f"/links/{name}"))
        os.mkfifo(base / "pipe")
        expects.append(Expect("kind", "^other$", "/links/pipe"))
    return Hostile("links", folder, tuple(expects), "a->b->a, self, dir -> parent, out, FIFO")


def _sms_db(rows: int, extra: Sequence[str] = ()) -> bytes:
    insert = "INSERT INTO sms (_id, thread_id, address, date, type, body) VALUES (?,?,?,?,?,?)"
    data = [(i, 1, "+218910000000", 1_700_000_000_000 + i, 1, f"{i} " + "b" * 300)
            for i in range(rows)]  # fmt: skip
    return sqlite_bytes((PAGE_SIZE, SMS_SCHEMA, *extra), [(insert, data)] if rows else [])


def _sqlite_item(folder: Path, name: str, data: bytes, pattern: str, about: str) -> Hostile:
    rel = f"sqlite/{name}/mmssms.db"
    _write(folder / rel, data)
    return Hostile(f"sqlite_{name}", folder, (Expect("run", pattern, "/" + rel),), about)


def sqlite_flipped(folder: Path) -> Hostile:
    data = bytearray(_sms_db(400))
    pages = len(data) // 4096
    for page in range(pages // 2, pages):  # page type and cell pointers of later leaves
        data[page * 4096 : page * 4096 + 12] = b"\x42\xff" * 6
    pattern = r"android_sms: error: .*malformed"
    return _sqlite_item(folder, "flipped", bytes(data), pattern, "corrupted b-tree pages")


def sqlite_truncated(folder: Path) -> Hostile:
    data = _sms_db(400)
    pattern = r"android_sms: error: .*truncated"
    return _sqlite_item(folder, "truncated", data[: len(data) // 2], pattern, "cut in half")


_FOREVER = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS _id,"
    " x AS thread_id, 'v' AS address, x AS date, 1 AS type, 'view' AS body FROM c"
)


def sqlite_view(folder: Path) -> Hostile:
    """`sms` is a VIEW that never ends (reading it would hang the scan), beside a trigger."""
    extra = (
        "ALTER TABLE sms RENAME TO sms_real",
        f"CREATE VIEW sms AS {_FOREVER}",
        "CREATE TRIGGER sms_t AFTER INSERT ON sms_real BEGIN DELETE FROM sms_real; END",
    )
    pattern = r"android_sms: error: .*missing: table sms"
    return _sqlite_item(folder, "view", _sms_db(0, extra), pattern, "VIEW named like the table")


def sqlite_side_views(folder: Path) -> Hostile:
    """A real `sms`, endless views named like its side tables, a trigger named `sms`."""
    extra = (
        f"CREATE VIEW threads AS {_FOREVER}",
        f"CREATE VIEW canonical_addresses AS {_FOREVER}",
        "CREATE TRIGGER sms AFTER DELETE ON sms BEGIN SELECT 1; END",
    )
    data = _sms_db(3, extra)
    return _sqlite_item(folder, "side_views", data, r"android_sms: ok", "views beside the table")


def sqlite_10k_tables(folder: Path) -> Hostile:
    """An empty `sms` beside 10,000 tables written straight into sqlite_master, all sharing
    one root page that holds a row: every one is looked at, none may hang."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for sql in (PAGE_SIZE, SMS_SCHEMA, "CREATE TABLE shared (a)", "INSERT INTO shared VALUES (1)"):
        conn.execute(sql)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'shared'").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    tables = [(f"t{i:05d}", f"t{i:05d}", root, f"CREATE TABLE t{i:05d} (a)") for i in range(10_000)]
    conn.executemany("INSERT INTO sqlite_master VALUES ('table', ?, ?, ?, ?)", tables)
    data = conn.serialize()
    conn.close()
    pattern = r"android_sms: no_data: .*schema drift"
    return _sqlite_item(folder, "10k_tables", data, pattern, "sqlite_master of 10,000 tables")


def _jpeg(size: tuple[int, int] = (16, 12), exif: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _exif_jpeg(tiff: bytes) -> bytes:
    """A JPEG with an APP1 Exif segment holding `tiff` right after SOI."""
    payload = b"Exif\x00\x00" + tiff
    jpeg = _jpeg()
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _tiff(*ifds: tuple[int, int]) -> bytes:
    """Little-endian TIFF: IFDs of one inline ASCII Make tag each, given as (declared entry
    count, next IFD offset), laid out one after the other from offset 8."""
    out = b"II*\x00" + struct.pack("<I", 8)
    for declared, next_offset in ifds:
        out += struct.pack("<HHHI4sI", declared, 0x010F, 2, 4, b"cyc\x00", next_offset)
    return out


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return (
        b"\x89PNG\r\n\x1a\n"
        + header
        + chunk(b"IDAT", zlib.compress(bytes(64)))
        + chunk(b"IEND", b"")
    )


def images(folder: Path) -> Hostile:
    """Cyclic and huge EXIF IFDs, 50,000 x 50,000 pixel PNG/JPEG, a truncated HEIC."""
    bomb = bytearray(_jpeg((8, 8)))
    struct.pack_into(">HH", bomb, bomb.index(b"\xff\xc0") + 5, 50_000, 50_000)
    heic = struct.pack(">I4s4sI8s", 24, b"ftyp", b"heic", 0, b"mif1heic")
    heic += struct.pack(">I4sI", 4096, b"meta", 0) + b"hdlr"  # claims 4096 bytes, has 16
    files = {
        "exif_cycle.jpg": (_exif_jpeg(_tiff((1, 26), (1, 8))), r"ok: .*IFD loop"),
        "exif_huge_count.jpg": (_exif_jpeg(_tiff((0xFFFF, 0))), r"ok: .*work limit"),
        "ifd_cycle.tif": (_tiff((1, 8)), r"ok"),  # IFD0 -> IFD0: exifread stops silently
        "bomb.png": (_png(50_000, 50_000), r"ok"),  # pixels are the thumbnailer's problem
        "bomb.jpg": (bytes(bomb), r"ok"),
        "truncated.heic": (heic, r"ok: .*(HEIF|meta)"),
    }
    for name, (data, _) in files.items():
        _write(folder / "DCIM" / name, data)
    expects = tuple(Expect("run", f"exif_media: {p}", f"/DCIM/{n}") for n, (_, p) in files.items())
    return Hostile("images", folder, expects, "EXIF IFD loops and counts, pixel bombs, HEIC")


def payloads(folder: Path) -> Hostile:
    """HTML/JS payloads as SMS addresses and bodies, EXIF make and model, and file names."""
    insert = "INSERT INTO sms (_id, thread_id, address, date, type, body) VALUES (?,?,?,?,?,?)"
    rows = [(i, i, p, 1_700_000_000_000 + i, 1 + i % 2, p) for i, p in enumerate(PAYLOADS, 1)]
    _write(folder / "payloads/mmssms.db", sqlite_bytes((PAGE_SIZE, SMS_SCHEMA), [(insert, rows)]))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = PAYLOADS[0], PAYLOADS[1]
    _write(folder / "payloads" / f"{PAYLOADS[3]}.jpg", _jpeg(exif=exif.tobytes()))
    expects = (
        Expect("run", r"android_sms: ok", "/payloads/mmssms.db"),
        Expect("run", r"exif_media: ok", f"/payloads/{PAYLOADS[3]}.jpg"),
    )
    return Hostile("payloads", folder, expects, "every evidence string an HTML/JS payload")


# --- disk images -----------------------------------------------------------------------------


def _mbr(*parts: tuple[int, int, int]) -> bytes:
    """A classic MBR with (type, first LBA, sectors) entries."""
    mbr = bytearray(512)
    for n, (kind, first, sectors) in enumerate(parts):
        struct.pack_into("<B3xB3xII", mbr, 446 + 16 * n, 0, kind, first, sectors)
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def _e01_set(folder: Path) -> list[Path]:
    """A 3 MiB disk (MBR + incompressible bytes) as an E01 set of 1 MiB segments."""
    raw = _write(
        folder / "media.raw", _mbr((0x83, 2048, 4096)) + random.Random(8).randbytes(3 * MIB - 512)
    )
    info = AcquisitionInfo("H-1", "E-1", "tester", "hostile", "none", WHEN)
    segments = write_e01(raw, folder / "disk.E01", info, segment_size=MIB).segments
    raw.unlink()
    return segments


def e01_truncated(root: Path) -> Hostile:
    segments = _e01_set(root / "e01_truncated")
    last = segments[-1]
    last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])
    expect = Expect("evidence", r"^(error|verification_failed): .*(incomplete|missing|read)")
    return Hostile("e01_truncated", segments[0], (expect,), f"last of {len(segments)} E0x cut")


def e01_missing_segment(root: Path) -> Hostile:
    segments = _e01_set(root / "e01_missing")
    segments[1].unlink()
    expect = Expect("evidence", r"^error: .*missing")
    return Hostile("e01_missing_segment", segments[0], (expect,), "segment .E02 missing")


def mbr_past_end(root: Path) -> Hostile:
    """1 MiB image: partition 1 starts past its end, partition 2 runs 1.5 MiB past it."""
    path = _write(
        root / "mbr_past_end.raw", _mbr((0x83, 4096, 2048), (0x07, 1024, 4096)) + bytes(MIB - 512)
    )
    expects = (
        Expect("volume", r"^p1 error: partition starts past the end"),
        Expect("volume", r"^p2 .*extends \d+ bytes past the end of the image"),
    )
    return Hostile("mbr_past_end", path, expects, "MBR entries pointing past the end")


def _ext4(files: dict[str, bytes]) -> bytearray:
    tree = FsTree(tuple(FsFile(p, d, WHEN) for p, d in files.items()))
    image = build_ext4(tree, size_bytes=2 * MIB, label="hostile", uuid=uuid.UUID(int=8), when=WHEN)
    return bytearray(image)


def gpt_past_end(root: Path) -> Hostile:
    """GPT whose one entry ends 1 GiB past the end of the disk (CRCs recomputed)."""
    path = root / "gpt_past_end.raw"
    part = GptPartition("data", LINUX_FILESYSTEM_DATA, uuid.UUID(int=1), bytes(_ext4({"/a": b"a"})))
    write_gpt_disk(path, [part], disk_guid=uuid.UUID(int=2))
    disk = bytearray(path.read_bytes())
    struct.pack_into("<Q", disk, 1024 + 40, len(disk) // 512 + 2 * MIB)  # entry 1, last LBA
    struct.pack_into("<I", disk, 512 + 88, zlib.crc32(disk[1024 : 1024 + 128 * 128]))
    struct.pack_into("<I", disk, 512 + 16, 0)
    struct.pack_into("<I", disk, 512 + 16, zlib.crc32(disk[512 : 512 + 92]))
    path.write_bytes(disk)
    expect = Expect("volume", r"^p1 .*extends \d+ bytes past the end of the image")
    return Hostile("gpt_past_end", path, (expect,), "GPT entry ending past the image")


def fat_loop(root: Path) -> Hostile:
    """FAT32 whose directory /LOOP has a cluster chain looping to itself (both FATs). The
    Sleuth Kit cuts the chain itself: /LOOP and its file are listed once."""
    files = (FsFile("/LOOP/A.TXT", b"a\n", WHEN), FsFile("/OK.TXT", b"ok\n", WHEN))
    tree = FsTree(files)
    image = bytearray(
        build_fat32(tree, size_bytes=40 * MIB, label="HOSTILE", volume_id=8, when=WHEN)
    )
    entry = image.index(b"LOOP       \x10")
    hi, lo = (
        struct.unpack_from("<H", image, entry + 20)[0],
        struct.unpack_from("<H", image, entry + 26)[0],
    )
    cluster = hi << 16 | lo
    reserved, fats = struct.unpack_from("<H", image, 14)[0], image[16]
    fat_sectors = struct.unpack_from("<I", image, 36)[0]
    for n in range(fats):
        struct.pack_into("<I", image, (reserved + n * fat_sectors) * 512 + 4 * cluster, cluster)
    path = root / "fat_loop.raw"
    _write_sparse(path, image)
    # $MBR, $FAT1, $FAT2, $OrphanFiles, the label entry, /LOOP, /LOOP/A.TXT, /OK.TXT
    expects = (Expect("kind", "^file$", "/LOOP/A.TXT"), Expect("count", "8"))
    return Hostile("fat_loop", path, expects, "FAT32 directory cluster chain -> itself")


def ext4_loop(root: Path) -> Hostile:
    """ext4 whose entry /dir/back names the root inode as a directory: a loop."""
    image = _ext4({"/dir/back": b"x\n", "/dir/keep.txt": b"keep\n"})
    name = image.index(b"back")
    rec_len = struct.unpack_from("<H", image, name - 4)[0]
    struct.pack_into("<IHBB", image, name - 8, 2, rec_len, 4, 2)  # inode 2, a directory
    path = _write(root / "ext4_loop.raw", bytes(image))
    expects = (Expect("kind", "^dir$", "/dir/back"), Expect("file", r"loop", "/dir/back"))
    return Hostile("ext4_loop", path, expects, "ext4 directory entry -> root inode")


def _write_sparse(path: Path, data: bytearray) -> None:
    """All-zero MiBs left as holes: the 40 MiB FAT32 costs ~1 MB on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for start in range(0, len(data), MIB):
            chunk = data[start : start + MIB]
            if chunk.count(0) != len(chunk):
                f.seek(start)
                f.write(chunk)
        f.truncate(len(data))


ARCHIVES: tuple[Callable[[Path], Hostile], ...] = (
    zip_flat_bomb, zip_many_bomb, zip_overlap_bomb, zip_nested, zip_quine, zip_size_lie,
    zip_many_members, zip_slip, zip_nul_name, tar_slip,
)  # fmt: skip
DISKS: tuple[Callable[[Path], Hostile], ...] = (
    e01_truncated, e01_missing_segment, mbr_past_end, gpt_past_end, fat_loop, ext4_loop,
)  # fmt: skip
FILES: tuple[Callable[[Path], Hostile], ...] = (
    names, links, sqlite_flipped, sqlite_truncated, sqlite_view, sqlite_side_views,
    sqlite_10k_tables, images, payloads,
)  # fmt: skip
NAMES = tuple(f.__name__ for f in (*ARCHIVES, *DISKS, *FILES))  # = each Hostile.name


def build_corpus(root: Path, members: int = 100_000) -> list[Hostile]:
    """Every item under `root` (a new folder): archives/, disks/ and the phone/ folder.
    `members`: how many empty members the member-count zip holds."""
    root.mkdir(parents=True)
    items = [
        make(root / "archives", members) if make is zip_many_members else make(root / "archives")
        for make in ARCHIVES
    ]
    items += [make(root / "disks") for make in DISKS]
    items += [make(root / "phone") for make in FILES]
    return items


def evidence_paths(items: Sequence[Hostile]) -> list[Path]:
    """The distinct evidence items to scan, in corpus order."""
    return list(dict.fromkeys(i.path for i in items))


# --- reading a case back ---------------------------------------------------------------------


def coverage(conn: sqlite3.Connection) -> list[Row]:
    """Every outcome the case records, one row each with its reason: evidence status and
    warnings, volumes, file notes and errors, file kinds, parser runs."""
    rows: list[Row] = []
    for ident, status, message, verification, meta in conn.execute(
        "SELECT identity, status, message, verification_message, metadata FROM evidence"
    ):
        rows.append(Row(ident, "evidence", None, f"{status}: {message or verification or ''}"))
        rows += [
            Row(ident, "warning", None, str(w))
            for w in json.loads(meta or "{}").get("warnings", [])
        ]
    joined = " JOIN evidence e ON e.id = {}.evidence_id"
    for ident, idx, status, message in conn.execute(
        "SELECT e.identity, v.idx, v.status, v.message FROM volumes v" + joined.format("v")
    ):
        rows.append(Row(ident, "volume", None, f"{idx} {status}: {message or ''}"))
    for ident, path, kind, note, error in conn.execute(
        "SELECT e.identity, f.path, f.kind, f.note, f.error FROM files f" + joined.format("f")
    ):
        rows.append(Row(ident, "kind", path, kind))
        if note or error:
            rows.append(Row(ident, "file", path, "; ".join(filter(None, (note, error)))))
    for ident, path, parser, status, message in conn.execute(
        "SELECT e.identity, f.path, r.parser, r.status, r.message FROM parser_runs r"
        " JOIN files f ON f.id = r.file_id" + joined.format("f")
    ):
        rows.append(Row(ident, "run", path, f"{parser}: {status}: {message or ''}"))
    return rows


def _matches(e: Expect, r: Row) -> bool:
    where = r.where in REASON_KINDS if e.where == "any" else r.where == e.where
    return where and e.path in (None, r.path) and bool(re.search(e.pattern, r.reason, re.I | re.S))


def unmet(item: Hostile, rows: Sequence[Row]) -> list[Expect]:
    """The expectations of `item` that no row of the case satisfies."""
    ident = str(item.path.resolve())
    mine = [r for r in rows if r.evidence == ident]
    listed = sum(r.where == "kind" for r in mine)
    return [
        e
        for e in item.expects
        if not (
            str(listed) == e.pattern if e.where == "count" else any(_matches(e, r) for r in mine)
        )
    ]


def reasons(item: Hostile, rows: Sequence[Row]) -> list[Row]:
    """The rows that state a reason for `item`: they meet one of its expectations and say
    more than a bare `ok`."""
    ident = str(item.path.resolve())
    return [
        r
        for r in rows
        if r.evidence == ident
        and r.where in REASON_KINDS
        and not re.fullmatch(r"(\w+: )?(ok|no_data): ", r.reason)
        and any(_matches(e, r) for e in item.expects)
    ]


# --- evidence before and after: listing, hashes, system calls -------------------------------


def snapshot(root: Path) -> dict[bytes, tuple[object, ...]]:
    """Every entry under `root` (names as bytes; links and FIFOs never followed or opened, as
    conftest's sha256_tree would open the FIFO and block): type, mode, size, mtime and, for a
    file, its SHA-256; for a link, its target."""
    found: dict[bytes, tuple[object, ...]] = {}
    for path in _entries(os.fsencode(root)):
        st = os.lstat(path)
        detail: object = None
        if stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                detail = hashlib.file_digest(f, "sha256").hexdigest()
        elif stat.S_ISLNK(st.st_mode):
            detail = os.readlink(path)
        found[path] = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_size, st.st_mtime_ns, detail)
    return found


def _entries(top: bytes) -> Iterator[bytes]:
    yield top
    for parent, dirs, files in os.walk(top):
        for name in sorted(dirs + files):
            yield os.path.join(parent, name)


_CALL = re.compile(r"^(?:\[pid\s+)?\d+\]?\s+(\w+)\((.*)$")
_TOKEN = re.compile(r'(?:AT_FDCWD|\d+)<((?:[^>\\]|\\.)*)>|"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)", re.S)
_WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
_CHANGES = frozenset({
    "creat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir",
    "symlink", "symlinkat", "link", "linkat", "truncate", "chmod", "fchmodat", "chown", "lchown",
    "fchownat", "utime", "utimes", "utimensat", "futimesat", "mknod", "mknodat", "setxattr",
    "lsetxattr", "removexattr", "lremovexattr",
})  # fmt: skip
STRACE_ARGS = ("--seccomp-bpf", "-f", "-qq", "-e", "trace=%file", "-y", "-x", "-s", "65535")


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x" and len(code) == 3:
            return chr(int(code[1:], 16))
        if code.isdigit():
            return chr(int(code, 8))
        return {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f"}.get(code, code)

    return os.fsdecode(_ESCAPE.sub(one, text).encode("latin-1"))


def trace_writes(trace: Path, cwd: Path) -> list[tuple[str, str]]:
    """(system call, path) for every call in an `strace STRACE_ARGS` log that may change a
    file: opens for writing (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND), creat, unlink,
    rename, mkdir, symlink, link, truncate, chmod, chown, utime, mknod, xattrs. Relative
    paths are joined to their directory descriptor's path (or `cwd`)."""
    found: list[tuple[str, str]] = []
    for line in trace.read_text(encoding="latin-1").splitlines():
        m = _CALL.match(line)
        if m is None:
            continue
        call, args = m.groups()
        if call in ("open", "openat", "openat2"):
            if not _WRITE_FLAGS.search(_TOKEN.sub("", args.split(") = ")[0])):
                continue
        elif call not in _CHANGES:
            continue
        base = str(cwd)
        for tok in _TOKEN.finditer(args):
            if tok.group(1) is not None:
                base = _unescape(tok.group(1))
            elif not (call.startswith("symlink") and tok.start() == 0):  # a link's target
                found.append((call, os.path.normpath(os.path.join(base, _unescape(tok.group(2))))))
    return found


def under(path: str, roots: Sequence[Path | str]) -> bool:
    return any(path == str(r) or path.startswith(str(r).rstrip("/") + "/") for r in roots)


def stray(writes: Sequence[tuple[str, str]], case: Path, app: Path) -> list[tuple[str, str]]:
    """The writes outside the case folder and the app's own folders (`run_qarina`'s app/),
    but for /dev/null and multiprocessing's named semaphores (created and unlinked at once
    by the hash worker pool)."""
    allowed: list[Path | str] = [case, app, "/dev/null", "/dev/tty"]
    return [w for w in writes if not under(w[1], allowed) and not w[1].startswith("/dev/shm/sem.")]


def run_qarina(
    cwd: Path, args: Sequence[str], timeout: float, trace: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`qarina ARGS` in a subprocess in `cwd`, with HOME and the XDG folders in cwd/app (the
    app's caches land there, never in the user's), under `strace STRACE_ARGS -o trace` when
    `trace` is given. Past `timeout` the whole process group (strace, the scan and its
    workers) is killed and TimeoutExpired raised."""
    app = cwd / "app"
    app.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(app), "XDG_CACHE_HOME": str(app / "cache"),
           "XDG_DATA_HOME": str(app / "data"), "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    cmd = [sys.executable, "-m", "triage_app.cli", *args]
    if trace is not None:
        cmd = ["strace", *STRACE_ARGS, "-o", str(trace), *cmd]
    with subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=os.name == "posix",
    ) as proc:  # fmt: skip
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.communicate()
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
