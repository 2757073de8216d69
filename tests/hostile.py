"""A corpus of hostile and malformed evidence, generated, and what the case must say about it.

Each builder writes one item (an archive, a disk image, or files planted in the shared phone
folder) and returns a `Hostile`: the path given to `qarina scan` and the rows the case must
then hold (`Expect`). Builders use only the standard library, Pillow and Qarina's own sample
writers, so the corpus is the same on every machine and small on disk (~25 MB, disk images
sparse). This module builds the corpus (`build_corpus`) and gathers the names of its parts,
so that importers need only `hostile`:
- hostile_items.py: `Expect`, `Hostile`, `Row`; `coverage()` reads a case back as rows,
  `unmet()` names the expectations no row satisfies, `reasons()` the rows that state why;
- hostile_archives.py: zip bombs, lying sizes, zip and tar slip;
- hostile_media.py: hostile names, links, SQLite, images and payloads in the phone folder,
  and disk images (E01 sets, partition tables, file system loops);
- hostile_trace.py: `snapshot()` lists and hashes an evidence tree, `run_qarina()` runs the
  CLI, `trace_writes()` reads an `strace -e trace=%file` log for anything that changed a
  file, `under()` and `stray()` sort those writes.
Shared by tests/test_hostile_inputs.py and benchmarks/hostile_figures.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hostile_archives import (
    tar_slip,
    zip_flat_bomb,
    zip_many_bomb,
    zip_many_members,
    zip_nested,
    zip_nul_name,
    zip_overlap_bomb,
    zip_quine,
    zip_size_lie,
    zip_slip,
)
from hostile_items import (
    MIB,
    PAYLOADS,
    REASON_KINDS,
    UNSAFE,
    WHEN,
    Expect,
    Hostile,
    Row,
    coverage,
    reasons,
    unmet,
)
from hostile_media import (
    e01_missing_segment,
    e01_truncated,
    ext4_loop,
    fat_loop,
    gpt_past_end,
    images,
    links,
    mbr_past_end,
    names,
    payloads,
    sqlite_10k_tables,
    sqlite_flipped,
    sqlite_side_views,
    sqlite_truncated,
    sqlite_view,
)
from hostile_trace import STRACE_ARGS, run_qarina, snapshot, stray, trace_writes, under

__all__ = [
    "ARCHIVES", "DISKS", "FILES", "MIB", "NAMES", "PAYLOADS", "REASON_KINDS", "STRACE_ARGS",
    "UNSAFE", "WHEN", "Expect", "Hostile", "Row", "build_corpus", "coverage", "e01_missing_segment",
    "e01_truncated", "evidence_paths", "ext4_loop", "fat_loop", "gpt_past_end", "images", "links",
    "mbr_past_end", "names", "payloads", "reasons", "run_qarina", "snapshot", "sqlite_10k_tables",
    "sqlite_flipped", "sqlite_side_views", "sqlite_truncated", "sqlite_view", "stray", "tar_slip",
    "trace_writes", "under", "unmet", "zip_flat_bomb", "zip_many_bomb",
    "zip_many_members", "zip_nested", "zip_nul_name", "zip_overlap_bomb", "zip_quine",
    "zip_size_lie", "zip_slip",
]  # fmt: skip


ARCHIVES: tuple[Callable[[Path], Hostile], ...] = (
    zip_flat_bomb, zip_many_bomb, zip_overlap_bomb, zip_nested, zip_quine, zip_size_lie,
    zip_many_members, zip_slip, zip_nul_name, tar_slip,
)  # fmt: skip
DISKS: tuple[Callable[[Path], Hostile], ...] = (
    e01_truncated, e01_missing_segment, mbr_past_end, gpt_past_end, fat_loop, ext4_loop,
)  # fmt: skip
FILES: tuple[Callable[[Path], Hostile], ...] = (
    names, links, sqlite_flipped, sqlite_truncated, sqlite_view, sqlite_side_views,
    sqlite_10k_tables, images, payloads,
)  # fmt: skip
NAMES = tuple(f.__name__ for f in (*ARCHIVES, *DISKS, *FILES))  # = each Hostile.name


def build_corpus(root: Path, members: int = 100_000) -> list[Hostile]:
    """Every item under `root` (a new folder): archives/, disks/ and the phone/ folder.
    `members`: how many empty members the member-count zip holds."""
    root.mkdir(parents=True)
    items = [
        make(root / "archives", members) if make is zip_many_members else make(root / "archives")
        for make in ARCHIVES
    ]
    items += [make(root / "disks") for make in DISKS]
    items += [make(root / "phone") for make in FILES]
    return items


def evidence_paths(items: Sequence[Hostile]) -> list[Path]:
    """The distinct evidence items to scan, in corpus order."""
    return list(dict.fromkeys(i.path for i in items))
