"""Keyword and YARA rule packs: load, validate and verify the bundled packs and wrap the user's
own `--keywords FILE` / `--rules PATH` as ad-hoc packs.

Why: a report must say exactly which terms and rules were searched. Every pack file carries a
SHA-256 in its pack's `manifest.json`; a file whose bytes differ from the manifest, a missing
file, a path outside the pack folder or a symbolic link stops loading with a `PackError` that
names the pack and the file, so a tampered or half-copied installation is never used silently.
`read_verified()` hashes the bytes it returns, so what is compiled is what was verified.

Manifest (JSON object, no other keys): `name`, `id` (= folder name, `[a-z][a-z0-9_]*`),
`version` (semver), `language` (list of BCP-47 tags), `description`, `provenance`,
`review_note`, `files` (list of `{"path", "type": "keywords"|"yara", "sha256"}`; `path` is
relative, POSIX, inside the pack; keyword lists end in `.txt`, rule files in `.yar`/`.yara`).

Maintainers refresh the hashes with `python -m triage_app.search.packs update-manifest DIR`.

Limits: the schema is checked by hand (no jsonschema dependency) and BCP-47 tags by shape
only; a rule file's `include` statements are not followed or hashed (bundled packs use none);
files are read whole, up to MAX_FILE_BYTES; hashes detect accidents and tampering of
installed files, not a forger who also rewrites the manifest (manifests are not signed).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, cast

from triage_app.core.errors import QarinaError

log = logging.getLogger(__name__)

PackFileType = Literal["keywords", "yara"]
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 1 << 20
MAX_FILE_BYTES = 64 << 20
MAX_FILES = 4096
MAX_PACKS = 256
MAX_WALK_ENTRIES = 100_000  # entries visited in a user's rule folder or a pack folder
MAX_TEXT_CHARS = 4000

_SUFFIXES: dict[str, tuple[str, ...]] = {"keywords": (".txt",), "yara": (".yar", ".yara")}
_KEYS = ("name", "id", "version", "language", "description", "provenance", "review_note", "files")
_FILE_KEYS = ("path", "type", "sha256")
# Pack ids double as folder names that setuptools packages as namespace packages: identifiers.
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)
_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?",
    re.ASCII,
)
_BCP47 = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_DRIVE = re.compile(r"[A-Za-z]:", re.ASCII)


class PackError(QarinaError):
    """A pack is malformed, tampered with, incomplete or unsafe to load."""

    def __init__(self, message: str, *, pack: str | None = None, file: str | None = None) -> None:
        prefix = (f"pack {pack!r}: " if pack else "") + (f"file {file!r}: " if file else "")
        super().__init__(prefix + message)
        self.pack = pack
        self.file = file


@dataclass(frozen=True)
class PackFile:
    path: str  # POSIX, relative to the pack root
    type: PackFileType
    sha256: str


@dataclass(frozen=True)
class Pack:
    id: str
    name: str
    version: str
    language: tuple[str, ...]
    description: str
    provenance: str
    review_note: str
    root: Path
    files: tuple[PackFile, ...]
    # SHA-256 of manifest.json as stored; for a user pack, of its canonical JSON manifest.
    manifest_sha256: str

    def of_type(self, kind: PackFileType) -> tuple[PackFile, ...]:
        return tuple(f for f in self.files if f.type == kind)


def bundled_root() -> Path:
    """`rules/packs` of this installation: `rules/` sits beside `triage_app/` in the source tree,
    in the wheel (pyproject packages `rules*` with all package data) and in a frozen build."""
    root = Path(__file__).resolve().parents[2] / "rules" / "packs"
    if not root.is_dir():
        raise PackError(f"bundled packs folder {root} is missing: the installation is incomplete")
    return root


def load_packs(root: Path) -> list[Pack]:
    """Every pack folder under `root`, validated and hash-verified, sorted by id. One bad pack
    fails the whole load: a partly tampered installation must not be used as if complete."""
    _require_real_dir(root, None)
    packs: list[Pack] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "__")) or (entry.is_file() and not entry.is_symlink()):
            continue  # README files and tool caches beside the packs
        if len(packs) >= MAX_PACKS:
            raise PackError(f"more than {MAX_PACKS} packs under {root}")
        packs.append(load_pack(entry))
    return packs


def load_pack(pack_dir: Path) -> Pack:
    """One pack folder: manifest schema, folder name = id, every listed file present and
    matching its SHA-256. Files in the folder that the manifest does not list are warned."""
    _require_real_dir(pack_dir, pack_dir.name)
    raw = _read_file(pack_dir, MANIFEST, pack_dir.name, MAX_MANIFEST_BYTES)
    pack = _parse_manifest(_decode_manifest(raw, pack_dir.name), pack_dir, require_hashes=True)
    pack = replace(pack, manifest_sha256=hashlib.sha256(raw).hexdigest())
    if pack.id != pack_dir.name:
        message = f"id {pack.id!r} differs from its folder name"
        raise PackError(message, pack=pack_dir.name, file=MANIFEST)
    for f in pack.files:
        read_verified(pack, f)
    _warn_unlisted(pack)
    return pack


def read_verified(pack: Pack, file: PackFile) -> bytes:
    """The bytes of one pack file, refused unless their SHA-256 is the recorded one."""
    data = _read_file(pack.root, file.path, pack.id, MAX_FILE_BYTES)
    actual = hashlib.sha256(data).hexdigest()
    if actual != file.sha256:
        raise PackError(
            f"SHA-256 mismatch: manifest says {file.sha256}, file has {actual}",
            pack=pack.id,
            file=file.path,
        )
    return data


def user_pack(path: Path, kind: PackFileType) -> Pack:
    """The user's `--keywords FILE` (kind "keywords") or `--rules PATH` (kind "yara": a file, or
    a folder searched recursively for .yar/.yara) as an ad-hoc pack with computed hashes."""
    if kind not in _SUFFIXES:
        raise PackError(f"unknown pack file type {kind!r}", file=str(path))
    if path.is_symlink():
        raise PackError("symbolic links are refused", file=str(path))
    if path.is_dir() and kind == "yara":
        root, names = path, _rule_files_under(path)
    elif path.is_file():
        root, names = path.parent, [path.name]
    else:
        raise PackError(
            "not a regular file" + (" or folder" if kind == "yara" else ""), file=str(path)
        )
    files = tuple(
        PackFile(n, kind, hashlib.sha256(_read_file(root, n, None, MAX_FILE_BYTES)).hexdigest())
        for n in names
    )
    # The absolute path is part of the identity: two lists with the same content stay two packs.
    source = str(path.absolute())
    manifest = {"kind": kind, "source": source, "files": [[f.path, f.sha256] for f in files]}
    digest = hashlib.sha256(
        json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    return Pack(
        id=f"user_{kind}_{digest[:12]}",
        name=path.name,
        version=f"0.0.0+{digest[:12]}",
        language=("und",),
        description=f"user-supplied {kind} from {path}",
        provenance=f"supplied by the user as {path}; SHA-256 computed when loaded",
        review_note="User-supplied: not reviewed by the Qarina project.",
        root=root,
        files=files,
        manifest_sha256=digest,
    )


def update_manifest(pack_dir: Path) -> Pack:
    """Maintainers only: rewrite the `sha256` of every listed file from the file's current
    bytes (other fields are validated, kept and not reordered), then reload to verify."""
    _require_real_dir(pack_dir, pack_dir.name)
    data = _decode_manifest(
        _read_file(pack_dir, MANIFEST, pack_dir.name, MAX_MANIFEST_BYTES), pack_dir.name
    )
    pack = _parse_manifest(data, pack_dir, require_hashes=False)
    for entry in cast(list[dict[str, Any]], data["files"]):
        content = _read_file(pack_dir, entry["path"], pack.id, MAX_FILE_BYTES)
        entry["sha256"] = hashlib.sha256(content).hexdigest()
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    tmp = pack_dir / (MANIFEST + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, pack_dir / MANIFEST)
    return load_pack(pack_dir)


def _rule_files_under(folder: Path) -> list[str]:
    found: list[str] = []
    seen = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            if (here / name).is_symlink():
                raise PackError("symbolic links are refused", file=str(here / name))
        rules = [n for n in filenames if n.lower().endswith(_SUFFIXES["yara"])]
        found += [(here / n).relative_to(folder).as_posix() for n in rules]
        seen += len(dirnames) + len(filenames)
        if len(found) > MAX_FILES or seen > MAX_WALK_ENTRIES:
            limit = f"more than {MAX_FILES} rule files or {MAX_WALK_ENTRIES} entries"
            raise PackError(limit, file=str(folder))
    if not found:
        raise PackError("no .yar or .yara files in the folder", file=str(folder))
    return sorted(found)


def _decode_manifest(raw: bytes, pack: str) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise PackError(f"duplicate keys {dupes}", pack=pack, file=MANIFEST)
        return dict(pairs)

    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"not valid UTF-8 JSON: {exc}", pack=pack, file=MANIFEST) from exc
    if not isinstance(data, dict):
        raise PackError("must be a JSON object", pack=pack, file=MANIFEST)
    return cast(dict[str, Any], data)


def _parse_manifest(data: dict[str, Any], root: Path, *, require_hashes: bool) -> Pack:
    where = str(data.get("id")) if isinstance(data.get("id"), str) else root.name
    _exact_keys(data, _KEYS, _KEYS, where, "manifest")
    text = {k: _text(data, k, where) for k in _KEYS if k not in ("language", "files")}
    _check(_ID.fullmatch(text["id"]) is not None, "id must match [a-z][a-z0-9_]*", where)
    _check(_SEMVER.fullmatch(text["version"]) is not None, "version must be semver", where)
    return Pack(
        id=text["id"],
        name=text["name"],
        version=text["version"],
        language=_languages(data["language"], where),
        description=text["description"],
        provenance=text["provenance"],
        review_note=text["review_note"],
        root=root,
        files=_files(data["files"], where, require_hashes),
        manifest_sha256="",
    )


def _languages(value: object, where: str) -> tuple[str, ...]:
    ok = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    _check(bool(ok), "language must be a non-empty list of strings", where)
    tags = tuple(cast(list[str], value))
    bad = [t for t in tags if _BCP47.fullmatch(t) is None]
    _check(not bad, f"language tags {bad} are not BCP-47", where)
    return tags


def _files(value: object, where: str, require_hashes: bool) -> tuple[PackFile, ...]:
    ok = isinstance(value, list) and 0 < len(value) <= MAX_FILES
    _check(ok, f"files must be a list of 1 to {MAX_FILES} entries", where)
    result: list[PackFile] = []
    for entry in cast(list[object], value):
        _check(isinstance(entry, dict), "each files entry must be an object", where)
        item = cast(dict[str, Any], entry)
        required = _FILE_KEYS if require_hashes else _FILE_KEYS[:2]
        _exact_keys(item, required, _FILE_KEYS, where, "files entry")
        path, kind = _text(item, "path", where), _text(item, "type", where)
        _check_relative(path, where)
        _check(kind in _SUFFIXES, f"{path}: type must be 'keywords' or 'yara'", where)
        _check(path.lower().endswith(_SUFFIXES[kind]), f"{path}: wrong suffix for {kind}", where)
        digest = str(item.get("sha256", ""))
        valid = _SHA256.fullmatch(digest) is not None
        _check(valid or not require_hashes, f"{path}: sha256 must be 64 lower-case hex", where)
        _check(all(f.path != path for f in result), f"{path} is listed twice", where)
        result.append(PackFile(path, cast(PackFileType, kind), digest))
    return tuple(result)


def _exact_keys(
    data: dict[str, Any], required: Sequence[str], allowed: Sequence[str], where: str, what: str
) -> None:
    missing = [k for k in required if k not in data]
    unknown = sorted(set(data) - set(allowed))
    _check(not missing, f"{what} lacks {missing}", where)
    _check(not unknown, f"{what} has unknown keys {unknown}", where)


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data[key]
    ok = isinstance(value, str) and value.strip() and len(value) <= MAX_TEXT_CHARS
    _check(bool(ok), f"{key} must be a non-empty string of at most {MAX_TEXT_CHARS} chars", where)
    return cast(str, value)


def _check(condition: bool, message: str, pack: str) -> None:
    if not condition:
        raise PackError(message, pack=pack, file=MANIFEST)


def _check_relative(path: str, pack: str) -> None:
    parts = path.split("/")
    if (
        path.startswith("/")
        or "\\" in path
        or _DRIVE.match(path)
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise PackError(
            "path must be relative and stay inside the pack folder", pack=pack, file=path
        )


def _require_real_dir(path: Path, pack: str | None) -> None:
    if path.is_symlink():
        raise PackError(f"{path} is a symbolic link: refused", pack=pack)
    if not path.is_dir():
        raise PackError(f"{path} is not a folder", pack=pack)


def _read_file(root: Path, relative: str, pack: str | None, limit: int) -> bytes:
    """Read `root/relative` whole, refusing escapes, symbolic links at any level below `root`,
    non-regular files and files over `limit` bytes; OS errors become PackError."""
    _check_relative(relative, pack or root.name)
    try:
        return _read_checked(root, relative, pack, limit)
    except (FileNotFoundError, NotADirectoryError):
        raise PackError("missing", pack=pack, file=relative) from None
    except OSError as exc:
        raise PackError(f"cannot be read: {exc.strerror or exc}", pack=pack, file=relative) from exc


def _read_checked(root: Path, relative: str, pack: str | None, limit: int) -> bytes:
    current, mode = root, 0
    for part in relative.split("/"):
        current = current / part
        mode = os.lstat(current).st_mode
        if stat.S_ISLNK(mode):
            raise PackError("symbolic links are refused", pack=pack, file=relative)
    if not stat.S_ISREG(mode):
        raise PackError("not a regular file", pack=pack, file=relative)
    # O_NOFOLLOW and O_NONBLOCK keep a file swapped for a link or a FIFO after the checks above
    # from being followed or from blocking the open, where the OS has them.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    with os.fdopen(os.open(current, flags | getattr(os, "O_NOFOLLOW", 0)), "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PackError("not a regular file", pack=pack, file=relative)
        data = f.read(limit + 1) if info.st_size <= limit else b""
    if info.st_size > limit or len(data) > limit:
        raise PackError(f"larger than {limit} bytes", pack=pack, file=relative)
    return data


def _warn_unlisted(pack: Pack) -> None:
    listed = {f.path for f in pack.files} | {MANIFEST}
    for path in sorted(itertools.islice(pack.root.rglob("*"), MAX_WALK_ENTRIES)):
        relative = path.relative_to(pack.root).as_posix()
        if path.is_file() and relative not in listed and "__pycache__" not in path.parts:
            log.warning(
                "pack %r: %s is not listed in its manifest and is ignored", pack.id, relative
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m triage_app.search.packs",
        description="Maintain Qarina keyword and rule packs.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    update = sub.add_parser("update-manifest", help="rewrite the SHA-256 of each listed file")
    update.add_argument("pack_dirs", nargs="+", type=Path, metavar="PACK_DIR")
    args = parser.parse_args(argv)
    for pack_dir in cast(list[Path], args.pack_dirs):
        try:
            pack = update_manifest(pack_dir)
        except PackError as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 1
        sys.stdout.write(f"{pack.id} {pack.version}: {len(pack.files)} file(s) hashed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
