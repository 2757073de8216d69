"""The sample's pure-Python EWF-E01 writer (`triage_app/sample/ewf.py`), checked against
independent readers: libewf through pyewf, Debian's `ewfverify`/`ewfinfo` (skipped when
ewf-tools is missing) and Qarina's own evidence opener with its custody verification; plus
the section layout of the libewf EWF specification, segment splitting and byte-identical
rebuilds.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import struct
import subprocess
import time
import uuid
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyewf
import pytest

from triage_app.core.custody import CustodyHasher
from triage_app.core.evidence import open_evidence
from triage_app.core.progress import CancelToken
from triage_app.sample import ewf
from triage_app.sample.ewf import AcquisitionInfo, EwfResult, segment_path, write_e01

MIB = 1024 * 1024
# 6 MiB and 37 sectors: not a multiple of the 32 KiB chunk, so the last chunk is short.
MEDIA_SIZE = 6 * MIB + 37 * 512
ACQUIRED = datetime(2023, 11, 14, 22, 13, 19, tzinfo=UTC)
INFO = AcquisitionInfo(
    case_number="LY-2023-0117",
    evidence_number="EV-03 laptop",
    examiner="Examiner Q",
    description="Seized laptop, internal SSD",
    notes="Found at Zuwara; ملاحظات",  # header2 is UTF-16: the Arabic survives there
    acquired=ACQUIRED,
)
EXPECTED_HEADERS = {
    "case_number": "LY-2023-0117",
    "evidence_number": "EV-03 laptop",
    "examiner_name": "Examiner Q",
    "description": "Seized laptop, internal SSD",
    "notes": "Found at Zuwara; ملاحظات",
    "acquiry_operating_system": "Qarina",
    "acquiry_software_version": "Qarina sample generator",
}


def make_raw(path: Path) -> Path:
    """An MBR with one Linux partition (so Qarina's disk opener accepts the image), zeros,
    repetitive ledger text, seeded random bytes (incompressible: stored raw) and a zero tail."""
    sectors = MEDIA_SIZE // 512
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<B3xB3xII", 0, 0x83, 2048, sectors - 2048)
    mbr[510:512] = b"\x55\xaa"
    text = "دفعة 2023-11-14 USDT 0x9f3c; paiement reçu; ".encode() * 60000
    data = bytes(mbr) + bytes(MIB - 512) + text[: 2 * MIB] + random.Random(7).randbytes(2 * MIB)
    path.write_bytes(data + bytes(MEDIA_SIZE - len(data)))
    return path


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_raw(tmp_path_factory.mktemp("ewf_raw") / "laptop.raw")


@pytest.fixture(scope="module")
def single(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> EwfResult:
    return write_e01(raw, tmp_path_factory.mktemp("ewf_single") / "laptop.E01", INFO)


@pytest.fixture(scope="module")
def split(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> EwfResult:
    out = tmp_path_factory.mktemp("ewf_split") / "laptop.E01"
    return write_e01(raw, out, INFO, segment_size=MIB)


def sections(path: Path) -> list[tuple[str, bytes]]:
    """Walk a segment file by its section descriptors (EWF spec §3.1), checking each one's
    Adler-32 and that `next` offsets and sizes agree; (type, section data) in file order."""
    data = path.read_bytes()
    assert data[:9] == b"EVF\x09\x0d\x0a\xff\x00\x01" and data[11:13] == b"\x00\x00"
    found, offset = [], 13
    while True:
        kind, following, size = struct.unpack_from("<16sQQ", data, offset)
        assert struct.unpack_from("<I", data, offset + 72)[0] == zlib.adler32(
            data[offset : offset + 72]
        )
        name = kind.rstrip(b"\x00").decode()
        found.append((name, data[offset + 76 : offset + size]))
        if name in ("next", "done"):
            assert (following, size, offset + 76) == (offset, 0, len(data))
            return found
        assert following == offset + size
        offset = following


def read_media(handle: pyewf.handle, size: int) -> bytes:
    return b"".join(
        handle.read_buffer_at_offset(min(MIB, size - at), at) for at in range(0, size, MIB)
    )


def libewf_read(segments: list[Path]) -> tuple[bytes, str]:
    """The whole media as libewf reads it, and the MD5 stored in the set."""
    handle = pyewf.handle()
    handle.open([str(p) for p in segments])
    try:
        return read_media(handle, handle.get_media_size()), handle.get_hash_value("MD5")
    finally:
        handle.close()


def run_tool(name: str, *args: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} not installed (Debian package ewf-tools)")
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    done = subprocess.run([found, *args], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_result_hashes_and_single_segment(raw: Path, single: EwfResult) -> None:
    content = raw.read_bytes()
    assert single.media_size == MEDIA_SIZE
    assert single.md5 == hashlib.md5(content).hexdigest()
    assert single.sha1 == hashlib.sha1(content).hexdigest()
    assert [p.name for p in single.segments] == ["laptop.E01"]


def test_libewf_reads_media_hashes_and_headers(raw: Path, single: EwfResult) -> None:
    handle = pyewf.handle()
    handle.open([str(p) for p in single.segments])
    try:
        assert handle.get_media_size() == MEDIA_SIZE
        assert read_media(handle, MEDIA_SIZE) == raw.read_bytes()
        assert handle.get_hash_value("MD5") == single.md5
        assert handle.get_hash_value("SHA1") == single.sha1
        values = handle.get_header_values()
        assert {k: values.get(k) for k in EXPECTED_HEADERS} == EXPECTED_HEADERS
        # libewf renders header2's POSIX seconds in local time, ctime style.
        local = time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(ACQUIRED.timestamp()))
        assert values["acquiry_date"] == values["system_date"] == local
        geometry = (handle.get_bytes_per_sector(), handle.get_sectors_per_chunk())
        assert geometry == (512, 64)
        assert handle.get_media_type() == pyewf.media_types.FIXED
        assert handle.get_media_flags() & pyewf.media_flags.PHYSICAL
    finally:
        handle.close()


def test_section_layout_follows_encase6(single: EwfResult) -> None:
    found = sections(single.segments[0])
    assert [name for name, _ in found] == [
        "header2", "header2", "header", "volume", "sectors", "table", "table2",
        "data", "digest", "hash", "done",
    ]  # fmt: skip
    by_name = dict(found)
    header2 = zlib.decompress(by_name["header2"])
    assert header2.startswith(b"\xff\xfe")
    assert "\tLY-2023-0117\t" in header2.decode("utf-16")
    assert f"\t{int(ACQUIRED.timestamp())}\t" in header2.decode("utf-16")
    header = zlib.decompress(by_name["header"]).decode("ascii")
    assert header.startswith("1\r\nmain\r\nc\tn\ta\te\tt\tav\tov\tm\tu\tp\r\n")
    assert "\t2023 11 14 22 13 19\t2023 11 14 22 13 19\t0\r\n" in header
    assert "Found at Zuwara; ???????\t" in header
    assert by_name["data"] == by_name["volume"] and len(by_name["volume"]) == 1052
    chunks, spc, _, sectors = struct.unpack_from("<IIIQ", by_name["volume"], 4)
    assert (chunks, spc, sectors) == (-(-MEDIA_SIZE // 32768), 64, MEDIA_SIZE // 512)
    assert by_name["digest"][:16].hex() == by_name["hash"][:16].hex() == single.md5
    assert by_name["digest"][16:36].hex() == single.sha1
    entries = struct.unpack_from(f"<{chunks}I", by_name["table"], 24)
    compressed = sum(1 for e in entries if e & 0x8000_0000)
    assert 0 < compressed < chunks  # the random part is stored raw, the rest compressed


def test_ewfverify_and_ewfinfo(single: EwfResult) -> None:
    first = str(single.segments[0])
    verify = run_tool("ewfverify", "-q", "-d", "sha1", first)
    assert "ewfverify: SUCCESS" in verify
    info = run_tool("ewfinfo", first)
    assert "File format:\t\tEnCase 6" in info
    for label, value in [
        ("Case number:\t\t", INFO.case_number), ("Description:\t\t", INFO.description),
        ("Examiner name:\t\t", INFO.examiner), ("Evidence number:\t", INFO.evidence_number),
        ("Notes:\t\t\t", INFO.notes), ("Acquisition date:\t", "Tue Nov 14 22:13:19 2023"),
        ("Operating system used:\t", "Qarina"),
        ("Software version used:\t", "Qarina sample generator"),
        ("Media type:\t\t", "fixed disk"), ("Is physical:\t\t", "yes"),
        ("Number of sectors:\t", str(MEDIA_SIZE // 512)),
        ("MD5:\t\t\t", single.md5), ("SHA1:\t\t\t", single.sha1),
    ]:  # fmt: skip
        assert f"\t{label}{value}\n" in info, (label, value)
    set_id = re.search(r"Set identifier:\s+(\S+)", info)
    assert set_id and uuid.UUID(set_id.group(1)).version == 5  # name-based, never random


def test_ewfverify_recomputes_the_stored_md5(single: EwfResult) -> None:
    out = run_tool("ewfverify", str(single.segments[0]))
    assert f"MD5 hash stored in file:\t\t{single.md5}" in out
    assert f"MD5 hash calculated over data:\t\t{single.md5}" in out


@pytest.mark.parametrize("kind", ["single", "split"])
def test_qarina_opens_and_verifies(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    result: EwfResult = request.getfixturevalue(kind)
    cancel = CancelToken()
    source = open_evidence(result.segments[0], tmp_path, cancel)
    try:
        assert source.info.format == "ewf"
        assert source.info.container_files == result.segments
        assert (source.info.stored_md5, source.info.stored_sha1) == (result.md5, result.sha1)
        assert source.info.metadata["case_number"] == INFO.case_number
        assert source.info.metadata["examiner"] == INFO.examiner
        hasher = CustodyHasher(source, cancel, skip_media=False)
        hasher.run()
        assert hasher.result.verification == "verified", hasher.result.message
        assert (hasher.result.media_md5, hasher.result.media_bytes) == (result.md5, MEDIA_SIZE)
    finally:
        source.close()


def test_split_set_reads_back(raw: Path, split: EwfResult) -> None:
    names = [p.name for p in split.segments]
    assert len(names) >= 2 and names[:2] == ["laptop.E01", "laptop.E02"]
    assert all(p.stat().st_size <= MIB for p in split.segments)
    assert [Path(p).name for p in pyewf.glob(str(split.segments[0]))] == names
    assert libewf_read(split.segments) == (raw.read_bytes(), split.md5)
    layouts = [[name for name, _ in sections(p)] for p in split.segments]
    assert layouts[0][:4] == ["header2", "header2", "header", "volume"]
    assert all(layout[0] == "data" for layout in layouts[1:])
    assert all(layout[-1] == "next" for layout in layouts[:-1])
    assert layouts[-1][-3:] == ["digest", "hash", "done"]


def test_byte_identical_rebuild_and_stale_segments(
    raw: Path, single: EwfResult, split: EwfResult, tmp_path: Path
) -> None:
    again = write_e01(raw, tmp_path / "laptop.E01", INFO, segment_size=MIB)
    assert [p.read_bytes() for p in again.segments] == [p.read_bytes() for p in split.segments]
    # The same name rewritten as one segment leaves no .E02 … of the longer set behind.
    once = write_e01(raw, tmp_path / "laptop.E01", INFO)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laptop.E01"]
    assert once.segments[0].read_bytes() == single.segments[0].read_bytes()
    later = replace(INFO, acquired=ACQUIRED + timedelta(seconds=1))
    changed = write_e01(raw, tmp_path / "other.E01", later)
    assert changed.segments[0].read_bytes() != single.segments[0].read_bytes()


def test_many_tables_in_one_segment(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ewf, "_MAX_TABLE_ENTRIES", 50)
    out = tmp_path / "t.E01"
    result = write_e01(raw, out, INFO, sectors_per_chunk=16, compression_level=9, segment_size=MIB)
    assert len(result.segments) >= 2 and all(p.stat().st_size <= MIB for p in result.segments)
    found = [item for p in result.segments for item in sections(p)]
    counts = [struct.unpack_from("<I", data)[0] for name, data in found if name == "table"]
    assert [name for name, _ in found].count("sectors") == len(counts) > 1
    assert max(counts) == 50 and sum(counts) == -(-MEDIA_SIZE // (16 * 512))
    assert libewf_read(result.segments) == (raw.read_bytes(), result.md5)


def test_uncompressed_level_zero(raw: Path, tmp_path: Path) -> None:
    result = write_e01(raw, tmp_path / "u.E01", INFO, compression_level=0)
    by_name = dict(sections(result.segments[0]))
    chunks = -(-MEDIA_SIZE // 32768)
    entries = struct.unpack_from(f"<{chunks}I", by_name["table"], 24)
    assert not any(e & 0x8000_0000 for e in entries) and by_name["volume"][52] == 0
    assert libewf_read(result.segments) == (raw.read_bytes(), result.md5)


def test_segment_names() -> None:
    first = Path("d/laptop.E01")
    names = [segment_path(first, n).suffix for n in (1, 2, 99, 100, 101, 126, 775, 776)]
    assert names == [".E01", ".E02", ".E99", ".EAA", ".EAB", ".EBA", ".EZZ", ".FAA"]
    assert segment_path(Path("laptop.e01"), 100).name == "laptop.eaa"
    with pytest.raises(ValueError, match="ZZZ"):
        segment_path(first, 100 + 22 * 676)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"notes": "two\nlines"}, "tabs or line breaks"),
        ({"acquired": datetime(2023, 11, 14, 22, 13, 19)}, "timezone-aware"),
    ],
)
def test_rejects_bad_info(
    raw: Path, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    bad = replace(INFO, **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        write_e01(raw, tmp_path / "x.E01", bad)
    assert not list(tmp_path.iterdir())


def test_rejects_bad_media_and_name(tmp_path: Path) -> None:
    odd = tmp_path / "odd.raw"
    odd.write_bytes(bytes(1000))
    with pytest.raises(ValueError, match="multiple of 512"):
        write_e01(odd, tmp_path / "x.E01", INFO)
    with pytest.raises(ValueError, match=r"\.E01"):
        write_e01(odd, tmp_path / "x.img", INFO)


def test_same_instant_in_another_zone_gives_the_same_file(
    raw: Path, single: EwfResult, tmp_path: Path
) -> None:
    tripoli = replace(INFO, acquired=ACQUIRED.astimezone(timezone(timedelta(hours=2))))
    result = write_e01(raw, tmp_path / "laptop.E01", tripoli)
    assert result.segments[0].read_bytes() == single.segments[0].read_bytes()
