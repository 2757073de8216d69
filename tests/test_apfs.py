"""APFS adapter against dfvfs `test_data/apfs.raw` (one volume `apfs_test`, no partition table)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import pytest

from triage_app.core.errors import Cancelled, EvidenceError
from triage_app.core.evidence import apfs
from triage_app.core.evidence.base import Entry, SourceInfo
from triage_app.core.evidence.disk import DiskSource
from triage_app.core.evidence.media import RawMedia
from triage_app.core.models import Locator
from triage_app.core.progress import CancelToken

ReadAt = Callable[[int, int], bytes]

EXPECTED_KINDS = {
    "/passwords.txt": "file",
    "/a_link": "link",
    "/a_directory": "dir",
    "/a_directory/a_file": "file",
    "/a_directory/another_file": "file",
    "/a_directory/a_resourcefork": "file",
    "/.fseventsd": "dir",
    "/.fseventsd/fseventsd-uuid": "file",
    "/.fseventsd/000000001714941a": "file",
    "/.fseventsd/000000001714941b": "file",
}
PASSWORDS_MD5 = "39cb097008d17660abd0539891a672af"
A_FILE_MD5 = "85bebf486af24792085f769afa46717d"
BASE = Locator((("vol", "p1"),))


def corpus_file(name: str) -> Path:
    root = os.environ.get("QARINA_CORPUS")
    if not root:
        pytest.skip("QARINA_CORPUS not set")
    path = Path(root) / "dfvfs" / "test_data" / name
    if not path.is_file():
        pytest.fail(f"QARINA_CORPUS is set but {path} is missing")
    return path


@pytest.fixture
def read_file() -> Iterator[Callable[[Path], ReadAt]]:
    handles: list[BinaryIO] = []

    def opener(path: Path) -> ReadAt:
        handle = path.open("rb")
        handles.append(handle)
        return lambda offset, size: os.pread(handle.fileno(), size, offset)

    yield opener
    for handle in handles:
        handle.close()


@pytest.fixture
def container(read_file: Callable[[Path], ReadAt]) -> apfs.ApfsContainer:
    read_at = read_file(corpus_file("apfs.raw"))
    return apfs.ApfsContainer(read_at, 0, None, "p1", BASE)


@pytest.fixture
def entries(container: apfs.ApfsContainer) -> dict[str, Entry]:
    walked = list(container.walk(CancelToken()))
    by_path = {e.ref.path: e for e in walked}
    assert len(by_path) == len(walked), "a path was walked twice"
    return by_path


def md5(stream: BinaryIO) -> str:
    return hashlib.md5(stream.read()).hexdigest()


@pytest.mark.corpus
def test_walk_paths_and_kinds(entries: dict[str, Entry]) -> None:
    assert {path: e.ref.kind for path, e in entries.items()} == EXPECTED_KINDS
    assert all(not e.ref.deleted for e in entries.values())


@pytest.mark.corpus
def test_full_record(entries: dict[str, Entry]) -> None:
    ref = entries["/passwords.txt"].ref
    assert ref.locator == BASE.child("apfs_vol", "0").child("inode", "18").child(
        "path", "/passwords.txt"
    )
    assert (ref.inode, ref.size, ref.volume, ref.note) == (18, 116, "p1", None)
    for ts in (ref.mtime, ref.atime, ref.ctime, ref.crtime):
        assert ts is not None and ts.utcoffset() == timedelta(0)
    assert ref.mtime is not None and ref.mtime.isoformat() == "2022-01-14T07:19:41.213333+00:00"
    assert entries["/a_directory/a_file"].ref.inode == 17
    assert entries["/a_directory/another_file"].ref.inode == 19
    assert entries["/a_directory/a_resourcefork"].ref.inode == 23
    assert entries["/a_link"].ref.inode == 20


@pytest.mark.corpus
def test_content_through_opener_and_locator(
    container: apfs.ApfsContainer, entries: dict[str, Entry]
) -> None:
    for path, expected in (("/passwords.txt", PASSWORDS_MD5), ("/a_directory/a_file", A_FILE_MD5)):
        entry = entries[path]
        assert entry.opener is not None
        assert md5(entry.opener()) == expected
        stream = container.open(entry.ref.locator)
        assert md5(stream) == expected
        stream.seek(6)
        assert stream.read(4) == entry.opener().read(10)[6:]
    assert entries["/a_directory"].opener is None
    assert entries["/a_link"].opener is None


@pytest.mark.corpus
def test_openers_from_threads(entries: dict[str, Entry]) -> None:
    jobs = [("/passwords.txt", PASSWORDS_MD5), ("/a_directory/a_file", A_FILE_MD5)] * 50

    def check(job: tuple[str, str]) -> bool:
        opener = entries[job[0]].opener
        return opener is not None and md5(opener()) == job[1]

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(check, jobs))


@pytest.mark.corpus
def test_open_rejects_bad_locators(container: apfs.ApfsContainer) -> None:
    for locator in (
        BASE.child("apfs_vol", "0").child("inode", "16"),  # a directory
        BASE.child("apfs_vol", "7").child("inode", "18"),
        BASE.child("apfs_vol", "0"),
        BASE.child("apfs_vol", "0").child("inode", "x"),
    ):
        with pytest.raises(EvidenceError):
            container.open(locator)


@pytest.mark.corpus
def test_volume_name(container: apfs.ApfsContainer, read_file: Callable[[Path], ReadAt]) -> None:
    assert container.volume_names == ["apfs_test"]
    assert container.skipped == []
    # One volume: FileRef.volume is the caller's label, unchanged (None for a whole image).
    whole = apfs.ApfsContainer(read_file(corpus_file("apfs.raw")), 0, None, None, Locator(()))
    assert {e.ref.volume for e in whole.walk(CancelToken())} == {None}


def test_volume_label_with_several_volumes() -> None:
    assert apfs.volume_label("p2", "Data", 1) == "p2"
    assert apfs.volume_label(None, "Data", 1) is None
    assert apfs.volume_label("p2", "Data", 3) == "p2:Data"
    assert apfs.volume_label(None, "Data", 3) == "Data"


@pytest.mark.corpus
def test_is_container(read_file: Callable[[Path], ReadAt]) -> None:
    assert apfs.is_container(read_file(corpus_file("apfs.raw")), 0)
    assert not apfs.is_container(read_file(corpus_file("image.dd")), 0)


def test_is_container_never_raises() -> None:
    def failing(offset: int, size: int) -> bytes:
        raise OSError("read error")

    assert not apfs.is_container(failing, 0)
    assert not apfs.is_container(lambda offset, size: b"", 0)
    assert not apfs.is_container(lambda offset, size: b"\0" * 32 + b"NX", 0)


@pytest.mark.corpus
@pytest.mark.parametrize("length", [None, 64 * 1024])
def test_truncated_container_is_evidence_error(
    tmp_path: Path, read_file: Callable[[Path], ReadAt], length: int | None
) -> None:
    truncated = tmp_path / "apfs_64k.raw"
    truncated.write_bytes(corpus_file("apfs.raw").read_bytes()[: 64 * 1024])
    read_at = read_file(truncated)
    assert apfs.is_container(read_at, 0)
    with pytest.raises(EvidenceError, match="APFS container"):
        apfs.ApfsContainer(read_at, 0, length, None, Locator(()))


def test_bad_superblock_is_evidence_error() -> None:
    header = b"\0" * 32 + b"NXSB" + (3).to_bytes(4, "little") + (10).to_bytes(8, "little")
    with pytest.raises(EvidenceError, match="invalid geometry"):
        apfs.ApfsContainer(lambda offset, size: header[offset : offset + size], 0, None, None, BASE)


@pytest.mark.corpus
def test_walk_honours_cancellation(container: apfs.ApfsContainer) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        next(container.walk(token))
    token = CancelToken()
    walk = container.walk(token)
    next(walk)
    token.cancel()
    with pytest.raises(Cancelled):
        list(walk)


@pytest.mark.corpus
def test_through_disk_source() -> None:
    path = corpus_file("apfs.raw")
    media = RawMedia([path])
    info = SourceInfo(kind="disk_image", format="raw", container_files=[path])
    with DiskSource(media, info, native_path=str(path)) as source:
        [volume] = source.volumes()
        assert (volume.fs_type, volume.status) == ("APFS", "ok")
        walked = {e.ref.path: e.ref for e in source.walk(CancelToken())}
        assert set(walked) == set(EXPECTED_KINDS)
        assert md5(source.open(walked["/passwords.txt"].locator)) == PASSWORDS_MD5
