"""Thumbnails of photo records for the HTML and PDF reports, read back from the evidence.

Each request names a record's evidence item, path and the SHA-256 the indexer recorded. The
file is found in the case's `files` table by those three, read through its evidence source
(each evidence item opened at most once, lazily, all closed at the end) and hashed again:
only bytes that hash to the recorded SHA-256 are shown, so a file changed since the scan
gives a problem, never a thumbnail. The SHA-256 (checked to be 64 hex digits before it is
used as a name) names the output, `<sha256>.jpg` or `<sha256>-blur.jpg`, so identical photos
are decoded and written once.

Decoding (`thumb_decode.py`) runs in a worker process with a time and memory limit
(`DECODE_LIMITS`), so a crafted file that crashes or hangs Pillow's or libheif's native code
costs that photo ("image decoder crashed on this file"), never the report or the GUI. It is
bounded: at most `MAX_FILE_BYTES` are read; only the formats in `FORMATS` are
tried; a JPEG is decoded at reduced size (`Image.draft`); an image whose (reduced) size
exceeds `MAX_PIXELS` is refused before its pixels are decoded, whatever Pillow's global
`MAX_IMAGE_PIXELS` is, and Pillow's own decompression-bomb warning is turned into a refusal
for the duration of the call (Pillow's settings are not changed). HEIC/HEIF is decoded only
when `pillow_heif` imports. Orientation: the EXIF orientation is read from the source and
applied to the thumbnail (the transposition `ImageOps.exif_transpose` does, done after the
downscale so a large photo is never copied at full size). Transparent pixels are composed on
white.

Output: baseline JPEG, quality 80, 4:2:0, written from a fresh RGB image so no EXIF, ICC
profile, comment or other metadata of the evidence is carried over; the same input gives the
same bytes. With `blur` only the blurred image is written: the thumbnail is reduced to
`BLUR_SIDE` pixels on its long side, scaled back and Gaussian-blurred, so nothing is
recognisable. Every failure to read or decode becomes a short plain-English `problem`;
only `Cancelled` (and errors writing the output folder) propagate.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Cancelled, EvidenceError, PasswordNeeded
from ..core.evidence import open_evidence
from ..core.evidence.base import EvidenceSource
from ..core.isolation import Done, Failed, Limits, Supervisor
from ..core.models import Locator
from ..core.progress import CancelToken
from . import thumb_decode
from .tables import write_bytes_atomic

MAX_FILE_BYTES = 64 * 1024**2
_CHUNK = 1024**2
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FILE_SQL = (
    "SELECT locator, size FROM files WHERE evidence_id = ? AND path = ? AND kind = 'file'"
    " AND lower(sha256) = ? ORDER BY id LIMIT 1"
)


@dataclass(frozen=True)
class ThumbRequest:
    evidence: int  # record["evidence"]
    path: str  # record["path"]
    sha256: str | None  # record["source_sha256"]
    blur: bool = False


@dataclass(frozen=True)
class Thumb:
    name: str | None  # file name relative to out_dir, None if not made
    problem: str | None  # why not (plain English, short), None if made


class _Problem(Exception):
    """A request that gives no thumbnail; the message is its `problem`."""


class _ContentProblem(_Problem):
    """A problem of the (verified) file content itself, the same for every copy of it."""


DECODE_LIMITS = Limits(seconds=30, memory_mb=1024)  # per photo, in the decoder process
_PRELOAD = ("triage_app.report.thumb_decode",)


class _Sources:
    """Evidence sources, each opened at most once; an item that fails keeps its reason."""

    def __init__(
        self,
        case_dir: Path,
        conn: sqlite3.Connection,
        passwords: Mapping[int, str],
        cancel: CancelToken,
    ) -> None:
        self._case_dir = case_dir
        self._conn = conn
        self._passwords = passwords
        self._cancel = cancel
        self._open: dict[int, EvidenceSource] = {}
        self._failed: dict[int, str] = {}

    def get(self, evidence_id: int) -> EvidenceSource:
        if evidence_id in self._open:
            return self._open[evidence_id]
        if evidence_id not in self._failed:
            try:
                self._open[evidence_id] = self._open_one(evidence_id)
                return self._open[evidence_id]
            except _Problem as exc:
                self._failed[evidence_id] = str(exc)
        raise _Problem(self._failed[evidence_id])

    def _open_one(self, evidence_id: int) -> EvidenceSource:
        row = self._conn.execute(
            "SELECT identity FROM evidence WHERE id = ?", (evidence_id,)
        ).fetchone()
        if row is None:
            raise _Problem("evidence item not in the case")
        password = self._passwords.get(evidence_id)
        try:
            return open_evidence(Path(row[0]), self._case_dir / "work", self._cancel, password)
        except Cancelled:
            raise
        except PasswordNeeded as exc:
            raise _Problem(f"encrypted backup: {exc}") from exc
        except EvidenceError as exc:
            raise _Problem(_short(f"evidence could not be opened: {exc}")) from exc
        except Exception as exc:
            raise _Problem(f"evidence could not be opened ({type(exc).__name__})") from exc

    def close(self) -> None:
        for source in self._open.values():
            with contextlib.suppress(EvidenceError, OSError):  # read-only: nothing to lose
                source.close()
        self._open.clear()


def write_thumbnails(
    case_dir: Path,
    conn: sqlite3.Connection,
    requests: Iterable[ThumbRequest],
    out_dir: Path,
    *,
    max_side: int = 256,
    passwords: Mapping[int, str] | None = None,
    cancel: CancelToken | None = None,
) -> dict[ThumbRequest, Thumb]:
    """Write a JPEG thumbnail for each request into `out_dir`; the outcome of each request."""
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    cancel = cancel or CancelToken()
    out_dir.mkdir(parents=True, exist_ok=True)
    maker = _Maker(conn, _Sources(case_dir, conn, passwords or {}, cancel), out_dir, max_side)
    results: dict[ThumbRequest, Thumb] = {}
    try:
        for request in requests:
            cancel.check()
            if request not in results:
                results[request] = maker.one(request, cancel)
    finally:
        maker.close()
    return results


class _Maker:
    """Thumbnails of one call: evidence read here, decoded in a worker process (started at the
    first photo to decode, one for the whole call), each photo decoded once per content."""

    def __init__(
        self, conn: sqlite3.Connection, sources: _Sources, out_dir: Path, max_side: int
    ) -> None:
        self._conn, self._sources, self._out, self._side = conn, sources, out_dir, max_side
        self._made: dict[tuple[str, bool], Thumb] = {}
        self._decoder: Supervisor | None = None

    def one(self, request: ThumbRequest, cancel: CancelToken) -> Thumb:
        sha256 = request.sha256.lower() if isinstance(request.sha256, str) else None
        if sha256 is None or not _SHA256.fullmatch(sha256):
            return Thumb(None, "no SHA-256 recorded for this file")
        key = (sha256, bool(request.blur))
        if key in self._made:
            return self._made[key]
        try:
            data = _read(request, sha256, self._conn, self._sources, cancel)
            jpeg = self._decode(data, key[1], cancel)
        except _ContentProblem as exc:  # depends on the content only: the same for every copy
            self._made[key] = Thumb(None, str(exc))
            return self._made[key]
        except _Problem as exc:
            return Thumb(None, str(exc))
        name = f"{sha256}-blur.jpg" if key[1] else f"{sha256}.jpg"
        write_bytes_atomic(self._out / name, jpeg)
        self._made[key] = Thumb(name, None)
        return self._made[key]

    def _decode(self, data: bytes, blur: bool, cancel: CancelToken) -> bytes:
        if self._decoder is None:
            self._decoder = Supervisor(1, DECODE_LIMITS, preload=_PRELOAD)
        self._decoder.submit(0, thumb_decode.jpeg, data, self._side, blur)
        result: bytes | str | None = None
        while result is None:  # the decoder's own time limit bounds the wait
            for event in self._decoder.events(timeout=0.2):
                if isinstance(event, Done):
                    result = event.result
                elif isinstance(event, Failed):
                    result = _decoder_failure(event)
                break
            cancel.check()
        if isinstance(result, str):
            raise _ContentProblem(result)
        return result

    def close(self) -> None:
        try:
            if self._decoder is not None:
                self._decoder.close()
        finally:
            self._sources.close()


def _decoder_failure(event: Failed) -> str:
    if event.kind == "timeout":
        return f"image decoder stopped after {DECODE_LIMITS.seconds:g} s (damaged or hostile file?)"
    if event.kind == "memory":
        return f"image needs more than {DECODE_LIMITS.memory_mb} MB to decode"
    if event.kind == "crashed":
        return "image decoder crashed on this file (damaged or hostile file?)"
    return f"image could not be decoded ({event.message.splitlines()[0][:80]})"


def _read(
    request: ThumbRequest,
    sha256: str,
    conn: sqlite3.Connection,
    sources: _Sources,
    cancel: CancelToken,
) -> bytes:
    """The file's bytes, checked against the recorded SHA-256."""
    if not isinstance(request.evidence, int) or not isinstance(request.path, str):
        raise _Problem("record does not name a file in the evidence")
    row = conn.execute(_FILE_SQL, (request.evidence, request.path, sha256)).fetchone()
    if row is None:
        raise _Problem("file with this SHA-256 not found in the case index")
    if not isinstance(row[1], int) or row[1] > MAX_FILE_BYTES:
        raise _Problem("too large for a thumbnail")
    source = sources.get(request.evidence)
    try:
        data = _read_bounded(source, Locator.parse(row[0]), cancel)
    except (Cancelled, _Problem):
        raise
    except EvidenceError as exc:
        raise _Problem(_short(f"file could not be read from the evidence: {exc}")) from exc
    except Exception as exc:
        raise _Problem(f"file could not be read from the evidence ({type(exc).__name__})") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _Problem("file content differs from the scan (SHA-256 mismatch); not shown")
    return data


def _read_bounded(source: EvidenceSource, locator: Locator, cancel: CancelToken) -> bytes:
    buffer = bytearray()
    with source.open(locator) as stream:
        while True:
            cancel.check()
            chunk = stream.read(min(_CHUNK, MAX_FILE_BYTES + 1 - len(buffer)))
            if not chunk:
                return bytes(buffer)
            buffer += chunk
            if len(buffer) > MAX_FILE_BYTES:
                raise _Problem("too large for a thumbnail")


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
