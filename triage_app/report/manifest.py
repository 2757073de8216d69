"""The hashed manifest of a report folder: `manifest.json`, then `SHA256SUMS` covering it.

The chain, written after every other report file:

1. `manifest.json` lists every file of the report (relative POSIX path, size, SHA-256) and the
   caller's `info` (tool and parser versions, rule pack hashes, evidence hashes, case DB hash,
   created time). Sorted keys, indent 2, UTF-8 without escapes, `\\n` newline.
2. `SHA256SUMS`, in the exact format of GNU `sha256sum` (so `sha256sum -c SHA256SUMS` checks
   the report with ordinary tools), covers every file including `manifest.json`.

The SHA-256 of `manifest.json` is returned to the caller, which records it in the audit log and
prints it: a report whose files were edited together with `SHA256SUMS` and `manifest.json` still
fails the comparison with that recorded value (`VerifyResult.manifest_sha256`).

Names containing a backslash, newline or carriage return are escaped as `sha256sum` (GNU
coreutils 9) does: the line starts with `\\` and the name has `\\\\`, `\\n` and `\\r`.
Symbolic links and special files in the report folder are refused, never followed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import QarinaError
from ..core.evidence.directory import open_readonly

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = "qarina-report-manifest"
FORMAT_VERSION = 1
_CHUNK = 1024 * 1024
_MAX_SUMS_BYTES = 256 * 1024**2
_MAX_MANIFEST_BYTES = 256 * 1024**2
_SUMS_LINE = re.compile(rb"([0-9a-fA-F]{64}) [ *](.+)", re.DOTALL)
_UNESCAPE = {"\\": "\\", "n": "\n", "r": "\r"}


class ManifestError(QarinaError):
    """A report folder cannot be signed (symlink, special file, bad name, write failure)."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative POSIX path inside the report folder
    size: int
    sha256: str


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of `verify_report`. Paths are relative POSIX paths, sorted; `problems` says in
    words what else is wrong (malformed SHA256SUMS, manifest.json disagreeing with it, links)."""

    ok: bool
    modified: tuple[str, ...]
    missing: tuple[str, ...]
    added: tuple[str, ...]
    manifest_sha256: str | None  # of manifest.json as it is now; None when absent
    problems: tuple[str, ...] = ()


@dataclass
class _Tree:
    files: dict[str, Path]  # regular files by relative path
    others: dict[str, str]  # anything else that is not a directory: relative path -> what it is


def printable(rel: str) -> str:
    """A path safe to print: control, format (bidi override) and undecodable characters escaped;
    letters of any script, Arabic included, kept as they are."""
    out = []
    for c in rel:
        if c == "\\":
            out.append("\\\\")
        elif c.isprintable():
            out.append(c)
        else:
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def sums_line(digest: str, rel: str) -> bytes:
    """One line of SHA256SUMS exactly as `sha256sum` writes it (text mode, two spaces)."""
    if "\\" in rel or "\n" in rel or "\r" in rel:
        escaped = rel.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {escaped}\n".encode()
    return f"{digest}  {rel}\n".encode()


def write_manifest(report_dir: Path, info: dict[str, Any]) -> str:
    """Write manifest.json, then SHA256SUMS (both crash-safe); return manifest.json's SHA-256.

    Call it after every other report file is written. Raises ManifestError on a symbolic link,
    special file or non-UTF-8 name anywhere in the folder, or when `info` is not plain JSON."""
    _require_dir(report_dir)
    tree = _scan(report_dir)
    if tree.others:
        shown = ", ".join(f"{printable(r)} ({what})" for r, what in sorted(tree.others.items()))
        raise ManifestError(
            f"{report_dir}: a report folder must hold only regular files and folders; "
            f"refused: {shown}"
        )
    names = sorted(r for r in tree.files if r not in (MANIFEST, SUMS))
    for rel in names:
        if not _is_utf8(rel):
            raise ManifestError(f"{report_dir}: file name is not valid UTF-8: {printable(rel)}")
    entries = [_entry(rel, tree.files[rel]) for rel in names]
    data = _manifest_bytes(entries, info)
    _atomic_write(report_dir, MANIFEST, data)
    digest = hashlib.sha256(data).hexdigest()
    covered = sorted([*entries, FileEntry(MANIFEST, len(data), digest)], key=lambda e: e.path)
    _atomic_write(report_dir, SUMS, b"".join(sums_line(e.sha256, e.path) for e in covered))
    return digest


def verify_report(report_dir: Path) -> VerifyResult:
    """Re-hash every file listed in SHA256SUMS; report modified, missing and added files and
    check that manifest.json lists exactly the files and hashes SHA256SUMS does."""
    _require_dir(report_dir)
    tree = _scan(report_dir)
    problems: list[str] = []
    listed = _read_sums(tree, problems)
    actual: dict[str, str] = {}
    modified, missing = _compare(tree, listed or {}, actual, problems)
    if listed is None:
        missing.append(SUMS)
    added = sorted((set(tree.files) | set(tree.others)) - set(listed or {}) - {SUMS})
    problems += [f"{printable(r)} is a {w}, not a regular file" for r, w in tree.others.items()]
    if listed is not None:
        problems += _check_manifest(tree, listed)
    if MANIFEST not in (listed or {}) and MANIFEST in tree.files:
        actual[MANIFEST] = _entry(MANIFEST, tree.files[MANIFEST]).sha256
    return VerifyResult(
        ok=not (modified or missing or added or problems),
        modified=tuple(sorted(modified)),
        missing=tuple(sorted(missing)),
        added=tuple(added),
        manifest_sha256=actual.get(MANIFEST),
        problems=tuple(sorted(problems)),
    )


def _compare(
    tree: _Tree, listed: dict[str, str], actual: dict[str, str], problems: list[str]
) -> tuple[list[str], list[str]]:
    """Re-hash the listed files into `actual`; return (modified, missing)."""
    modified: list[str] = []
    missing: list[str] = []
    for rel, digest in listed.items():
        if rel in tree.files:
            try:
                actual[rel] = _entry(rel, tree.files[rel]).sha256
            except ManifestError as exc:
                problems.append(str(exc))
                modified.append(rel)
                continue
            if actual[rel] != digest:
                modified.append(rel)
        elif rel in tree.others:
            modified.append(rel)
        else:
            missing.append(rel)
    return modified, missing


# --- the folder ------------------------------------------------------------------------------


def _require_dir(report_dir: Path) -> None:
    try:
        mode = os.lstat(report_dir).st_mode
    except OSError as exc:
        raise ManifestError(f"{report_dir}: cannot open the report folder: {exc}") from exc
    if not stat.S_ISDIR(mode):
        raise ManifestError(f"{report_dir}: not a folder (symbolic links are not followed)")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _scan(root: Path) -> _Tree:
    """Every entry under root, without following any link."""
    tree = _Tree({}, {})
    stack: list[tuple[str, str]] = [("", os.fspath(root))]
    try:
        while stack:
            prefix, folder = stack.pop()
            with os.scandir(folder) as it:
                for entry in it:
                    rel = prefix + entry.name
                    mode = entry.stat(follow_symlinks=False).st_mode
                    if stat.S_ISDIR(mode):
                        stack.append((rel + "/", entry.path))
                    elif stat.S_ISREG(mode):
                        tree.files[rel] = Path(entry.path)
                    else:
                        tree.others[rel] = _kind(mode)
    except OSError as exc:
        raise ManifestError(f"{root}: cannot list the report folder: {exc}") from exc
    return tree


def _is_utf8(rel: str) -> bool:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\0" not in rel


def _entry(rel: str, path: Path) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    try:
        with open_readonly(path) as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise ManifestError(f"cannot read {printable(rel)}: {exc}") from exc
    return FileEntry(rel, size, digest.hexdigest())


def _manifest_bytes(entries: list[FileEntry], info: dict[str, Any]) -> bytes:
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "info": info,
        "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries],
    }
    try:
        text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
        return (text + "\n").encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise ManifestError(f"manifest info is not plain JSON: {exc}") from exc


def _atomic_write(folder: Path, name: str, data: bytes) -> None:
    """Temporary name in the same folder, fsync, os.replace, then fsync the folder."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ManifestError(f"{folder}: cannot write {name}: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / name)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ManifestError(f"{folder}: cannot write {name}: {exc}") from exc
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # not possible on every platform (Windows); the file itself is synced
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading SHA256SUMS and manifest.json -----------------------------------------------------


def _unescape(name: str) -> str | None:
    out: list[str] = []
    chars = iter(name)
    for c in chars:
        if c != "\\":
            out.append(c)
            continue
        real = _UNESCAPE.get(next(chars, ""))
        if real is None:
            return None
        out.append(real)
    return "".join(out)


def _parse_line(line: bytes) -> tuple[str, str] | None:
    """(relative path, digest) of one SHA256SUMS line without its newline; None if malformed."""
    escaped = line.startswith(b"\\")
    match = _SUMS_LINE.fullmatch(line[1:] if escaped else line)
    if match is None:
        return None
    try:
        raw = match.group(2).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in raw or "\0" in raw:
        return None
    name = _unescape(raw) if escaped else raw
    if name is None:
        return None
    return name, match.group(1).decode("ascii").lower()


def _plain_relative(rel: str) -> bool:
    return not rel.startswith("/") and all(p not in ("", ".", "..") for p in rel.split("/"))


def _read_sums(tree: _Tree, problems: list[str]) -> dict[str, str] | None:
    """The listing of SHA256SUMS (path -> digest), or None when it cannot be read at all."""
    if SUMS not in tree.files:
        problems.append(f"{SUMS} is missing or not a regular file")
        return None
    listed: dict[str, str] = {}
    try:
        with open_readonly(tree.files[SUMS]) as f:
            if os.fstat(f.fileno()).st_size > _MAX_SUMS_BYTES:
                problems.append(f"{SUMS} is larger than {_MAX_SUMS_BYTES} bytes; not read")
                return None
            for number, line in enumerate(f, start=1):
                _add_line(listed, number, line.removesuffix(b"\n"), problems)
    except OSError as exc:
        problems.append(f"{SUMS} cannot be read: {exc}")
        return None
    return listed


def _add_line(listed: dict[str, str], number: int, line: bytes, problems: list[str]) -> None:
    parsed = _parse_line(line)
    if parsed is None:
        problems.append(f"{SUMS} line {number}: not in sha256sum format")
        return
    rel, digest = parsed
    if not _plain_relative(rel) or rel == SUMS:
        problems.append(f"{SUMS} line {number}: not a file of the report: {printable(rel)}")
    elif rel in listed:
        problems.append(f"{SUMS} line {number}: {printable(rel)} is listed twice")
    else:
        listed[rel] = digest


def _check_manifest(tree: _Tree, listed: dict[str, str]) -> list[str]:
    """manifest.json must be covered by SHA256SUMS and list the same files with the same hashes."""
    if MANIFEST not in listed:
        return [f"{SUMS} does not cover {MANIFEST}"]
    if MANIFEST not in tree.files:
        return []  # already reported as missing or not a regular file
    files = _manifest_files(tree.files[MANIFEST])
    if isinstance(files, str):
        return [f"{MANIFEST}: {files}"]
    expected = {rel: digest for rel, digest in listed.items() if rel != MANIFEST}
    differing = {r for r in files.keys() | expected.keys() if files.get(r) != expected.get(r)}
    return [f"{MANIFEST} and {SUMS} disagree on {printable(r)}" for r in sorted(differing)]


def _manifest_files(path: Path) -> dict[str, str] | str:
    """The files listed in manifest.json (path -> digest), or what is wrong with it."""
    try:
        with open_readonly(path) as f:
            data = f.read(_MAX_MANIFEST_BYTES + 1)
        if len(data) > _MAX_MANIFEST_BYTES:
            return f"larger than {_MAX_MANIFEST_BYTES} bytes; not read"
        doc = json.loads(data.decode("utf-8"))
    except (OSError, ValueError) as exc:
        return f"cannot be read as JSON: {exc}"
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return f"not a {FORMAT} document"
    listing = doc.get("files")
    if not isinstance(listing, list):
        return "has no list of files"
    files: dict[str, str] = {}
    for item in listing:
        if not isinstance(item, dict):
            return "has a malformed file entry"
        rel, digest = item.get("path"), item.get("sha256")
        if not isinstance(rel, str) or not isinstance(digest, str) or rel in files:
            return "has a malformed or repeated file entry"
        files[rel] = digest.lower()
    return files
