"""Evidence-level hashing and verification (chain of custody).

Runs on its own thread while the index stage walks the file system, so the whole acquired
media is hashed (and EWF stored hashes verified) in parallel with indexing, on the second
core. Container files (E01 segments, the .gz, the archive) are hashed as received.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import Cancelled
from .evidence.base import EvidenceSource
from .hashing import CHUNK, hash_file, hash_stream
from .progress import CancelToken


@dataclass
class CustodyResult:
    container: list[dict[str, Any]] = field(default_factory=list)
    media_sha256: str | None = None
    media_md5: str | None = None
    media_sha1: str | None = None
    media_bytes: int = 0
    verification: str = "not_applicable"
    message: str = ""
    done: bool = False


class CustodyHasher(threading.Thread):
    def __init__(self, source: EvidenceSource, cancel: CancelToken, skip_media: bool) -> None:
        super().__init__(name="custody-hash", daemon=True)
        self._source = source
        self._cancel = cancel
        self._skip_media = skip_media
        self.result = CustodyResult()

    def run(self) -> None:
        try:
            self._containers()
            if not self._skip_media:
                self._media()
            self.result.done = True
        except Cancelled:
            self.result.verification = "incomplete"
            self.result.message = "cancelled before the evidence hash finished"
        except OSError as exc:
            self.result.verification = "read_error"
            self.result.message = f"evidence could not be read to the end: {exc}"

    def _containers(self) -> None:
        info = self._source.info
        if info.format in ("raw", "split_raw"):
            # The media stream IS the container (for a split image: the whole stream), so
            # the media hash below stands for it; hashing the same bytes twice costs a full
            # extra read and ~8 CPU-seconds per 3 GB for nothing.
            for path in info.container_files:
                self.result.container.append({"path": str(path), "size": path.stat().st_size})
            return
        for path in info.container_files:
            d = hash_file(str(path), self._cancel)
            self.result.container.append(
                {"path": str(path), "size": d.size, "sha256": d.sha256, "md5": d.md5}
            )

    def _media(self) -> None:
        info = self._source.info
        stream = self._source.media_stream()
        if stream is None:
            return
        with stream:
            if info.stored_sha1:
                digests, sha1 = _with_sha1(stream, self._cancel)
                self.result.media_sha1 = sha1
            else:
                digests = hash_stream(stream, self._cancel, info.media_size)
        self.result.media_sha256 = digests.sha256
        self.result.media_md5 = digests.md5
        self.result.media_bytes = digests.size
        if info.format == "raw" and self.result.container:
            # A single raw file is its own media stream: the hashes are those of the file.
            self.result.container[0].update(sha256=digests.sha256, md5=digests.md5)
        self.result.verification, self.result.message = _verify(info, self.result)


def _with_sha1(stream: Any, cancel: CancelToken) -> tuple[Any, str]:
    from .hashing import Digests

    sha256, md5, sha1 = hashlib.sha256(), hashlib.md5(usedforsecurity=False), hashlib.sha1()
    size = 0
    while chunk := stream.read(CHUNK):
        for h in (sha256, md5, sha1):
            h.update(chunk)
        size += len(chunk)
        cancel.check()
    return Digests(sha256.hexdigest(), md5.hexdigest(), size, b""), sha1.hexdigest()


def _verify(info: Any, result: CustodyResult) -> tuple[str, str]:
    if info.media_size is not None and result.media_bytes != info.media_size:
        return "read_error", f"read {result.media_bytes} of {info.media_size} media bytes"
    checks = []
    if info.stored_md5:
        checks.append(("MD5", info.stored_md5.lower(), result.media_md5))
    if info.stored_sha1:
        checks.append(("SHA-1", info.stored_sha1.lower(), result.media_sha1))
    if not checks:
        return (
            ("no_stored_hash", "no acquisition hash stored in the image")
            if info.format == "ewf"
            else (
                "not_applicable",
                "",
            )
        )
    bad = [f"{name} stored {want} computed {got}" for name, want, got in checks if want != got]
    if bad:
        return "mismatch", "; ".join(bad)
    return "verified", "; ".join(f"{name} {want} matches" for name, want, _ in checks)
