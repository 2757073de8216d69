#!/usr/bin/env python3
"""Issue 9 in one run: `qarina scan` (raw and E01) side by side with `sha256sum`, `fls -r` and
the standard-tools pipeline, at several image sizes; prints ratios, peak memory, scaling.

    python benchmarks/bench_scale.py [--sizes small,medium,large] [--root /work/bench-data]
                                     [--rounds 3] [--tools a,b,...] [--json FILE]

Sizes: preset names (small = 15,000 files / 0.55 GB of content, medium = 30,000 / 1.1 GB,
large = 60,000 / 2.2 GB) or FILES:GB (e.g. 100000:3.0), comma-separated. Each size lives in
ROOT/scale-<name>; --data-dir NAME=PATH points one elsewhere (large=/work/bench-data reuses
the image that make_image.py builds with its defaults).

1. build    make_image.py --out DIR --files N --size-gb G --seed S, every size first
            (deterministic from the seed; skipped when DIR/manifest.json matches)
2. measure  bench_index.py --data DIR --tools ... --rounds R, one size after the other: page
            cache warmed, every tool once per round in an order rotated each round, each run
            after an idle wait, under /usr/bin/time -v; its own table is printed as it goes
            and its JSON kept in DIR (the standard-tools pipeline is in bench_pipeline.py)
3. report   per size: median wall times and the ratios of issue 9 against their targets;
            peak memory of the scans; the scaling table (seconds per 10,000 files and per GB
            of content at each size, and k in time ∝ size^k fitted over the sizes: 1 is linear)

Defaults take about 20 minutes on a 2-core VM. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_index import ALL_TOOLS, LABELS

HERE = Path(__file__).resolve().parent
PRESETS = {"small": (15000, 0.55), "medium": (30000, 1.1), "large": (60000, 2.2)}
DEFAULT_TOOLS = "sha256sum,fls_raw,fls_e01,qarina_raw,qarina_e01,pipeline_raw"
# (label, numerator tool, denominator tool, target as (operator, value) or None)
RATIOS: tuple[tuple[str, str, str, tuple[str, float] | None], ...] = (
    ("qarina raw / sha256sum", "qarina_raw", "sha256sum", ("<=", 1.0)),
    ("qarina E01 / sha256sum", "qarina_e01", "sha256sum", ("<=", 1.5)),
    ("pipeline raw / qarina raw", "pipeline_raw", "qarina_raw", (">=", 5.0)),
    ("pipeline E01 / qarina E01", "pipeline_e01", "qarina_e01", (">=", 5.0)),
    ("qarina raw / fls -r", "qarina_raw", "fls_raw", None),
    ("qarina E01 / fls -r E01", "qarina_e01", "fls_e01", None),
    # "an E01 reads at least at half the raw speed", over the whole scan
    ("qarina E01 / qarina raw", "qarina_e01", "qarina_raw", ("<=", 2.0)),
    # The least work of a scan (benchmarks/floor.py): how far the targets are reachable at all
    ("floor raw / sha256sum", "floor_raw", "sha256sum", None),
    ("floor+search raw / sha256sum", "floor_search_raw", "sha256sum", None),
    ("floor+search E01 / sha256sum", "floor_search_e01", "sha256sum", None),
    ("qarina raw / floor+search raw", "qarina_raw", "floor_search_raw", None),
    ("qarina E01 / floor+search E01", "qarina_e01", "floor_search_e01", None),
)
MEMORY_TARGET_MB = 500
# command -> Debian package
NEEDS = {
    "/usr/bin/time": "time",
    "mke2fs": "e2fsprogs",
    "ewfacquire": "ewf-tools",
    "sha256sum": "coreutils",
    "fls": "sleuthkit",
    "tsk_recover": "sleuthkit",
    "hashdeep": "hashdeep",
    "yara": "yara",
}


@dataclass
class Size:
    name: str
    files: int
    size_gb: float
    data: Path


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_sizes(spec: str, root: Path, overrides: list[str]) -> list[Size]:
    dirs = dict(o.split("=", 1) for o in overrides)
    sizes = []
    for item in filter(None, spec.split(",")):
        if item in PRESETS:
            name, (files, gb) = item, PRESETS[item]
        else:
            n, _, g = item.partition(":")
            files, gb = int(n), float(g)
            name = f"{files}f-{gb:g}gb"
        sizes.append(Size(name, files, gb, Path(dirs.get(name, root / f"scale-{name}"))))
    return sizes


def missing_commands() -> list[str]:
    return [f"{c} (Debian package {p})" for c, p in NEEDS.items() if shutil.which(c) is None]


# ---------------------------------------------------------------- build and measure


def build(size: Size, seed: int) -> None:
    """make_image.py into size.data; it reuses what matches the directory's manifest."""
    log(f"{size.name}: image of {size.files} files, {size.size_gb} GB in {size.data}")
    opts = {"--out": size.data, "--files": size.files, "--size-gb": size.size_gb, "--seed": seed}
    cmd = [sys.executable, str(HERE / "make_image.py"), *_flags(opts)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def _flags(options: dict[str, object]) -> list[str]:
    return [a for key, value in options.items() if value is not None for a in (key, str(value))]


def bench(size: Size, args: argparse.Namespace, stamp: str) -> dict[str, Any]:
    """bench_index.py on one size; its results file, read back."""
    out = size.data / f"scale-results-{stamp}.json"
    opts = {"--data": size.data, "--rounds": args.rounds, "--tools": args.tools, "--json": out,
            "--quiet-wait": args.quiet_wait, "--retries": args.retries,
            "--qarina": args.qarina, "--python": args.python}  # fmt: skip
    cmd = [sys.executable, str(HERE / "bench_index.py"), *_flags(opts)]
    log(f"{size.name}: bench_index.py, {args.rounds} rounds of {args.tools}")
    print(f"\n==== size {size.name} ({size.data})", flush=True)
    subprocess.run(cmd, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    result["results_file"] = str(out)
    return result


# ---------------------------------------------------------------- summaries


def ratio_rows(medians: dict[str, float]) -> dict[str, dict[str, Any]]:
    rows = {}
    for label, num, den, target in RATIOS:
        if num not in medians or not medians.get(den):
            continue
        value = round(medians[num] / medians[den], 3)
        met = None
        if target is not None:
            met = value <= target[1] if target[0] == "<=" else value >= target[1]
        rows[label] = {
            "value": value,
            "target": target and f"{target[0]} {target[1]:g}",
            "met": met,
        }
    return rows


def checks(result: dict[str, Any]) -> dict[str, Any]:
    """What the last run of each tool did, next to the reference counts."""
    out: dict[str, Any] = {
        "fls_lines": result["counts"].get("fls_raw_lines"),
        "files": result["manifest"]["tree"]["files"],
    }
    for run in result["runs"]:
        c = run["check"]
        if "entries_indexed" in c:
            out[run["tool"]] = {
                k: c.get(k)
                for k in ("entries_indexed", "regular_files", "media_sha256_ok", "errors")
            }
        elif "steps_s" in c:
            out[run["tool"]] = {
                "recovered": c.get("tsk_recover"),
                "hashdeep_files": c.get("hashdeep_files"),
            }
        elif "sha256_ok" in c:
            out[run["tool"]] = c
    return out


def digest(size: Size, result: dict[str, Any]) -> dict[str, Any]:
    """The figures of one size that the report needs."""
    m, table = result["manifest"], result["table"]
    medians = {tool: row["median_wall_s"] for tool, row in table.items()}
    memory = {
        tool: {
            "largest_process_rss_mb": row["max_rss_mb"],
            "all_processes_pss_mb": row.get("max_tree_pss_mb"),
            "all_processes_rss_mb": row.get("max_tree_rss_mb"),
        }
        for tool, row in table.items()
        if tool.startswith("qarina")
    }
    return {
        "name": size.name,
        "data": str(size.data),
        "results_file": result["results_file"],
        "files": m["tree"]["files"],
        "content_bytes": m["tree"]["bytes"],
        "image_bytes": m["image"]["size"],
        "e01_bytes": m["e01"]["size"],
        "median_wall_s": medians,
        "table": table,
        "ratios": ratio_rows(medians),
        "memory": memory,
        "checks": checks(result),
    }


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares k in y ∝ x^k (log-log); None with fewer than 2 distinct sizes."""
    if len(set(xs)) < 2 or min(ys) <= 0:
        return None
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True))
    return round(num / sum((a - mx) ** 2 for a in lx), 3)


def scaling(digests: list[dict[str, Any]], tools: list[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for tool in tools:
        have = [d for d in digests if tool in d["median_wall_s"]]
        if not have:
            continue
        secs = [d["median_wall_s"][tool] for d in have]
        out[tool] = {
            "rows": [
                {
                    "size": d["name"],
                    "s": s,
                    "s_per_10k_files": round(s / d["files"] * 1e4, 3),
                    "s_per_gb_content": round(s / d["content_bytes"] * 1e9, 3),
                }
                for d, s in zip(have, secs, strict=True)
            ],
            "k_files": slope([d["files"] for d in have], secs),
            "k_bytes": slope([d["content_bytes"] for d in have], secs),
        }
    return out


# ---------------------------------------------------------------- report


def _cell(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None else format(value, fmt)


def _verdict(row: dict[str, Any] | None) -> str:
    if not row or row["met"] is None:
        return ""
    return "met" if row["met"] else "NOT"


def print_sizes(digests: list[dict[str, Any]], tools: list[str]) -> None:
    names = "".join(f"{d['name']:>16}" for d in digests)
    print(f"\n{'size':<34}{names}")
    for label, key, scale in (
        ("files", "files", 1),
        ("content GB", "content_bytes", 1e9),
        ("raw image GB", "image_bytes", 1e9),
        ("E01 GB", "e01_bytes", 1e9),
    ):
        print(
            f"{label:<34}"
            + "".join(f"{d[key] / scale:>16,.{0 if scale == 1 else 2}f}" for d in digests)
        )
    print(f"\n{'median wall s':<34}{names}")
    for tool in tools:
        cells = "".join(f"{_cell(d['median_wall_s'].get(tool)):>16}" for d in digests)
        print(f"{LABELS[tool]:<34}{cells}")
    print(f"\n{'ratio (medians)':<34}{names}{'target':>10}")
    for label, *_ in RATIOS:
        rows = [d["ratios"].get(label) for d in digests]
        if not any(rows):
            continue
        cells = "".join(f"{_cell(r and r['value']):>10}{_verdict(r):>6}" for r in rows)
        target = next((r["target"] for r in rows if r and r["target"]), "")
        print(f"{label:<34}{cells}{target:>10}")


def print_memory(digests: list[dict[str, Any]]) -> None:
    names = "".join(f"{d['name']:>16}" for d in digests)
    print(f"\n{f'peak memory MB (target < {MEMORY_TARGET_MB})':<34}{names}")
    for tool in ("qarina_raw", "qarina_e01"):
        for key, what in (
            ("all_processes_pss_mb", "all processes PSS"),
            ("all_processes_rss_mb", "all processes RSS"),
            ("largest_process_rss_mb", "largest process RSS"),
        ):
            values = [d["memory"].get(tool, {}).get(key) for d in digests]
            if any(v is not None for v in values):
                label = f"{tool} {what}"
                print(f"{label:<34}" + "".join(f"{_cell(v, '.0f'):>16}" for v in values))


def print_scaling(scale: dict[str, dict[str, Any]], digests: list[dict[str, Any]]) -> None:
    print("\nscaling: seconds per 10,000 files | per GB of content; k: time ∝ size^k (1 = linear)")
    names = "".join(f"{d['name']:>18}" for d in digests)
    print(f"{'tool':<34}{names}{'k files':>9}{'k bytes':>9}")
    for tool, s in scale.items():
        by_size = {r["size"]: r for r in s["rows"]}
        cells = ""
        for d in digests:
            r = by_size.get(d["name"])
            cell = f"{r['s_per_10k_files']:.2f} | {r['s_per_gb_content']:.2f}" if r else "-"
            cells += f"{cell:>18}"
        print(f"{LABELS[tool]:<34}{cells}{_cell(s['k_files']):>9}{_cell(s['k_bytes']):>9}")


def print_checks(digests: list[dict[str, Any]]) -> None:
    print("\nchecks (last round):")
    for d in digests:
        print(f"  {d['name']}: " + json.dumps(d["checks"], ensure_ascii=False))


def machine(env: dict[str, Any]) -> str:
    ewf = env.get("libewf_python", {})
    return (
        f"{env.get('nproc')} CPUs ({env.get('cpu')}), {env.get('memory')} RAM, "
        f"{env.get('os')}, kernel {env.get('kernel')}; {env.get('qarina')}; "
        f"libewf-python {ewf.get('pip_show', {}).get('Version')} "
        f"(zlib: {ewf.get('links_libz')})"
    )


# ---------------------------------------------------------------- driver


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add = ap.add_argument
    add("--sizes", default="small,medium,large", help=f"{PRESETS} or FILES:GB, comma-separated")
    add(
        "--root",
        type=Path,
        default=Path("/work/bench-data"),
        help="parent of the scale-<size> data directories (outside the repo)",
    )
    add(
        "--data-dir",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="data directory of one size (repeatable)",
    )
    add("--seed", type=int, default=1)
    add("--rounds", type=int, default=3)
    add("--tools", default=DEFAULT_TOOLS, help=f"comma-separated, from: {', '.join(ALL_TOOLS)}")
    add(
        "--quiet-wait",
        type=float,
        default=600,
        metavar="S",
        help="bench_index.py: before each run wait up to S s for an idle machine",
    )
    add("--retries", type=int, default=3, help="bench_index.py: repeat a disturbed run")
    add("--qarina", help="qarina executable (default: next to this python)")
    add("--python", help="interpreter qarina runs with (default: qarina's)")
    add("--json", dest="json_out", type=Path, help="default: ROOT/scale-results-<time>.json")
    args = ap.parse_args(argv)
    if unknown := set(filter(None, args.tools.split(","))) - set(ALL_TOOLS):
        ap.error(f"unknown tools: {sorted(unknown)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if missing := missing_commands():
        print("missing: " + ", ".join(missing), file=sys.stderr)
        return 2
    tools = [t for t in args.tools.split(",") if t]
    sizes = parse_sizes(args.sizes, args.root.resolve(), args.data_dir)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    started = time.monotonic()
    for size in sizes:
        build(size, args.seed)
    log(f"images ready in {time.monotonic() - started:.0f} s")
    results = [bench(size, args, stamp) for size in sizes]
    digests = [digest(size, r) for size, r in zip(sizes, results, strict=True)]
    scale = scaling(digests, tools)
    env = results[0]["environment"]
    print(f"\n==== issue 9 benchmark, {args.rounds} rounds per size, tools {args.tools}")
    print(f"machine: {machine(env)}")
    print_sizes(digests, tools)
    print_memory(digests)
    print_scaling(scale, digests)
    print_checks(digests)
    out = args.json_out or args.root / f"scale-results-{stamp}.json"
    doc = {"when": stamp, "args": {k: str(v) for k, v in vars(args).items()},
           "seconds": round(time.monotonic() - started), "environment": env,
           "sizes": digests, "scaling": scale}  # fmt: skip
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults written to {out} (total {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
