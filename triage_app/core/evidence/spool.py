"""Decompress an evidence file once into the case work area, safely.

Used for compressed tars and gzip raw images, which must be read at random. The copy is
named after the evidence's path, size and mtime (two evidence files with the same name do
not collide; a changed file is not mistaken for the old copy), written under a temporary
name and renamed only when complete, so a cancelled, failed or refused spool never leaves a
truncated copy that a later open would take for the whole evidence. Output is capped, so a
decompression bomb stops with a clear error instead of filling the disk.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import re
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..errors import ArchiveLimitExceeded, EvidenceError
from ..progress import CancelToken
from .directory import open_readonly

STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)
Decompressor = Callable[[BinaryIO], io.BufferedIOBase]


def spool_target(path: Path, workdir: Path, suffix: str) -> Path:
    st = path.stat()
    identity = f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "replace")
    safe = re.sub(r"[^\w.-]", "_", path.name)[:80]
    return workdir / f"{safe}-{hashlib.sha256(identity).hexdigest()[:16]}{suffix}"


def spool(
    path: Path,
    decompress: Decompressor,
    suffix: str,
    workdir: Path,
    limit: int,
    cancel: CancelToken,
    compression: str,
) -> Path:
    """The decompressed copy of `path` in `workdir` (made now, or reused if complete).
    `compression` names the format in messages ("gzip", "bzip2", "xz")."""
    target = spool_target(path, workdir, suffix)
    if target.is_file():
        return target
    workdir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=workdir, prefix=f"{target.stem}-", suffix=".partial")
    written = 0
    try:
        with (
            os.fdopen(fd, "wb") as dst,
            open_readonly(path, follow=True) as raw,
            decompress(raw) as src,
        ):
            while chunk := src.read(4 * 1024**2):
                cancel.check()
                written += len(chunk)
                if written > limit:
                    raise ArchiveLimitExceeded(
                        f"{path.name}: decompresses to more than {limit} bytes (limit: free "
                        "space in the case folder or the configured maximum); refused as a "
                        "possible decompression bomb"
                    )
                dst.write(chunk)
        os.replace(tmp, target)
    except STREAM_ERRORS as exc:
        Path(tmp).unlink(missing_ok=True)
        raise EvidenceError(
            f"{path.name}: corrupt or truncated {compression} stream: {exc}"
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
