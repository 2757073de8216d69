"""Streaming SHA-256 + MD5 in one read, cancellable.

hashlib releases the GIL for buffers over 2 KiB, so for large inputs MD5 runs on a helper
thread while SHA-256 runs on the caller's: both cores work, and the data is read once.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from .progress import CancelToken

CHUNK = 1024 * 1024
_PARALLEL_FROM = 4 * CHUNK


@dataclass(frozen=True)
class Digests:
    sha256: str
    md5: str
    size: int
    prefix: bytes  # the first bytes, kept for type detection without a second read
    # The whole content, when the caller asked to keep files up to a size (content search).
    content: bytes | None = field(default=None, repr=False, compare=False)


class _Keeper:
    """Collects the chunks of a file while they are hashed, up to `limit` bytes."""

    def __init__(self, limit: int, expected_size: int | None) -> None:
        fits = limit > 0 and (expected_size is None or expected_size <= limit)
        self._chunks: list[bytes] | None = [] if fits else None
        self._limit, self._size = limit, 0

    def add(self, chunk: bytes) -> None:
        if self._chunks is None:
            return
        self._size += len(chunk)
        if self._size > self._limit:
            self._chunks = None
        else:
            self._chunks.append(chunk)

    def content(self) -> bytes | None:
        return None if self._chunks is None else b"".join(self._chunks)


def hash_stream(
    stream: BinaryIO,
    cancel: CancelToken,
    expected_size: int | None = None,
    on_bytes: Callable[[int], None] | None = None,
    prefix_len: int = 4096,
    keep: int = 0,
) -> Digests:
    """Hash everything `stream` yields; with `keep`, also return the content of a file of at
    most `keep` bytes. Raises OSError on read errors, Cancelled on cancel."""
    sha = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    keeper = _Keeper(keep, expected_size)
    if expected_size is not None and expected_size >= _PARALLEL_FROM:
        return _hash_parallel(stream, cancel, sha, md5, on_bytes, prefix_len, keeper)
    size = 0
    prefix = b""
    while chunk := stream.read(CHUNK):
        if not prefix:
            prefix = chunk[:prefix_len]
        sha.update(chunk)
        md5.update(chunk)
        keeper.add(chunk)
        size += len(chunk)
        if on_bytes is not None:
            on_bytes(len(chunk))
        cancel.check()
    return Digests(sha.hexdigest(), md5.hexdigest(), size, prefix, keeper.content())


def _hash_parallel(
    stream: BinaryIO,
    cancel: CancelToken,
    sha: hashlib._Hash,
    md5: hashlib._Hash,
    on_bytes: Callable[[int], None] | None,
    prefix_len: int,
    keeper: _Keeper,
) -> Digests:
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=8)

    def md5_worker() -> None:
        while (item := chunks.get()) is not None:
            md5.update(item)

    worker = threading.Thread(target=md5_worker, name="md5", daemon=True)
    worker.start()
    size = 0
    prefix = b""
    try:
        while chunk := stream.read(CHUNK):
            if not prefix:
                prefix = chunk[:prefix_len]
            chunks.put(chunk)
            sha.update(chunk)
            keeper.add(chunk)
            size += len(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
            cancel.check()
    finally:
        chunks.put(None)
        worker.join()
    return Digests(sha.hexdigest(), md5.hexdigest(), size, prefix, keeper.content())


def hash_file(
    path: str, cancel: CancelToken, on_bytes: Callable[[int], None] | None = None
) -> Digests:
    from .evidence.directory import open_readonly  # O_NOATIME: reading leaves atime alone

    with open_readonly(path, follow=True) as f:
        return hash_stream(f, cancel, os.fstat(f.fileno()).st_size, on_bytes)
