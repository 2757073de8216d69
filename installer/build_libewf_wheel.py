#!/usr/bin/env python3
"""Build a zlib-enabled libewf-python (pyewf) wheel from the PyPI source package.

The libewf-python wheels published on PyPI are built with ``configure
--disable-shared-libs``; that switch also turns zlib off, so libewf falls back
to its own (slow) inflate and reading a compressed E01 runs at ~30 MB/s.

This script rebuilds the same, pinned, sdist with zlib on:

* the sdist's ``_build.py`` still runs ``configure --disable-nls
  --disable-shared-libs`` (so the libyal helper libraries stay bundled, as in
  the PyPI wheel), and we leave it alone;
* on top of that we hand setuptools' ``build_ext`` the zlib macros that
  configure would have written to ``common/config.h`` had it been allowed to
  look for zlib, plus ``libraries = z``.  This goes through a setuptools config
  file named by the ``DIST_EXTRA_CONFIG`` environment variable, so the unpacked
  sdist is not patched at all.  (``CFLAGS`` is deliberately *not* used: recent
  setuptools lets ``CFLAGS`` replace Python's flags, which drops ``-O3``.)

Typical use (see docs/LIBEWF.md)::

    python installer/build_libewf_wheel.py --install --check

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DIST_NAME = "libewf-python"
SDIST_PREFIX = "libewf_python-"

# What libewf's m4/zlib.m4 defines when it finds zlib (AX_ZLIB_CHECK_ENABLE,
# _ADLER32, _COMPRESS2, _COMPRESSBOUND, _UNCOMPRESS).  libewf_compression.c
# uses zlib's uncompress() only when HAVE_ZLIB and HAVE_ZLIB_UNCOMPRESS are
# set; libewf_checksum.c uses zlib's adler32() with HAVE_ZLIB_ADLER32.
# HAVE_WRITE_SUPPORT is deliberately not defined: the PyPI wheel has no write
# support either, and a triage tool only reads evidence.
ZLIB_MACROS = (
    "HAVE_ZLIB",
    "HAVE_ZLIB_H",
    "HAVE_ZLIB_UNCOMPRESS",
    "HAVE_ZLIB_ADLER32",
    "HAVE_ZLIB_COMPRESS2",
    "HAVE_ZLIB_COMPRESSBOUND",
)

# The sdist's pyproject.toml uses a PEP 639 license string, which needs
# setuptools >= 77 when the build runs without build isolation.
MIN_SETUPTOOLS = (77, 0)

ZLIB_PROBE = "#include <zlib.h>\nint main(void) { return zlibVersion()[0] == '\\0'; }\n"

MIB = 1024 * 1024
MB = 1_000_000  # throughput is reported in MB/s with MB = 10**6 bytes


class BuildError(RuntimeError):
    """A failure with a message meant for the user."""


def log(message: str) -> None:
    print(f"[build_libewf_wheel] {message}", flush=True)


def run(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    logfile: Path | None = None,
    cwd: Path | None = None,
) -> None:
    """Run a command; on failure raise BuildError (with the log tail, if logged)."""
    log("$ " + shlex.join(cmd))
    if logfile is None:
        result = subprocess.run(cmd, env=env, cwd=cwd, check=False)
        if result.returncode != 0:
            raise BuildError(f"command failed ({result.returncode}): {shlex.join(cmd)}")
        return
    with logfile.open("w", encoding="utf-8") as out:
        result = subprocess.run(
            cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0:
        tail = logfile.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
        raise BuildError(
            f"command failed ({result.returncode}): {shlex.join(cmd)}\n"
            f"--- last lines of {logfile} ---\n" + "\n".join(tail)
        )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- checks


def check_platform() -> None:
    if os.name == "nt":
        raise BuildError(
            "Windows is not supported by this script (not tested). A Windows build needs the "
            "MSVC build tools and a zlib build (headers + zlib.lib/zlib1.dll); see "
            "docs/LIBEWF.md."
        )


def check_zlib(workdir: Path) -> None:
    """Compile and link a tiny program against zlib, as the extension will be."""
    compiler = shlex.split(os.environ.get("CC") or str(sysconfig.get_config_var("CC") or "cc"))
    source = workdir / "zlib_probe.c"
    source.write_text(ZLIB_PROBE, encoding="ascii")
    cmd = [*compiler, str(source), "-o", str(workdir / "zlib_probe"), "-lz"]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BuildError(
            f"no C compiler ({compiler[0]}) found: apt-get install build-essential"
        ) from exc
    if result.returncode == 0:
        log("zlib headers and library found")
        return
    if "zlib.h" in result.stderr:
        raise BuildError(
            "zlib headers (zlib.h) are missing: apt-get install zlib1g-dev\n"
            + result.stderr.strip()
        )
    raise BuildError(
        "cannot link against zlib (-lz): apt-get install zlib1g-dev\n" + result.stderr.strip()
    )


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def check_build_backend() -> None:
    """Without build isolation, setuptools and wheel must already be installed."""
    try:
        setuptools_version = importlib.metadata.version("setuptools")
        importlib.metadata.version("wheel")
    except importlib.metadata.PackageNotFoundError as exc:
        raise BuildError(
            f"--no-build-isolation needs {exc.name} in this environment: "
            "pip install 'setuptools>=77' wheel"
        ) from exc
    if _version_tuple(setuptools_version) < MIN_SETUPTOOLS:
        raise BuildError(
            f"--no-build-isolation needs setuptools>=77, found {setuptools_version}: "
            "pip install 'setuptools>=77' wheel (or drop --no-build-isolation)"
        )


# --------------------------------------------------------------------------- sdist


def installed_version() -> str | None:
    try:
        return importlib.metadata.version(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        return None


def version_from_sdist(path: Path) -> str:
    match = re.fullmatch(re.escape(SDIST_PREFIX) + r"(\d+)\.tar\.gz", path.name)
    if not match:
        raise BuildError(f"{path.name}: expected a file named {SDIST_PREFIX}VERSION.tar.gz")
    return match.group(1)


def download_sdist(version: str, dest: Path, find_links: Path | None) -> Path:
    # pip prepares the sdist's metadata, in an isolated build environment (setuptools
    # from the index, or from --find-links when offline).
    # --no-binary names only this package: ":all:" would also force the build backend
    # (setuptools, wheel) to come as sdists, which fails with --find-links DIR of wheels.
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-binary",
        DIST_NAME,
        "--no-deps",
        "-d",
        str(dest),
        f"{DIST_NAME}=={version}",
    ]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    run(cmd)
    found = sorted(dest.glob(f"{SDIST_PREFIX}{version}.tar.gz"))
    if not found:
        raise BuildError(f"pip download did not produce {SDIST_PREFIX}{version}.tar.gz in {dest}")
    return found[0]


def unpack_sdist(sdist: Path, dest: Path) -> Path:
    with tarfile.open(sdist, "r:gz") as archive:
        archive.extractall(dest, filter="data")
    roots = [path for path in dest.iterdir() if path.is_dir()]
    if len(roots) != 1 or not (roots[0] / "_build.py").is_file():
        raise BuildError(f"{sdist}: unexpected layout (no single top directory with _build.py)")
    return roots[0]


# --------------------------------------------------------------------------- build


def write_extra_config(path: Path) -> None:
    """setuptools config read through DIST_EXTRA_CONFIG: zlib macros and -lz for build_ext."""
    path.write_text(
        "# Generated by installer/build_libewf_wheel.py: build pyewf against the system zlib.\n"
        "[build_ext]\n"
        f"define = {','.join(ZLIB_MACROS)}\n"
        "libraries = z\n",
        encoding="ascii",
    )


def build_wheel(source: Path, outdir: Path, workdir: Path, args: argparse.Namespace) -> Path:
    extra = workdir / "zlib-build_ext.cfg"
    write_extra_config(extra)
    env = dict(os.environ, DIST_EXTRA_CONFIG=str(extra))
    wheel_dir = workdir / "wheel"
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-v",
        "--no-deps",
        "--no-cache-dir",
        "-w",
        str(wheel_dir),
        str(source),
    ]
    if args.no_build_isolation:
        cmd.append("--no-build-isolation")
    if args.find_links is not None:
        cmd += ["--no-index", "--find-links", str(args.find_links)]
    logfile = outdir / "build_libewf_wheel.log"
    started = time.monotonic()
    run(cmd, env=env, logfile=logfile)
    log(f"pip wheel took {time.monotonic() - started:.1f} s (log: {logfile})")
    wheels = sorted(wheel_dir.glob("libewf_python-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"expected one wheel in {wheel_dir}, found {len(wheels)}")
    target = outdir / wheels[0].name
    shutil.copy2(wheels[0], target)
    return target


def verify_wheel_links_zlib(wheel: Path) -> None:
    """The extension must reference the shared zlib (libz.so.1 / libz.1.dylib)."""
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if name.startswith("pyewf.")]
        if not names:
            raise BuildError(f"{wheel.name}: no pyewf extension module inside")
        blob = archive.read(names[0])
    if b"libz." not in blob or b"uncompress" not in blob:
        raise BuildError(
            f"{wheel.name}: pyewf is not linked against zlib; the build did not "
            "pick up the zlib settings (see the build log)"
        )
    log("wheel verified: pyewf links the system zlib")


def smoke_import(wheel: Path, workdir: Path) -> None:
    """Import pyewf straight from the wheel's files (catches unresolved symbols)."""
    target = workdir / "smoke"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import pyewf; "
        "assert pyewf.__file__.startswith(sys.argv[1]); print(pyewf.get_version())"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code, str(target)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BuildError(f"{wheel.name}: 'import pyewf' fails:\n{result.stderr.strip()}")
    log(f"wheel imports: pyewf {result.stdout.strip()}")


def install_wheel(wheel: Path) -> None:
    run([sys.executable, "-m", "pip", "install", "--force-reinstall", "--no-deps", str(wheel)])
    code = "import pyewf; print(pyewf.get_version(), pyewf.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BuildError("installed, but 'import pyewf' fails:\n" + result.stderr.strip())
    log(f"installed: pyewf {result.stdout.strip()}")


@contextmanager
def scratch_dir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="libewf-build-"))
    try:
        yield path
    finally:
        if keep:
            log(f"kept work directory {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def obtain_sdist(args: argparse.Namespace, workdir: Path) -> Path:
    if args.sdist is not None:
        sdist: Path = args.sdist.resolve()
        if not sdist.is_file():
            raise BuildError(f"--sdist {sdist}: no such file")
        if args.version and version_from_sdist(sdist) != args.version:
            raise BuildError(f"--sdist {sdist.name} does not match --version {args.version}")
        return sdist
    version = args.version or installed_version()
    if not version:
        raise BuildError(f"{DIST_NAME} is not installed here: pass --version or --sdist")
    download = workdir / "download"
    download.mkdir()
    return download_sdist(version, download, args.find_links)


def do_build(args: argparse.Namespace) -> Path:
    check_platform()
    outdir: Path = args.outdir.resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with scratch_dir(args.keep) as workdir:
        check_zlib(workdir)
        if args.no_build_isolation:
            check_build_backend()
        sdist = obtain_sdist(args, workdir)
        sdist_hash = sha256_file(sdist)
        log(f"sdist {sdist.name} sha256 {sdist_hash}")
        if args.sdist_sha256 and args.sdist_sha256.lower() != sdist_hash:
            raise BuildError(f"sdist sha256 mismatch: expected {args.sdist_sha256}")
        source = unpack_sdist(sdist, workdir / "src")
        started = time.monotonic()
        wheel = build_wheel(source, outdir, workdir, args)
        elapsed = time.monotonic() - started
        verify_wheel_links_zlib(wheel)
        smoke_import(wheel, workdir)
    print(f"wheel: {wheel}")
    print(f"sha256: {sha256_file(wheel)}")
    print(f"build time: {elapsed:.1f} s")
    return wheel


# --------------------------------------------------------------------------- self-check


def make_test_data(path: Path, size_mib: int, seed: int) -> None:
    """Deterministic, semi-compressible data: word-soup text mixed with random bytes."""
    rng = random.Random(seed)
    letters = range(ord("a"), ord("z") + 1)
    words = [bytes(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(4096)]
    corpus = b" ".join(rng.choices(words, k=1_000_000))
    piece = 16 * 1024
    with path.open("wb") as out:
        for _ in range(size_mib):
            parts = []
            for _ in range(MIB // piece):
                if rng.random() < 0.25:
                    parts.append(rng.randbytes(piece))
                else:
                    start = rng.randrange(len(corpus) - piece)
                    parts.append(corpus[start : start + piece])
            out.write(b"".join(parts))


def make_test_e01(raw: Path, target: Path) -> Path:
    """Acquire raw into target.E01 with ewfacquire (Debian package ewf-tools)."""
    ewfacquire = shutil.which("ewfacquire")
    if ewfacquire is None:
        raise BuildError("ewfacquire not found: apt-get install ewf-tools (or pass --check-image)")
    cmd = [
        ewfacquire,
        "-u",
        "-q",
        "-t",
        str(target),
        "-c",
        "deflate:fast",
        "-f",
        "encase6",
        "-C",
        "case",
        "-D",
        "qarina self-check",
        "-E",
        "ev",
        "-e",
        "examiner",
        "-N",
        "notes",
        str(raw),
    ]
    run(cmd, logfile=target.with_suffix(".ewfacquire.log"))
    image = target.with_suffix(".E01")
    if not image.is_file():
        raise BuildError(f"ewfacquire did not create {image}")
    return image


@dataclass(frozen=True)
class Rate:
    """Throughput of one pass, in MB/s of wall-clock time and of this process's CPU time.

    The CPU figure is what the library itself achieves and hardly moves when other jobs
    share the machine (pyewf reads on one thread), so the pass/fail gate uses it.
    """

    wall: float
    cpu: float


@contextmanager
def measure(nbytes: Callable[[], int], into: list[Rate]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    into.append(Rate(nbytes() / MB / wall, nbytes() / MB / max(cpu, 1e-9)))


def read_raw(raw: Path, algorithm: str, rates: list[Rate]) -> str:
    digest = hashlib.new(algorithm)
    with measure(lambda: raw.stat().st_size, rates), raw.open("rb") as handle:
        for block in iter(lambda: handle.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def read_e01(image: Path, algorithm: str | None, rates: list[Rate]) -> str:
    """Read the whole media with read_buffer_at_offset in 1 MiB chunks (optionally hashing)."""
    import pyewf

    handle = pyewf.handle()
    handle.open(pyewf.glob(str(image)))
    try:
        media_size = int(handle.get_media_size())
        digest = hashlib.new(algorithm) if algorithm else None
        with measure(lambda: media_size, rates):
            offset = 0
            while offset < media_size:
                data = handle.read_buffer_at_offset(min(MIB, media_size - offset), offset)
                if not data:
                    raise BuildError(f"{image}: short read at offset {offset}")
                if digest is not None:
                    digest.update(data)
                offset += len(data)
    finally:
        handle.close()
    return digest.hexdigest() if digest else ""


def describe_pyewf() -> str:
    try:
        import pyewf
    except ImportError as exc:
        raise BuildError(f"cannot import pyewf in this environment: {exc}") from exc

    module = Path(str(pyewf.__file__))
    zlib = "yes" if b"libz." in module.read_bytes() else "no"
    return f"pyewf {pyewf.get_version()} ({module}); links system zlib: {zlib}"


def check_images(args: argparse.Namespace, workdir: Path) -> tuple[Path, Path | None]:
    if args.check_image is not None:
        return args.check_image, args.check_raw
    raw = workdir / f"check-{args.check_size_mib}MiB-seed{args.seed}.raw"
    image = raw.with_suffix(".E01")
    if not raw.is_file():
        log(f"writing {args.check_size_mib} MiB of test data to {raw}")
        make_test_data(raw, args.check_size_mib, args.seed)
    if not image.is_file():
        log(f"acquiring {raw.name} with ewfacquire (deflate:fast)")
        make_test_e01(raw, raw.with_suffix(""))
    return image, raw


def report(label: str, rates: list[Rate]) -> Rate:
    median = Rate(statistics.median(r.wall for r in rates), statistics.median(r.cpu for r in rates))
    runs = ", ".join(f"{r.wall:.0f}" for r in rates)
    print(f"{label:<28} wall {median.wall:7.1f} MB/s (runs: {runs})   CPU {median.cpu:7.1f} MB/s")
    return median


def run_check_on(image: Path, raw: Path | None, args: argparse.Namespace) -> int:
    print(describe_pyewf())
    print(
        f"E01: {image} ({image.stat().st_size / MB:.1f} MB on disk); medians of {args.runs} "
        "runs; MB = 10**6 bytes; CPU = MB per second of this process's CPU time"
    )
    rates: list[Rate] = []
    for _ in range(args.runs):
        read_e01(image, None, rates)
    median = report("pyewf read (1 MiB chunks)", rates)
    rates = []
    e01_digest = read_e01(image, args.hash, rates)
    report(f"pyewf read + {args.hash}", rates)
    if raw is not None:
        rates = []
        raw_digests = {read_raw(raw, args.hash, rates) for _ in range(args.runs)}
        report(f"raw file read + {args.hash}", rates)
        if raw_digests != {e01_digest}:
            print(f"FAIL: {args.hash} of the E01 media differs from the raw file")
            return 1
        print(f"{args.hash} of E01 media matches the raw file: {e01_digest}")
    if median.cpu < args.min_mbps:
        print(
            f"FAIL: pyewf reads at {median.cpu:.1f} MB/s (CPU time), below {args.min_mbps:.0f} "
            "MB/s (is this the zlib-enabled build?)"
        )
        return 1
    print(
        f"OK: pyewf reads at {median.cpu:.1f} MB/s (CPU time; wall {median.wall:.1f}), "
        f"threshold {args.min_mbps:.0f} MB/s"
    )
    return 0


def do_check(args: argparse.Namespace) -> int:
    if args.check_dir is not None:
        args.check_dir.mkdir(parents=True, exist_ok=True)
        image, raw = check_images(args, args.check_dir)
        return run_check_on(image, raw, args)
    with scratch_dir(args.keep) as workdir:
        image, raw = check_images(args, workdir)
        return run_check_on(image, raw, args)


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Build (and optionally install) a libewf-python wheel with zlib enabled, "
        "from the PyPI sdist of a pinned version, and/or measure pyewf read speed. "
        "No option: build only.  --install: build and install.  --check alone: "
        "only measure the pyewf of this environment.  --install --check: build, "
        "install, then measure.",
        epilog="See docs/LIBEWF.md.",
    )
    build = parser.add_argument_group("build")
    build.add_argument(
        "--version", help="libewf-python version to build (default: the installed version)"
    )
    build.add_argument(
        "--sdist",
        type=Path,
        help="use this libewf_python-VERSION.tar.gz instead of downloading it (offline)",
    )
    build.add_argument("--sdist-sha256", help="refuse an sdist whose SHA-256 differs")
    build.add_argument(
        "--outdir",
        type=Path,
        default=Path("dist"),
        help="where the wheel and build log go (default: ./dist)",
    )
    build.add_argument(
        "--no-build-isolation",
        action="store_true",
        help="build with this environment's setuptools (needs setuptools>=77 "
        "and wheel) instead of an isolated build environment",
    )
    build.add_argument(
        "--find-links",
        type=Path,
        metavar="DIR",
        help="offline: take the sdist and the build backend (setuptools, wheel, "
        "packaging) from DIR only (pip --no-index --find-links DIR)",
    )
    build.add_argument(
        "--install",
        action="store_true",
        help="install the wheel into this interpreter's environment",
    )
    build.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    check = parser.add_argument_group("self-check")
    check.add_argument(
        "--check",
        action="store_true",
        help="measure pyewf read throughput of a compressed E01 against hashlib "
        "on the raw data; exit 1 below --min-mbps",
    )
    check.add_argument(
        "--check-dir",
        type=Path,
        help="create (or reuse) the test raw/E01 here (default: a temporary directory)",
    )
    check.add_argument("--check-image", type=Path, help="measure this E01 instead")
    check.add_argument(
        "--check-raw",
        type=Path,
        help="raw equivalent of --check-image (for the hashlib reference and a content comparison)",
    )
    check.add_argument(
        "--check-size-mib",
        type=int,
        default=512,
        help="size of the generated test media (default: 512)",
    )
    check.add_argument("--seed", type=int, default=20260924, help="test data seed")
    check.add_argument("--runs", type=int, default=3, help="timed runs each (default: 3)")
    check.add_argument(
        "--hash",
        default="sha256",
        choices=sorted(hashlib.algorithms_guaranteed),
        help="hash used for the reference and comparison (default: sha256)",
    )
    check.add_argument(
        "--min-mbps",
        type=float,
        default=100.0,
        help="fail when pyewf reads slower than this, in MB per CPU-second (default: 100)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.install or not args.check:
            wheel = do_build(args)
            if args.install:
                install_wheel(wheel)
        if args.check:
            return do_check(args)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
