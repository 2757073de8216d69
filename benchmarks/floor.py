#!/usr/bin/env python3
"""The least work a default scan must do, done as fast as Python allows on every core.

    python benchmarks/floor.py IMG|E01 [--rules DIR] [--workers N]

What it does, and nothing else (no type detection, parsers, identifiers, case database):
- the custody hash of the image: SHA-256 and MD5 of IMG in 1 MiB reads, one thread each (an
  E01 is read once through pyewf, and each MiB goes to both);
- the file hashes: every regular file of the image's file system (pytsk3, as Qarina reads
  it), SHA-256 and MD5, split over N worker processes (default: the CPU count);
- with --rules (a folder of .yar files, as bench_index's prepare_yara writes Qarina's bundled
  packs), each file of at most 64 MiB is matched with those rules in the worker that read it,
  except JPEG, PNG, MP4/MOV/3GP files, which are skipped whole: Qarina skips only their picture
  and sound data, so this is less search than a scan does.

All of it runs at once: the two custody threads beside the N workers. Its wall time is a floor
for `qarina scan` on the same image on the same machine: a scan does all of this and more.
Prints the image's SHA-256 (first, as sha256sum does), then one JSON line with the counts.
Needs pytsk3, pyewf for an E01 and yara-python for --rules, all installed with Qarina.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import queue
import sys
import threading
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
SEARCH_MAX = 64 << 20
MEDIA_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def _is_ewf(path: str) -> bool:
    return path.lower().endswith((".e01", ".ex01"))


def _ewf(path: str) -> Any:
    import pyewf

    handle = pyewf.handle()
    handle.open(pyewf.glob(path))
    return handle


def _image(path: str) -> Any:
    """A pytsk3 image of a raw file or an E01 (through pyewf)."""
    import pytsk3

    if not _is_ewf(path):
        return pytsk3.Img_Info(path)

    class EwfImage(pytsk3.Img_Info):  # type: ignore[misc]
        def __init__(self, handle: Any) -> None:
            self._handle = handle
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def read(self, offset: int, size: int) -> bytes:
            return bytes(self._handle.read_buffer_at_offset(size, offset))

        def get_size(self) -> int:
            return int(self._handle.get_media_size())

    return EwfImage(_ewf(path))


def _hash_image(path: str, out: dict[str, str]) -> None:
    """SHA-256 here and MD5 in a second thread, of one read of the image (or E01 media)."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=8)

    def md5_worker() -> None:
        while (item := chunks.get()) is not None:
            md5.update(item)

    thread = threading.Thread(target=md5_worker)
    thread.start()
    if _is_ewf(path):
        handle = _ewf(path)
        read = handle.read
    else:
        handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
        read = handle.read
    try:
        while chunk := read(CHUNK):
            chunks.put(chunk)
            sha.update(chunk)
    finally:
        chunks.put(None)
        thread.join()
        handle.close()
    out["sha256"], out["md5"] = sha.hexdigest(), md5.hexdigest()


def _walk(path: str) -> list[tuple[int, int]]:
    """(inode, size) of every allocated regular file with content, in walk order."""
    import pytsk3

    fs = pytsk3.FS_Info(_image(path))
    found: list[tuple[int, int]] = []
    stack = [fs.open_dir(path="/")]
    seen: set[int] = set()
    while stack:
        for entry in stack.pop():
            name = entry.info.name.name
            meta = entry.info.meta
            if name in (b".", b"..") or meta is None or meta.addr in seen:
                continue
            if not int(entry.info.name.flags) & pytsk3.TSK_FS_NAME_FLAG_ALLOC:
                continue
            seen.add(meta.addr)
            if meta.type == pytsk3.TSK_FS_META_TYPE_DIR:
                stack.append(entry.as_directory())
            elif meta.type == pytsk3.TSK_FS_META_TYPE_REG and meta.size > 0:
                found.append((meta.addr, meta.size))
    return found


def _is_media(head: bytes) -> bool:
    return head.startswith(MEDIA_MAGIC) or head[4:8] == b"ftyp"


def _worker(path: str, files: list[tuple[int, int]], rules_dir: str | None) -> dict[str, int]:
    import pytsk3

    rules = None
    if rules_dir:
        import yara

        sources = {p.stem: p.read_text(encoding="utf-8") for p in Path(rules_dir).glob("*.yar")}
        rules = yara.compile(sources=sources)
    fs = pytsk3.FS_Info(_image(path))
    done = {"files": 0, "bytes": 0, "searched_bytes": 0, "matches": 0}
    for inode, size in files:
        handle = fs.open_meta(inode=inode)
        sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
        kept: list[bytes] = []
        offset = 0
        while offset < size:
            chunk = handle.read_random(offset, min(CHUNK, size - offset))
            if not chunk:
                break
            sha.update(chunk)
            md5.update(chunk)
            if rules is not None and size <= SEARCH_MAX:
                kept.append(chunk)
            offset += len(chunk)
        sha.hexdigest(), md5.hexdigest()
        done["files"] += 1
        done["bytes"] += offset
        if kept and not _is_media(kept[0][:12]):
            data = b"".join(kept)
            done["matches"] += len(rules.match(data=data)) if rules is not None else 0
            done["searched_bytes"] += len(data)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image")
    parser.add_argument("--rules", help="folder of .yar files to match each file with")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    digests: dict[str, str] = {}
    custody = threading.Thread(target=_hash_image, args=(args.image, digests))
    custody.start()
    files = _walk(args.image)
    shares = [files[i :: args.workers] for i in range(args.workers)]
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = pool.starmap(_worker, [(args.image, share, args.rules) for share in shares])
    custody.join()
    totals: dict[str, Any] = {k: sum(r[k] for r in results) for k in results[0]}
    print(f"{digests['sha256']}  {args.image}")
    print(json.dumps({"md5": digests["md5"], "workers": args.workers, **totals}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
