#!/usr/bin/env python3
"""Indexing + hashing throughput of `qarina scan` against reference tools, side by side.

    python benchmarks/bench_index.py --data /work/bench-data [--rounds 3] [--tools a,b,...]

Needs the output of `benchmarks/make_image.py` in --data (bench.raw, bench.E01, manifest.json).
The page cache is warmed first (both images are read once); then every round runs every
tool once, in an order rotated by one each round, so machine noise hits all tools alike.
Each run is wrapped in `/usr/bin/time -v` (wall time from the monotonic clock here, max RSS,
CPU times from time -v). Prints medians and ratios and writes them to a JSON file.

Tools:
  sha256sum    coreutils `sha256sum IMG`
  hashlib      Python hashlib SHA-256 of IMG in 1 MiB reads (the interpreter qarina uses)
  fls_raw      `fls -r -p IMG > /dev/null`
  qarina_raw   `qarina scan IMG --case NEW -q` (a new case folder every run)
  qarina_e01   `qarina scan E01 --case NEW -q`
  fls_e01      `fls -r -p -i ewf E01 > /dev/null`
  qarina_raw_nosearch  `qarina scan IMG --case NEW -q --no-search` (index, hash, parse only)
  yara_cli     `yara -r -p 2 -w RULES... DIR`: the yara command-line tool with the rules Qarina
               compiles from its bundled packs, over the image's files extracted once with
               `tsk_recover -e` into DATA/extracted (what a standard-tools pipeline does)
  pipeline_raw the standard-tools pipeline as one tool: `tsk_recover -e IMG` + `hashdeep -c
               md5,sha256 -r` + `yara -r -p 2 -w RULES` (the same rules), each step timed,
               times summed, the extracted files deleted after (see bench_pipeline.py)
  pipeline_e01 the same from the E01 (`tsk_recover -e -i ewf`)
  floor_raw    `benchmarks/floor.py IMG`: the least work of a default scan (custody SHA-256 +
               MD5 of IMG, SHA-256 + MD5 of every file through pytsk3), all cores busy
  floor_search_raw  the same + the bundled rules matched by yara-python over each file but
               photos and videos (`floor.py --rules`): less search than a scan does
  floor_search_e01  the same from the E01 (custody through pyewf, each worker reading the
               files through its own pyewf handle)
Besides `time -v`'s max RSS (the largest single process), every run records the peak summed
RSS and PSS of the tool's whole process tree (a scan's workers included), sampled from /proc
every 0.2 s; the table shows PSS (shared pages counted once). CPU s is the larger of time -v's
user+sys and the CPU time of the sampled tree (qarina leaves its forkserver unwaited, so time -v
misses the parser workers' time).
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_pipeline import (
    PIPELINE_TOOLS,
    TreeMemory,
    run_pipeline,
    step_medians,
    timed,
    yara_rule_args,
)

HASHLIB_CODE = (
    "import hashlib, sys\n"
    "h = hashlib.sha256()\n"
    "with open(sys.argv[1], 'rb', buffering=0) as f:\n"
    "    while chunk := f.read(1 << 20):\n"
    "        h.update(chunk)\n"
    "print(h.hexdigest())\n"
)
ALL_TOOLS = (
    "sha256sum", "hashlib", "fls_raw", "qarina_raw", "qarina_e01", "fls_e01",
    "qarina_raw_nosearch", "yara_cli", *PIPELINE_TOOLS, "floor_raw", "floor_search_raw",
    "floor_search_e01",
)  # fmt: skip
DEFAULT_TOOLS = ALL_TOOLS[:6]
HASHING_TOOLS = ("sha256sum", "hashlib", "floor_raw", "floor_search_raw", "floor_search_e01")
# Writes the YARA sources of Qarina's bundled packs, one file per namespace, for the yara CLI.
RULES_CODE = (
    "import sys, pathlib\n"
    "from triage_app.search.packs import bundled_root, load_packs\n"
    "from triage_app.search.scanner import pack_sources\n"
    "out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)\n"
    "for pack in load_packs(bundled_root()):\n"
    "    for ns, text in pack_sources(pack)[0].items():\n"
    "        (out / (ns + '.yar')).write_text(text, encoding='utf-8')\n"
)
LABELS = {
    "sha256sum": "sha256sum IMG",
    "hashlib": "Python hashlib SHA-256 of IMG",
    "fls_raw": "fls -r -p IMG",
    "qarina_raw": "qarina scan IMG (raw)",
    "qarina_e01": "qarina scan E01",
    "fls_e01": "fls -r -p -i ewf E01",
    "qarina_raw_nosearch": "qarina scan IMG --no-search",
    "yara_cli": "yara -r -p 2 (extracted files)",
    "pipeline_raw": "tsk_recover+hashdeep+yara IMG",
    "pipeline_e01": "tsk_recover+hashdeep+yara E01",
    "floor_raw": "floor: custody + file hashes (floor.py)",
    "floor_search_raw": "floor + yara-python, no media (floor.py)",
    "floor_search_e01": "floor + yara-python, no media, E01 (floor.py)",
}
FLOOR = str(Path(__file__).resolve().parent / "floor.py")


@dataclass
class Setup:
    data: Path
    image: Path
    e01: Path
    python: str
    qarina: str
    manifest: dict[str, Any]
    cases: Path


@dataclass
class Run:
    tool: str
    round: int
    wall: float
    max_rss_kb: int
    user: float
    sys: float
    exit_status: int
    load_before: float = 0.0  # 1-minute load average when the run started
    busy_before: float = 0.0  # share of all CPUs busy in the seconds before the run
    other_cpu_s: float = 0.0  # CPU seconds used on the machine during the run by others
    tree_rss_kb: int = 0  # peak summed RSS of the tool's process tree (sampled)
    tree_pss_kb: int = 0  # peak summed PSS (shared pages divided among the processes)
    tree_cpu_s: float = 0.0  # CPU time of the whole process tree (sampled)
    check: dict[str, Any] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- machine noise


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return total - fields[3] - fields[4], total


def cpu_busy(interval: float = 2.0) -> float:
    b0, t0 = cpu_ticks()
    time.sleep(interval)
    b1, t1 = cpu_ticks()
    return (b1 - b0) / max(t1 - t0, 1)


def wait_quiet(max_wait: float, threshold: float) -> float:
    """Wait (up to `max_wait` s) until the machine is idle; returns the last busy share."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        log(f"machine busy ({busy:.0%} of all CPUs), waiting")
        time.sleep(5)
        busy = cpu_busy()
    return busy


# ---------------------------------------------------------------- running one tool


def command(tool: str, s: Setup, case: Path | None) -> list[str]:
    img, e01 = str(s.image), str(s.e01)
    commands = {
        "sha256sum": ["sha256sum", img],
        "hashlib": [s.python, "-c", HASHLIB_CODE, img],
        "fls_raw": ["fls", "-r", "-p", img],
        "fls_e01": ["fls", "-r", "-p", "-i", "ewf", e01],
        "qarina_raw": [s.qarina, "scan", img, "--case", str(case), "-q"],
        "qarina_e01": [s.qarina, "scan", e01, "--case", str(case), "-q"],
        "qarina_raw_nosearch": [s.qarina, "scan", img, "--case", str(case), "-q", "--no-search"],
        "floor_raw": [s.python, FLOOR, img],
        "floor_search_raw": [s.python, FLOOR, img, "--rules", str(s.data / "yara-rules")],
        "floor_search_e01": [s.python, FLOOR, e01, "--rules", str(s.data / "yara-rules")],
    }
    if tool == "yara_cli":
        rules = yara_rule_args(s.data / "yara-rules")
        return ["yara", "-r", "-p", "2", "-w", *rules, str(s.data / "extracted")]
    return commands[tool]


def prepare_yara(s: Setup, extract: bool) -> None:
    """The yara CLI's inputs: Qarina's rules as text, and (once) the extracted files."""
    extracted = s.data / "extracted"
    if extract and not extracted.is_dir():
        log("extracting the image's files with tsk_recover -e (once)")
        subprocess.run(["tsk_recover", "-e", str(s.image), str(extracted)], check=True)
    rules = s.data / "yara-rules"
    shutil.rmtree(rules, ignore_errors=True)
    subprocess.run([s.python, "-c", RULES_CODE, str(rules)], check=True)
    log(f"yara CLI: {len(list(rules.glob('*.yar')))} rule files")


def measure(tool: str, s: Setup, round_no: int, busy: float = 0.0) -> Run:
    case = Path(tempfile.mkdtemp(prefix=f"{tool}-", dir=s.cases)) if "qarina" in tool else None
    work = Path(tempfile.mkdtemp(prefix=f"{tool}-", dir=s.data)) if tool in PIPELINE_TOOLS else None
    load = os.getloadavg()[0]
    ticks0, own0 = cpu_ticks()[0], time.process_time()
    with TreeMemory() as tree:
        if work is not None:
            t, check = run_pipeline(tool, s.image, s.e01, s.data / "yara-rules", work)
        else:
            keep_stdout = tool in HASHING_TOOLS or case is not None
            t, check = timed(command(tool, s, case), capture=keep_stdout), {}
    machine_cpu = (cpu_ticks()[0] - ticks0) / os.sysconf("SC_CLK_TCK")
    own_cpu = time.process_time() - own0  # this script's (the memory sampler's) CPU
    run = Run(tool, round_no, t.wall, t.max_rss_kb, t.user, t.sys, t.exit_status, load, busy,
              tree_rss_kb=tree.peak_rss_kb, tree_pss_kb=tree.peak_pss_kb,
              tree_cpu_s=round(tree.cpu_s, 2))  # fmt: skip
    run.other_cpu_s = round(max(0.0, machine_cpu - own_cpu - cpu_of(run)), 2)
    if t.exit_status != 0:
        log(f"{tool}: exit {t.exit_status}: {t.stderr.strip()[-500:]}")
    run.check = check if work is not None else check_output(tool, s, t.stdout, case)
    for folder in (case, work):
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return run


def cpu_of(run: Run) -> float:
    """CPU s of a run: time -v's user+sys, or the sampled tree's when larger (unwaited children)."""
    return max(run.user + run.sys, run.tree_cpu_s)


def check_output(tool: str, s: Setup, stdout: str, case: Path | None) -> dict[str, Any]:
    """Evidence that the run did the whole job: the image hash, or the case's counts."""
    if tool in HASHING_TOOLS:
        digest = stdout.split()[0] if stdout.split() else ""
        found = {"sha256_ok": digest == s.manifest["image"]["sha256"]}
        if tool.startswith("floor"):  # and every file was read
            counts = json.loads(stdout.splitlines()[-1]) if stdout.strip() else {}
            found["files_ok"] = counts.get("files") == s.manifest["tree"]["files"]
        return found
    if case is None:
        return {}
    proc = subprocess.run(
        [s.qarina, "info", "--case", str(case), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        info = json.loads(proc.stdout)
    except ValueError:
        return {"info_error": proc.stderr.strip()[-500:]}
    ev = info["evidence"][0] if info.get("evidence") else {}
    return {
        "summary_line": stdout.strip().splitlines()[0] if stdout.strip() else "",
        "entries_indexed": ev.get("files"),
        "regular_files": info.get("counts", {}).get("file"),
        "evidence_status": ev.get("status"),
        "verification": ev.get("verification"),
        "media_sha256_ok": (ev.get("media_sha256") or ev.get("sha256"))
        == s.manifest["image"]["sha256"],
        "errors": len(info.get("errors", [])),
    }


def measure_clean(
    tool: str, s: Setup, round_no: int, args: argparse.Namespace, discarded: list[Run]
) -> Run:
    """Measure once; repeat (up to --retries times) while other processes took CPU meanwhile."""
    capacity = os.cpu_count() or 1
    for attempt in range(args.retries + 1):
        busy = wait_quiet(args.quiet_wait, args.quiet_below) if args.quiet_wait else 0.0
        run = measure(tool, s, round_no, busy)
        noisy = run.other_cpu_s > args.noise_limit * run.wall * capacity + 0.5
        log(f"round {round_no} {tool}: {run.wall:.2f} s, {run.max_rss_kb / 1024:.0f} MB RSS "
            f"(all processes: {run.tree_rss_kb / 1024:.0f} MB RSS, "
            f"{run.tree_pss_kb / 1024:.0f} MB PSS), "
            f"busy before {busy:.0%}, others used {run.other_cpu_s:.1f} CPU s "
            f"{'(noisy, discarded) ' if noisy and attempt < args.retries else ''}"
            f"{run.check or ''}")  # fmt: skip
        if not noisy or attempt == args.retries:
            return run
        discarded.append(run)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- environment


def sh(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as exc:
        return f"unavailable: {exc}"
    return (proc.stdout + proc.stderr).strip()


PYEWF_CODE = (
    "import json, hashlib, os, pyewf, pytsk3\n"
    "p = pyewf.__file__\n"
    "print(json.dumps({'pyewf_file': p, 'pyewf_version': pyewf.get_version(),\n"
    "    'pyewf_so_sha256': hashlib.sha256(open(p, 'rb').read()).hexdigest(),\n"
    "    'pyewf_so_mtime': os.path.getmtime(p), 'pytsk3_version': pytsk3.TSK_VERSION_STR}))\n"
)


def pyewf_build(python: str) -> dict[str, Any]:
    """Which libewf-python is installed, and whether its extension links zlib."""
    raw = sh([python, "-c", PYEWF_CODE])
    try:
        info: dict[str, Any] = json.loads(raw.splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": raw[-500:]}
    ldd = sh(["ldd", info["pyewf_file"]])
    info["links_libz"] = "libz.so" in ldd
    info["ldd"] = ldd.splitlines()
    pip = sh([python, "-m", "pip", "show", "libewf-python"])
    info["pip_show"] = {
        k: v for k, _, v in (ln.partition(": ") for ln in pip.splitlines()) if v
    }  # Name, Version, Location, ...
    return info


def source_state(python: str) -> dict[str, Any]:
    """The commit of the qarina that runs, and the files changed since (for an editable install)."""
    pkg = sh([python, "-c", "import triage_app, os; print(os.path.dirname(triage_app.__file__))"])
    repo = Path(pkg.splitlines()[-1]).parent if pkg else Path(".")
    return {
        "path": str(repo),
        "commit": sh(["git", "-C", str(repo), "rev-parse", "HEAD"]),
        "changed": [
            ln.strip() for ln in sh(["git", "-C", str(repo), "status", "--porcelain"]).splitlines()
        ],
    }


def environment(s: Setup) -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()[0]
    model = re.search(r"Model name:\s*(.+)", sh(["lscpu"]))
    return {
        "nproc": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "memory": meminfo.split(":", 1)[1].strip(),
        "kernel": platform.release(),
        "os": sh(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "python": sh([s.python, "-VV"]),
        "qarina": sh([s.qarina, "--version"]),
        "qarina_source": source_state(s.python),
        "sha256sum": sh(["sha256sum", "--version"]).splitlines()[0],
        "fls": sh(["fls", "-V"]),
        "libewf_python": pyewf_build(s.python),
        "openssl": sh([s.python, "-c", "import ssl; print(ssl.OPENSSL_VERSION)"]),
    }


# ---------------------------------------------------------------- report


def reference_counts(s: Setup) -> dict[str, int]:
    """Lines of `fls -r -p` on the raw image and on the E01 (untimed)."""
    counts = {}
    for name, tool in (("fls_raw_lines", "fls_raw"), ("fls_e01_lines", "fls_e01")):
        out = subprocess.run(command(tool, s, None), capture_output=True, check=True).stdout
        counts[name] = out.count(b"\n")
    return counts


def summarise(runs: list[Run], s: Setup) -> dict[str, dict[str, Any]]:
    image_bytes = s.manifest["image"]["size"]
    content_bytes = s.manifest["tree"]["bytes"]
    out: dict[str, dict[str, Any]] = {}
    for tool in ALL_TOOLS:
        mine = [r for r in runs if r.tool == tool]
        if not mine:
            continue
        wall = statistics.median(r.wall for r in mine)
        cpu = statistics.median(cpu_of(r) for r in mine)
        out[tool] = {
            "label": LABELS[tool],
            "runs": len(mine),
            "median_wall_s": round(wall, 3),
            "min_wall_s": round(min(r.wall for r in mine), 3),
            "max_wall_s": round(max(r.wall for r in mine), 3),
            "median_cpu_s": round(cpu, 2),
            "max_rss_mb": round(max(r.max_rss_kb for r in mine) / 1024, 1),
            "max_tree_rss_mb": round(max(r.tree_rss_kb for r in mine) / 1024, 1),
            "max_tree_pss_mb": round(max(r.tree_pss_kb for r in mine) / 1024, 1),
            "image_mb_per_s": round(image_bytes / wall / 1e6, 1),
            "content_mb_per_s": round(content_bytes / wall / 1e6, 1),
            "all_ok": all(r.exit_status == 0 for r in mine),
            "max_load_before": round(max(r.load_before for r in mine), 2),
            "max_busy_before": round(max(r.busy_before for r in mine), 3),
            "max_other_cpu_s": max(r.other_cpu_s for r in mine),
        }
        if tool in PIPELINE_TOOLS:
            out[tool]["steps_median_s"] = step_medians([r.check for r in mine])
    return out


def ratios(t: dict[str, dict[str, Any]], s: Setup) -> dict[str, float | None]:
    def wall(tool: str) -> float | None:
        return t[tool]["median_wall_s"] if tool in t else None

    def div(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    image, content = s.manifest["image"]["size"], s.manifest["tree"]["bytes"]
    q_raw, q_e01 = wall("qarina_raw"), wall("qarina_e01")
    return {
        # issue 4: content search with the bundled packs, against the yara CLI on the same files
        "qarina_raw_time_over_yara_cli": div(q_raw, wall("yara_cli")),
        "qarina_raw_search_cost_s": (
            round(q_raw - wall("qarina_raw_nosearch"), 2)  # type: ignore[operator]
            if q_raw and wall("qarina_raw_nosearch")
            else None
        ),
        "qarina_raw_time_over_sha256sum": div(q_raw, wall("sha256sum")),
        "qarina_raw_time_over_hashlib": div(q_raw, wall("hashlib")),
        "qarina_raw_time_over_fls": div(q_raw, wall("fls_raw")),
        "qarina_e01_time_over_qarina_raw": div(q_e01, q_raw),
        "qarina_e01_time_over_sha256sum": div(q_e01, wall("sha256sum")),
        # issue 9: the standard-tools pipeline against the scan (target ≥ 5)
        "pipeline_raw_time_over_qarina_raw": div(wall("pipeline_raw"), q_raw),
        "pipeline_e01_time_over_qarina_e01": div(wall("pipeline_e01"), q_e01),
        # issue 2 targets (≥ 0.5): throughputs as fractions
        "raw_content_rate_over_hashlib_image_rate": div(
            div(content, q_raw), div(image, wall("hashlib"))
        ),
        "raw_image_rate_over_hashlib_image_rate": div(wall("hashlib"), q_raw),
        "e01_rate_over_raw_rate": div(q_raw, q_e01),
    }


def print_table(t: dict[str, dict[str, Any]], r: dict[str, float | None], s: Setup) -> None:
    m = s.manifest
    print(f"\nimage {m['image']['size'] / 1e9:.2f} GB raw, {m['e01']['size'] / 1e9:.2f} GB E01, "
          f"{m['tree']['files']} files, {m['tree']['bytes'] / 1e9:.2f} GB content")  # fmt: skip
    head = f"{'tool':<32}{'median s':>10}{'min-max s':>14}{'CPU s':>8}{'max RSS MB':>12}"
    print(head + f"{'tree PSS MB':>13}{'image MB/s':>12}{'content MB/s':>14}")
    for row in t.values():
        span = f"{row['min_wall_s']:.2f}-{row['max_wall_s']:.2f}"
        print(f"{row['label']:<32}{row['median_wall_s']:>10.2f}{span:>14}"
              f"{row['median_cpu_s']:>8.1f}{row['max_rss_mb']:>12.0f}{row['max_tree_pss_mb']:>13.0f}"
              f"{row['image_mb_per_s']:>12.0f}{row['content_mb_per_s']:>14.0f}"
              + ("" if row["all_ok"] else "  (non-zero exit)"))  # fmt: skip
        if "steps_median_s" in row:
            steps = ", ".join(f"{k} {v:.2f}" for k, v in row["steps_median_s"].items())
            print(f"    steps (median s): {steps}")
    print("\nratios:")
    for key, value in r.items():
        print(f"  {key:<45} {'-' if value is None else f'{value:.3f}'}")


# ---------------------------------------------------------------- driver


def setup(args: argparse.Namespace) -> Setup:
    data: Path = args.data.resolve()
    manifest = json.loads((data / "manifest.json").read_text())
    qarina = args.qarina or shutil.which("qarina") or str(Path(sys.executable).with_name("qarina"))
    python = args.python or str(Path(qarina).with_name("python"))
    cases = data / "cases"
    cases.mkdir(exist_ok=True)
    return Setup(data, data / manifest["image"]["path"], data / manifest["e01"]["path"],
                 python, qarina, manifest, cases)  # fmt: skip


def warm(s: Setup) -> None:
    for path in (s.image, s.e01):
        started = time.monotonic()
        with open(path, "rb", buffering=0) as f:
            while f.read(8 << 20):
                pass
        log(f"warmed {path.name} ({time.monotonic() - started:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="make_image.py output directory")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tools", default=",".join(DEFAULT_TOOLS),
                    help=f"comma-separated, from: {', '.join(ALL_TOOLS)}")  # fmt: skip
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=600,
        metavar="S",
        help="before each run wait up to S s for an idle machine (0: don't)",
    )
    ap.add_argument(
        "--quiet-below",
        type=float,
        default=0.10,
        metavar="F",
        help="idle means under this share of all CPUs busy (default 0.10)",
    )
    ap.add_argument(
        "--retries",
        type=int,
        default=3,
        help="repeat a run while other processes used CPU during it (default 3)",
    )
    ap.add_argument(
        "--noise-limit",
        type=float,
        default=0.05,
        metavar="F",
        help="a run is noisy when others used more than F of all CPUs + 0.5 CPU s",
    )
    ap.add_argument("--qarina", help="qarina executable (default: from PATH or next to python)")
    ap.add_argument("--python", help="interpreter for the hashlib row (default: qarina's)")
    ap.add_argument("--json", dest="json_out", type=Path, help="results file "
                    "(default: DATA/bench_results-<time>.json)")  # fmt: skip
    args = ap.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    if unknown := set(tools) - set(ALL_TOOLS):
        ap.error(f"unknown tools: {sorted(unknown)}")
    s = setup(args)
    env = environment(s)
    log(f"libewf-python: {env['libewf_python'].get('pip_show', {}).get('Version')}, "
        f"links libz: {env['libewf_python'].get('links_libz')}")  # fmt: skip
    counts = reference_counts(s)
    if {"yara_cli", "floor_search_raw", "floor_search_e01", *PIPELINE_TOOLS} & set(tools):
        prepare_yara(s, extract="yara_cli" in tools)
    warm(s)
    runs: list[Run] = []
    discarded: list[Run] = []
    for rnd in range(args.rounds):
        order = tools[rnd % len(tools) :] + tools[: rnd % len(tools)]
        for tool in order:
            runs.append(measure_clean(tool, s, rnd + 1, args, discarded))
    table = summarise(runs, s)
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "rounds": args.rounds,
        "order": "rotated by one tool each round",
        "environment": env,
        "manifest": s.manifest,
        "counts": counts,
        "table": table,
        "ratios": ratios(table, s),
        "runs": [vars(r) for r in runs],
        "discarded_noisy_runs": [vars(r) for r in discarded],
    }
    print_table(table, result["ratios"], s)
    print(f"\nentries: fls -r raw {counts['fls_raw_lines']}, fls -r E01 {counts['fls_e01_lines']}")
    for run in runs[-len(tools) :]:
        if "entries_indexed" in run.check:
            print(f"  {run.tool}: {run.check['entries_indexed']} entries indexed "
                  f"({run.check['regular_files']} regular files), media hash ok "
                  f"{run.check['media_sha256_ok']}, errors {run.check['errors']}")  # fmt: skip
    out = args.json_out or s.data / f"bench_results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
