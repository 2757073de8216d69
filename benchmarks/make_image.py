#!/usr/bin/env python3
"""Build the benchmark evidence deterministically: a source tree, an ext4 raw image, its E01.

    python benchmarks/make_image.py --out /work/bench-data [--size-gb 2.2] [--files 60000]
                                    [--seed 1] [--keep-tree]

Steps (each skipped when its output exists and matches `manifest.json`):
1. tree  OUT/tree/      ≥ --files files, ≥ --size-gb GB (10^9 bytes) of content: many small
                        text/JSON/HTML/CSV/log files of a few KB, JPEG-layout and SQLite-like
                        binaries of 50 KB–2 MB with real magic headers, a few 50–200 MB files.
                        Content is a function of (seed, file number) only; text is words
                        from a fixed vocabulary (compressible), JPEG/video bodies are
                        pseudo-random (incompressible), the rest is a mix.
2. image OUT/bench.raw  `mke2fs -t ext4 -d OUT/tree` with ~15 % headroom; fixed UUID, hash
                        seed and file system time. Inode ctime/atime come from the source
                        tree, so two builds of the tree give images that differ in those
                        bytes only; the manifest records the SHA-256 of the image built.
3. e01   OUT/bench.E01  `ewfacquire` of the raw image, deflate:fast, one segment, MD5+SHA-1.

The tree is deleted once the image is built unless --keep-tree. Only the standard library is
used; needs mke2fs (e2fsprogs ≥ 1.43) and ewfacquire (ewf-tools).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2  # 2: JPEG files have a real JPEG layout
KIB, MIB = 1024, 1024 * 1024
BLOCK = 4096
MANIFEST = "manifest.json"
IMAGE_NAME, E01_BASE = "bench.raw", "bench"
FS_UUID = "51a2c0de-0000-4000-8000-0000000000{:02x}"
FAKE_TIME = "1700000000"  # 2023-11-14, the file system's own timestamps
MTIME_FROM, MTIME_TO = 1546300800, 1735689599  # 2019-01-01 … 2024-12-31

# words of the text content; split in vocabulary()
BASE_WORDS = """
the of and to in is was for on that with as by at from this have not are or be which
message call contact phone number account password login user email address sent received
date time location photo video image file folder document report case evidence device
android iphone whatsapp telegram signal browser history download search cookie session
bank transfer payment invoice receipt order shipping customer supplier meeting schedule
note draft backup sync cloud storage database table record index cache temporary system
network wifi bluetooth gps latitude longitude street city country tripoli benghazi misrata
cairo tunis algiers rabat amman beirut damascus baghdad riyadh dubai doha muscat sanaa
ahmad mohammed fatima khadija omar ali hassan hussein aisha mariam yusuf ibrahim khalid
"""
SYLLABLES = "ka ri mo na te lu si po da fe gi ha jo ku la me ni ob pa qu ra sa ta ul va wi xe ya zo"

# (kind, extension, share of the small files)
SMALL_KINDS = (("txt", ".txt", 30), ("json", ".json", 25), ("html", ".html", 20),
               ("csv", ".csv", 10), ("log", ".log", 10), ("xml", ".xml", 5))  # fmt: skip
CATEGORY_DIRS = {
    "txt": "home/ahmad/Documents", "json": "data/com.example.chat/files",
    "html": "home/ahmad/.cache/browser/pages", "csv": "home/fatima/مستندات/exports",
    "log": "var/log/apps", "xml": "data/com.example.settings/shared_prefs",
    "jpeg": "home/fatima/Pictures", "sqlite": "data/com.example.chat/databases",
    "video": "home/ahmad/Videos", "mixed": "home/ahmad/Backups",
}  # fmt: skip
FILES_PER_DIR = 100


@dataclass
class Plan:
    """One file to write: its number (the content seed), kind, relative path, size, mtime."""

    number: int
    kind: str
    path: str
    size: int
    mtime: int


# ---------------------------------------------------------------- planning (no I/O)


def vocabulary(seed: int) -> list[bytes]:
    rng = random.Random(f"vocab:{seed}")
    words = set(BASE_WORDS.split())
    syllables = SYLLABLES.split()
    while len(words) < 4000:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return [w.encode() for w in sorted(words)]


def text_pool(seed: int, size: int = 16 * MIB) -> bytes:
    """`size` bytes of word text (ASCII, no quotes or markup) that text content is cut from."""
    rng = random.Random(f"pool:{seed}")
    vocab = vocabulary(seed)
    out: list[bytes] = []
    total = 0
    while total < size:
        line = b" ".join(rng.choices(vocab, k=rng.randint(6, 18))) + b".\n"
        out.append(line.capitalize())
        total += len(line)
    return b"".join(out)[:size]


def _small_size(rng: random.Random) -> int:
    return max(200, min(64 * KIB, int(rng.lognormvariate(math.log(3 * KIB), 0.8))))


def _medium(rng: random.Random) -> tuple[str, int]:
    size = int(math.exp(rng.uniform(math.log(50 * KIB), math.log(2 * MIB))))
    if rng.random() < 0.6:
        return "jpeg", size
    return "sqlite", max(2, size // BLOCK) * BLOCK


def plan_sizes(seed: int, n_files: int, target: int) -> list[tuple[str, int]]:
    """(kind, size) for every file, totalling at least `target` bytes."""
    rng = random.Random(f"plan:{seed}")
    large: list[tuple[str, int]] = []
    while len(large) < 6 and sum(s for _, s in large) < target * 0.25:
        large.append((rng.choice(("video", "mixed")), rng.randint(50, 200) * MIB))
    small_mean = 4 * KIB  # of _small_size, measured
    medium: list[tuple[str, int]] = []
    used = sum(s for _, s in large)
    while used + (n_files - len(large) - len(medium)) * small_mean < target:
        medium.append(_medium(rng))
        used += medium[-1][1]
    kinds = [k for k, _, share in SMALL_KINDS for _ in range(share)]
    small = [
        (rng.choice(kinds), _small_size(rng)) for _ in range(n_files - len(large) - len(medium))
    ]
    files = large + medium + small
    shortfall = target - sum(s for _, s in files)
    if shortfall > 0:  # top up the first large file so the total is at least `target`
        files[0] = (files[0][0], files[0][1] + shortfall)
    rng.shuffle(files)
    return files


def plan(seed: int, n_files: int, target: int) -> list[Plan]:
    rng = random.Random(f"paths:{seed}")
    ext = {k: e for k, e, _ in SMALL_KINDS} | {"jpeg": ".jpg", "sqlite": ".db",
                                               "video": ".mp4", "mixed": ".bak"}  # fmt: skip
    prefix = {"jpeg": "IMG_", "sqlite": "store_", "video": "VID_", "mixed": "backup_"}
    seen: Counter[str] = Counter()
    out = []
    for number, (kind, size) in enumerate(plan_sizes(seed, n_files, target)):
        i = seen[kind]
        seen[kind] += 1
        name = f"{prefix.get(kind, kind + '_')}{i:05d}{ext[kind]}"
        path = f"{CATEGORY_DIRS[kind]}/{i // FILES_PER_DIR:04d}/{name}"
        out.append(Plan(number, kind, path, size, rng.randint(MTIME_FROM, MTIME_TO)))
    return out


# ---------------------------------------------------------------- content


class Content:
    """Deterministic content for a planned file: a function of (seed, number) only."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.pool = text_pool(seed)

    def noise(self, number: int, part: int, n: int) -> bytes:
        return hashlib.shake_128(f"{self.seed}:{number}:{part}".encode()).digest(n)

    def text(self, rng: random.Random, n: int) -> bytes:
        if n <= 0:
            return b""
        out = []
        while n > 0:
            take = min(n, len(self.pool) // 2)
            start = rng.randrange(len(self.pool) - take)
            out.append(self.pool[start : start + take])
            n -= take
        return b"".join(out)

    def small(self, p: Plan) -> bytes:
        rng = random.Random(f"{self.seed}:{p.number}")
        head, tail = _TEMPLATES[p.kind]
        head = head.replace(b"@ID@", str(p.number).encode()).replace(b"@P@", p.path.encode())
        body = self.text(rng, p.size - len(head) - len(tail))
        if p.kind == "csv":
            body = body.replace(b" ", b",")
        return (head + body + tail)[: p.size]

    def jpeg(self, p: Plan) -> bytes:
        """A baseline JPEG's layout: JFIF, an EXIF segment with text, tables, frame and scan
        headers, then pseudo-random entropy-coded data (0xFF stuffed as in real scans)."""
        tiff = b"MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"  # header, empty IFD
        exif = b"Exif\x00\x00" + tiff + f"IMG_{p.number:05d} camera ".encode() * 8
        head = b"".join(
            (
                b"\xff\xd8",
                _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00H\x00H\x00\x00"),
                _segment(0xE1, exif),
                _segment(0xDB, b"\x00" + bytes(range(1, 65))),
                _segment(0xC0, b"\x08\x01\xe0\x02\x80\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"),
                _segment(0xC4, b"\x00" + bytes(16) + b"\x00"),
                _segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"),
            )
        )
        n = p.size - len(head) - 2
        body = self.noise(p.number, 0, n).replace(b"\xff", b"\xff\x00")[:n]
        if body.endswith(b"\xff"):  # a stuffing pair cut in two
            body = body[:-1] + b"\x00"
        return head + body + b"\xff\xd9"

    def sqlite(self, p: Plan) -> bytes:
        rng = random.Random(f"{self.seed}:{p.number}")
        pages = p.size // BLOCK
        header = (
            b"SQLite format 3\x00" + BLOCK.to_bytes(2, "big") + b"\x01\x01\x00\x40\x20\x20"
            + (1).to_bytes(4, "big") + pages.to_bytes(4, "big") + bytes(8)
            + (1).to_bytes(4, "big") + (4).to_bytes(4, "big")
        )  # fmt: skip
        out = [header.ljust(100, b"\x00") + b"\x0d".ljust(BLOCK - 100, b"\x00")]
        for _ in range(pages - 1):
            used = rng.randint(BLOCK // 4, BLOCK - 64)
            out.append(b"\x0d" + bytes(7) + self.text(rng, used) + bytes(BLOCK - 8 - used))
        return b"".join(out)

    def large_blocks(self, p: Plan) -> Any:
        """Yield the content of a large file in 1 MiB blocks."""
        rng = random.Random(f"{self.seed}:{p.number}")
        head = (
            b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
            if p.kind == "video"
            else b""
        )
        left, part = p.size, 0
        while left > 0:
            n = min(MIB, left)
            if p.kind == "video" or rng.random() < 0.5:
                block = self.noise(p.number, part, n)
            else:
                block = self.text(rng, n)
            if part == 0 and head:
                block = head + block[len(head) :]
            yield block
            left -= n
            part += 1


_TEMPLATES: dict[str, tuple[bytes, bytes]] = {
    "txt": (b"Note @ID@\n\n", b"\n"),
    "log": (b"2024-01-01T00:00:00Z app[@ID@]: start\n", b"\n"),
    "csv": (b"id,date,from,to,text\n@ID@,2024-01-01,", b"\n"),
    "json": (b'{"id": @ID@, "path": "@P@", "type": "message", "body": "', b'"}\n'),
    "html": (
        b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>page @ID@</title>'
        b"</head>\n<body><p>",
        b"</p></body></html>\n",
    ),
    "xml": (
        b'<?xml version="1.0" encoding="utf-8"?>\n<map><string name="k@ID@">',
        b"</string></map>\n",
    ),
}


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def write_file(content: Content, root: Path, p: Plan) -> None:
    target = root / p.path
    with open(target, "wb") as f:
        if p.kind in ("video", "mixed"):
            for block in content.large_blocks(p):
                f.write(block)
        elif p.kind == "jpeg":
            f.write(content.jpeg(p))
        elif p.kind == "sqlite":
            f.write(content.sqlite(p))
        else:
            f.write(content.small(p))
    os.utime(target, (p.mtime, p.mtime))


# ---------------------------------------------------------------- steps


def log(message: str) -> None:
    print(f"[make_image {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(MIB):
            h.update(chunk)
    return h.hexdigest()


def tree_summary(plans: list[Plan]) -> dict[str, Any]:
    dirs = {str(Path(p.path).parent) for p in plans}
    all_dirs = {str(parent) for d in dirs for parent in [Path(d), *Path(d).parents]} - {"."}
    kinds: Counter[str] = Counter(p.kind for p in plans)
    kind_bytes: Counter[str] = Counter()
    for p in plans:
        kind_bytes[p.kind] += p.size
    return {
        "files": len(plans),
        "dirs": len(all_dirs),
        "bytes": sum(p.size for p in plans),
        "allocated_bytes": sum(-(-p.size // BLOCK) * BLOCK for p in plans) + len(all_dirs) * BLOCK,
        "by_kind": {k: {"files": kinds[k], "bytes": kind_bytes[k]} for k in sorted(kinds)},
        "largest": max(p.size for p in plans),
    }


def build_tree(root: Path, plans: list[Plan], seed: int) -> float:
    started = time.monotonic()
    if root.exists():
        shutil.rmtree(root)
    for d in sorted({str(Path(p.path).parent) for p in plans}):
        (root / d).mkdir(parents=True, exist_ok=True)
    content = Content(seed)
    for i, p in enumerate(plans, 1):
        write_file(content, root, p)
        if i % 10000 == 0:
            log(f"tree: {i}/{len(plans)} files")
    return time.monotonic() - started


def image_size(summary: dict[str, Any]) -> int:
    """Allocated content + inode tables/journal, with ~15 % headroom, rounded to MiB."""
    want = summary["allocated_bytes"] * 1.15 + 192 * MIB
    return int(-(-want // MIB) * MIB)


def run(cmd: list[str], **env: str) -> None:
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True, env={**os.environ, **env}, stdout=sys.stderr)


def build_image(src: Path, img: Path, size: int, seed: int) -> dict[str, Any]:
    started = time.monotonic()
    if img.exists():
        img.unlink()
    cmd = [
        "mke2fs", "-q", "-t", "ext4", "-d", str(src),
        "-E", f"root_owner=0:0,nodiscard,hash_seed={FS_UUID.format(seed % 256)}",
        "-U", FS_UUID.format((seed + 1) % 256), "-L", "qarina-bench",
        "-F", str(img), f"{size // KIB}k",
    ]  # fmt: skip
    run(cmd, E2FSPROGS_FAKE_TIME=FAKE_TIME)
    seconds = time.monotonic() - started
    st = img.stat()
    return {
        "path": img.name,
        "size": st.st_size,
        "allocated_on_host": st.st_blocks * 512,
        "sha256": sha256_file(img),
        "command": " ".join(cmd),
        "seconds": round(seconds, 1),
    }


def build_e01(img: Path, out: Path, image: dict[str, Any]) -> dict[str, Any]:
    started = time.monotonic()
    for old in out.glob(E01_BASE + ".E??"):
        old.unlink()
    cmd = [
        "ewfacquire", "-u", "-q", "-t", str(out / E01_BASE), "-c", "deflate:fast",
        "-S", "8GiB", "-f", "encase6", "-d", "sha1", "-C", "QARINA-BENCH",
        "-e", "qarina benchmark", "-E", "1", "-D", "generated benchmark image",
        "-N", "benchmarks/make_image.py", "-m", "fixed", "-M", "physical",
        "-l", str(out / "ewfacquire.log"), str(img),
    ]  # fmt: skip
    run(cmd)
    segments = sorted(out.glob(E01_BASE + ".E??"))
    if [s.name for s in segments] != [E01_BASE + ".E01"]:
        raise SystemExit(f"expected one segment {E01_BASE}.E01, got {[s.name for s in segments]}")
    e01 = segments[0]
    return {
        "path": e01.name,
        "size": e01.stat().st_size,
        "sha256": sha256_file(e01),
        "source_sha256": image["sha256"],
        "compression_ratio": round(image["size"] / e01.stat().st_size, 3),
        "command": " ".join(cmd),
        "seconds": round(time.monotonic() - started, 1),
    }


# ---------------------------------------------------------------- driver


def load_manifest(out: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((out / MANIFEST).read_text())
        return data
    except (OSError, ValueError):
        return {}


def save_manifest(out: Path, manifest: dict[str, Any]) -> None:
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(out / MANIFEST)


def image_ok(out: Path, manifest: dict[str, Any], verify: bool) -> bool:
    image = manifest.get("image")
    if not image:
        return False
    img = out / image["path"]
    if not img.is_file() or img.stat().st_size != image["size"]:
        return False
    return not verify or sha256_file(img) == image["sha256"]


def e01_ok(out: Path, manifest: dict[str, Any], verify: bool) -> bool:
    e01 = manifest.get("e01")
    if not e01 or e01.get("source_sha256") != manifest["image"]["sha256"]:
        return False
    path = out / e01["path"]
    if not path.is_file() or path.stat().st_size != e01["size"]:
        return False
    return not verify or sha256_file(path) == e01["sha256"]


def ensure_image(
    args: argparse.Namespace, params: dict[str, Any], manifest: dict[str, Any]
) -> None:
    out: Path = args.out
    plans = plan(args.seed, args.files, int(args.size_gb * 1e9))
    summary = tree_summary(plans)
    tree = out / "tree"
    marker = out / "tree.complete.json"
    tree_ready = marker.is_file() and json.loads(marker.read_text()) == params
    if tree_ready:
        log(f"tree: reusing {tree}")
    else:
        log(f"tree: writing {summary['files']} files, {summary['bytes'] / 1e9:.2f} GB to {tree}")
        seconds = build_tree(tree, plans, args.seed)
        marker.write_text(json.dumps(params))
        log(f"tree: done in {seconds:.0f} s")
    manifest.update(params=params, tree=summary)
    manifest.pop("image", None)
    manifest.pop("e01", None)
    size = image_size(summary)
    log(f"image: mke2fs {size / 1e9:.2f} GB")
    manifest["image"] = build_image(tree, out / IMAGE_NAME, size, args.seed)
    save_manifest(out, manifest)
    if not args.keep_tree:
        marker.unlink()
        shutil.rmtree(tree)
        log("tree: deleted (use --keep-tree to keep it)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="output directory (outside the repo)")
    ap.add_argument("--size-gb", type=float, default=2.2, help="content size, 10^9 bytes")
    ap.add_argument("--files", type=int, default=60000, help="number of regular files")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-tree", action="store_true", help="keep OUT/tree after imaging")
    ap.add_argument("--verify", action="store_true", help="re-hash existing outputs before reuse")
    ap.add_argument("--no-e01", action="store_true", help="build only the raw image")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    params = {"version": GENERATOR_VERSION, "seed": args.seed, "files": args.files,
              "size_gb": args.size_gb}  # fmt: skip
    manifest = load_manifest(args.out)
    if manifest.get("params") == params and image_ok(args.out, manifest, args.verify):
        log(f"image: reusing {args.out / IMAGE_NAME}")
    else:
        ensure_image(args, params, manifest)
    if not args.no_e01:
        if e01_ok(args.out, manifest, args.verify):
            log(f"e01: reusing {args.out / manifest['e01']['path']}")
        else:
            log("e01: ewfacquire")
            manifest["e01"] = build_e01(args.out / IMAGE_NAME, args.out, manifest["image"])
            save_manifest(args.out, manifest)
    manifest["tools"] = {
        "mke2fs": _version(["mke2fs", "-V"]),
        "ewfacquire": _version(["ewfacquire", "-V"]),
    }
    save_manifest(args.out, manifest)
    print(json.dumps(manifest, indent=2, ensure_ascii=False))
    return 0


def _version(cmd: list[str]) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError:
        return "not found"
    return (r.stdout + r.stderr).strip().splitlines()[0] if (r.stdout + r.stderr).strip() else ""


if __name__ == "__main__":
    sys.exit(main())
