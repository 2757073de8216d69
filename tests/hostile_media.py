"""Hostile files and disk images for the corpus of tests/hostile.py. Planted in the shared
phone folder: hostile names (RTL override, 255 bytes, invalid UTF-8, HTML), link loops and
FIFOs, corrupt and hostile SQLite (flipped pages, truncated, endless views, 10,000 tables),
EXIF loops and pixel bombs, HTML/JS payloads as evidence strings. Disk images: truncated and
incomplete E01 sets, MBR and GPT partitions past the end, FAT32 and ext4 directory loops.
"""

from __future__ import annotations

import io
import os
import random
import re
import sqlite3
import struct
import uuid
import zlib
from collections.abc import Sequence
from pathlib import Path

from hostile_items import MIB, PAYLOADS, WHEN, Expect, Hostile, write_file
from PIL import Image

from triage_app.sample.android_schemas import PAGE_SIZE, SMS_SCHEMA
from triage_app.sample.ewf import AcquisitionInfo, write_e01
from triage_app.sample.ext4 import build_ext4
from triage_app.sample.fat32 import build_fat32
from triage_app.sample.fsmodel import FsFile, FsTree
from triage_app.sample.gpt import LINUX_FILESYSTEM_DATA, GptPartition, write_gpt_disk
from triage_app.sample.ios_schemas import sqlite_bytes

# --- files planted in the phone folder -------------------------------------------------------


def names(folder: Path) -> Hostile:
    """Right-to-left override, 255-byte, HTML/JS and (POSIX) invalid UTF-8 names."""
    rtl, long = "invoice\u202egpj.exe", "L" * 251 + ".txt"
    for name in (rtl, long, PAYLOADS[0] + ".txt", PAYLOADS[1] + ".html"):
        write_file(folder / "names" / name, b"MZ hostile name\n")
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
    write_file(folder / rel, data)
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
        write_file(folder / "DCIM" / name, data)
    expects = tuple(Expect("run", f"exif_media: {p}", f"/DCIM/{n}") for n, (_, p) in files.items())
    return Hostile("images", folder, expects, "EXIF IFD loops and counts, pixel bombs, HEIC")


def payloads(folder: Path) -> Hostile:
    """HTML/JS payloads as SMS addresses and bodies, EXIF make and model, and file names."""
    insert = "INSERT INTO sms (_id, thread_id, address, date, type, body) VALUES (?,?,?,?,?,?)"
    rows = [(i, i, p, 1_700_000_000_000 + i, 1 + i % 2, p) for i, p in enumerate(PAYLOADS, 1)]
    write_file(
        folder / "payloads/mmssms.db", sqlite_bytes((PAGE_SIZE, SMS_SCHEMA), [(insert, rows)])
    )
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = PAYLOADS[0], PAYLOADS[1]
    write_file(folder / "payloads" / f"{PAYLOADS[3]}.jpg", _jpeg(exif=exif.tobytes()))
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
    raw = write_file(
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
    path = write_file(
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
    path = write_file(root / "ext4_loop.raw", bytes(image))
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
