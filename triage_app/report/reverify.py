"""Evidence hashes as recorded at intake beside the same hashes re-computed now.

The report's evidence section shows, per evidence item, the hashes recorded when the item
was added, the hashes of the same bytes now, and the E01 verification. What is re-hashed is
the cheapest check that still covers every acquired byte, read once:

- raw image: the image file (it is its own media stream);
- split raw image: the parts concatenated, once, as the "media stream" (the parts carry no
  hashes of their own at intake, only the stream does);
- E01: every segment file (the acquired bytes; the media inside is derived from them). The
  E01 verification row per stored acquisition hash (MD5, SHA-1) states the verification done
  at intake (the stored hash against the media hash computed then); it is not re-computed
  (`current` None) and holds now only while every segment file still matches: a changed or
  unreadable segment makes it "unavailable";
- gzip-compressed raw image, archive, Android backup, loose files: the container files;
- folders (extractions, iTunes/Finder backups) have no container hash, only per-file hashes
  (files table): one "not_applicable" row, as has an item that could not be opened at intake.

Files are opened read-only (`O_RDONLY|O_NONBLOCK`, `O_NOATIME` where allowed) and only when
they are regular files: a FIFO or device planted under an evidence path is refused, never
read. Every value read from the case is untrusted: damaged JSON or non-text hashes make a row
"unavailable" with the reason, never an exception. `Cancelled` from `cancel` propagates.
Rows come in evidence id order, then item name (sorted), SHA-256 before MD5.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from ..core.evidence.directory import open_readonly
from ..core.hashing import CHUNK, Digests, hash_stream
from ..core.progress import CancelToken

MEDIA_STREAM = "media stream"
ALGORITHMS = ("sha256", "md5")
_NAMES = {"sha256": "SHA-256", "md5": "MD5", "sha1": "SHA-1"}
_SELECT = (
    "SELECT id, label, format, paths, status, message, sha256, md5, container_hashes,"
    " media_sha256, media_md5, stored_md5, stored_sha1, verification, verification_message"
    " FROM evidence ORDER BY id"
)


@dataclass(frozen=True)
class EvidenceCheck:
    evidence_id: int
    item: str  # the container file name, or "media stream", or "E01 stored MD5"
    algorithm: str  # "sha256" / "md5" ("sha1" for a stored E01 SHA-1; "-" for no hash)
    intake: str | None  # as recorded when the evidence was added
    current: str | None  # re-computed now (None when not re-computed)
    status: str  # match | MISMATCH | unavailable | not_applicable | skipped
    message: str


@dataclass(frozen=True)
class _Part:
    """One file whose bytes are re-hashed, with what intake recorded for it."""

    path: str
    size: int | None
    hashes: dict[str, str | None]  # algorithm → intake hash


@dataclass(frozen=True)
class _Evidence:
    id: int
    label: str
    format: str
    status: str
    message: str
    parts: list[_Part] | None  # None: the case record is damaged
    media: dict[str, str | None]
    stored: dict[str, str | None]
    verification: str
    verification_message: str


def reverify(
    conn: sqlite3.Connection, *, rehash: bool = True, cancel: CancelToken | None = None
) -> list[EvidenceCheck]:
    """Intake and current hashes of every evidence item; see the module docstring."""
    token = cancel or CancelToken()
    rows = conn.execute(_SELECT).fetchall()  # one row per evidence item: few
    checks: list[EvidenceCheck] = []
    for row in rows:
        evidence = _evidence(tuple(row))
        found = list(_checks(evidence, rehash, token))
        checks.extend(sorted(found, key=lambda c: c.item))
    return checks


# -- reading the case record ------------------------------------------------------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _hex(value: Any) -> str | None:
    text = _text(value)
    return text.strip().lower() if text else None


def _json_list(value: Any) -> list[Any] | None:
    if value is None:
        return []
    try:
        loaded = json.loads(value) if isinstance(value, str | bytes) else None
    except (ValueError, RecursionError):
        return None
    return loaded if isinstance(loaded, list) else None


def _parts(container_hashes: Any, paths: Any) -> list[_Part] | None:
    entries = _json_list(container_hashes)
    if entries is None:
        return None
    if not entries:  # hashing never started: fall back to the recorded paths
        names = _json_list(paths)
        if names is None:
            return None
        entries = [{"path": name} for name in names]
    parts = []
    for entry in entries:
        if not isinstance(entry, dict) or not _text(entry.get("path")):
            return None
        size = entry.get("size")
        parts.append(
            _Part(
                path=str(entry["path"]),
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                hashes={algo: _hex(entry.get(algo)) for algo in ALGORITHMS},
            )
        )
    return parts


def _evidence(row: Sequence[Any]) -> _Evidence:
    (eid, label, fmt, paths, status, message, sha256, md5, container, media_sha256,
     media_md5, stored_md5, stored_sha1, verification, verification_message) = row  # fmt: skip
    return _Evidence(
        id=int(eid),
        label=_text(label) or f"evidence {eid}",
        format=_text(fmt) or "unknown",
        status=_text(status) or "",
        message=_text(message) or "",
        parts=_parts(container, paths),
        media={"sha256": _hex(media_sha256) or _hex(sha256), "md5": _hex(media_md5) or _hex(md5)},
        stored={"md5": _hex(stored_md5), "sha1": _hex(stored_sha1)},
        verification=_text(verification) or "",
        verification_message=_text(verification_message) or "",
    )


# -- what to check per evidence format ---------------------------------------------------


def _checks(ev: _Evidence, rehash: bool, cancel: CancelToken) -> Iterator[EvidenceCheck]:
    if ev.parts is None:
        yield EvidenceCheck(ev.id, ev.label, "-", None, None, "unavailable",
                            "the case record of this evidence is damaged: its container"
                            " files cannot be read from it")  # fmt: skip
    elif not ev.parts or ev.status == "error":
        yield _not_applicable(ev)
    elif ev.format in ("raw", "split_raw"):
        item = Path(ev.parts[0].path).name if len(ev.parts) == 1 else MEDIA_STREAM
        yield from _check(ev.id, item, ev.parts, ev.media, rehash, cancel)
    else:
        segments: list[EvidenceCheck] = []
        for part in ev.parts:
            segments += _check(ev.id, Path(part.path).name, [part], part.hashes, rehash, cancel)
        yield from segments
        if ev.format == "ewf":
            yield from _ewf_verification(ev, segments, rehash)


def _not_applicable(ev: _Evidence) -> EvidenceCheck:
    if ev.status == "error":
        why = f"not opened when it was added, so nothing was hashed: {ev.message}"
    else:
        why = (
            f"{ev.format} evidence has no container hash: every file in it was hashed"
            " (SHA-256 and MD5) on its own when it was indexed"
        )
    return EvidenceCheck(ev.id, ev.label, "-", None, None, "not_applicable", why)


def _check(
    eid: int,
    item: str,
    parts: list[_Part],
    intake: dict[str, str | None],
    rehash: bool,
    cancel: CancelToken,
) -> list[EvidenceCheck]:
    """SHA-256 and MD5 rows for the bytes of `parts` read in order as one stream."""
    where = ", ".join(p.path for p in parts)
    if not any(intake.values()):
        why = f"{where}: no hash was recorded when the evidence was added (hashing did not finish)"
        return _same(eid, item, {}, "unavailable", why)
    if not rehash:
        return _same(eid, item, intake, "skipped", f"{where}: not re-hashed for this report")
    try:
        digests = _hash_parts(parts, cancel)
    except (OSError, ValueError) as exc:
        return _same(eid, item, intake, "unavailable", f"cannot read the evidence now: {exc}")
    return [_compare(eid, item, a, intake[a], digests, parts, where) for a in ALGORITHMS]


def _same(
    eid: int, item: str, intake: dict[str, str | None], status: str, why: str
) -> list[EvidenceCheck]:
    """SHA-256 and MD5 rows with nothing re-computed."""
    return [EvidenceCheck(eid, item, a, intake.get(a), None, status, why) for a in ALGORITHMS]


def _compare(
    eid: int,
    item: str,
    algo: str,
    intake: str | None,
    digests: Digests,
    parts: list[_Part],
    where: str,
) -> EvidenceCheck:
    current = digests.sha256 if algo == "sha256" else digests.md5
    name = _NAMES[algo]
    if intake is None:
        why = f"{where}: no {name} was recorded when the evidence was added"
        return EvidenceCheck(eid, item, algo, None, current, "unavailable", why)
    if intake == current:
        why = f"{where}: {name} of {digests.size} bytes matches the hash recorded at intake"
        return EvidenceCheck(eid, item, algo, intake, current, "match", why)
    sizes = [p.size for p in parts]
    was = sum(s for s in sizes if s is not None) if None not in sizes else None
    size_note = f" (size at intake {was}, now {digests.size})" if was != digests.size else ""
    why = f"{where}: {name} differs from the hash recorded at intake: changed{size_note}"
    return EvidenceCheck(eid, item, algo, intake, current, "MISMATCH", why)


def _ewf_verification(
    ev: _Evidence, segments: list[EvidenceCheck], rehash: bool
) -> Iterator[EvidenceCheck]:
    at_intake = f"at intake: {ev.verification or 'not verified'}" + (
        f" ({ev.verification_message})" if ev.verification_message else ""
    )
    stored = [(algo, value) for algo, value in ev.stored.items() if value]
    if not stored:
        why = f"no acquisition hash is stored in the E01 image; verification {at_intake}"
        yield EvidenceCheck(ev.id, "E01 verification", "-", None, None, "not_applicable", why)
        return
    unchanged = all(c.status == "match" for c in segments)
    for algo, value in stored:
        item = f"E01 stored {_NAMES[algo]}"
        status, why = _ewf_status(ev.verification, unchanged, rehash)
        yield EvidenceCheck(ev.id, item, algo, value, None, status, f"{why}; {at_intake}")


def _ewf_status(verification: str, unchanged: bool, rehash: bool) -> tuple[str, str]:
    if verification == "mismatch":
        return "MISMATCH", "the media did not match the acquisition hash when it was added"
    if verification != "verified":
        return "unavailable", "the E01 image was not verified when it was added"
    if not rehash:
        return "skipped", "segment files not re-hashed for this report"
    if not unchanged:
        return "unavailable", "a segment file changed or cannot be read: media not re-verified"
    return "match", (
        "verified against the media when the evidence was added; every segment file still"
        " has its intake hashes, so the media is unchanged (not decompressed again)"
    )


# -- reading the bytes ---------------------------------------------------------------------


class _Concat:
    """The parts read one after the other, each opened read-only only when reached."""

    def __init__(self, paths: list[str], opener: Callable[[str], BinaryIO]) -> None:
        self._paths = list(paths)
        self._opener = opener
        self._current: BinaryIO | None = None

    def read(self, size: int = CHUNK) -> bytes:
        while True:
            if self._current is None:
                if not self._paths:
                    return b""
                self._current = self._opener(self._paths.pop(0))
            chunk = self._current.read(size)
            if chunk:
                return chunk
            self.close()

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None


def _open_part(path: str) -> BinaryIO:
    return open_readonly(path, follow=True)


def _hash_parts(parts: list[_Part], cancel: CancelToken) -> Digests:
    """SHA-256 + MD5 of the parts' bytes in order, each byte read once."""
    paths = [p.path for p in parts]
    expected = sum(os.stat(p).st_size for p in paths)
    stream = _Concat(paths, _open_part)
    try:
        return hash_stream(cast(BinaryIO, stream), cancel, expected)
    finally:
        stream.close()
