#!/usr/bin/env python3
"""Build the offline Qarina bundle: a PyInstaller one-folder app, DIST/qarina/qarina[.exe].

    python installer/build.py [--dist DIR] [--work DIR] [--libmagic FILE] [--magic-db FILE]

The PyInstaller options are made here and nowhere else (PyInstaller writes the .spec it
derives from them into the work folder; none is kept in git). What goes in, and why:

- `installer/qarina_main.py` as the entry point, and every module of `triage_app` and
  `parsers`: the GUI imports its views by name (gui/main_window.py), which PyInstaller's import
  scan cannot follow; `yara` is imported the same way (search/keywords.py), and `pillow_heif`
  when installed (report/thumbs.py, optional);
- the data folders at the same relative place as in the source tree, because the code finds
  them next to its own modules: `resources/` (core/resources.py), `rules/packs`
  (search/packs.py) and the report templates (report/html.py);
- the Qt interface translations, compiled now with PySide6's lrelease into
  `resources/translations/*.qm`, which gui/i18n.py loads before compiling one itself;
- Qt through PyInstaller's PySide6 hooks: platform plugins (offscreen, xcb, wayland on Linux;
  windows on Windows), image formats, platform themes and Qt's own `qtbase_*.qm`;
- `tzdata`, named as a hidden import because zoneinfo reaches it through importlib.resources
  only: Windows has no system time zone database;
- the metadata of the libraries whose versions the report states (report/model.py);
- `installer/rthook_workers.py`, which fixes Qt's hash seed in spawned workers (see there);
- libmagic and its database: python-magic loads libmagic through ctypes, which PyInstaller does
  not see; the library goes beside the Python extensions (PyInstaller's ctypes wrapper resolves
  a bare library name there first) and `magic.mgc` into `libmagic/`, where qarina_main.py
  points libmagic at it.

Afterwards every file of the bundle is listed with its SHA-256 in `DIST/qarina/SHA256SUMS`
(sorted by path, the `sha256sum -c` format); each line is printed, then the SHA-256 of that
list (one digest for the whole bundle), the file count and the size.
"""

from __future__ import annotations

import argparse
import ctypes.util
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENTRY = REPO / "installer" / "qarina_main.py"
RUNTIME_HOOK = REPO / "installer" / "rthook_workers.py"
NAME = "qarina"
SUMS = "SHA256SUMS"
# (source in the repository, destination in the bundle): the same relative paths.
DATA = ("resources", "rules/packs", "triage_app/report/templates")
# Imported by name only: yara (search/keywords.py); tzdata, which zoneinfo reads through
# importlib.resources when the host has no time zone database (always on Windows).
HIDDEN = ("yara", "tzdata")
OPTIONAL_HIDDEN = ("pillow_heif",)
COLLECT = ("triage_app", "parsers")
# Never used by the app; PyInstaller would follow them from optional imports of dependencies.
EXCLUDE = ("tkinter", "pytest", "_pytest", "hypothesis", "IPython", "matplotlib", "numpy")
MAGIC_DBS = (
    Path("/usr/lib/file/magic.mgc"),
    Path("/usr/share/misc/magic.mgc"),
    Path("/usr/share/file/magic.mgc"),
)
LINUX_LIB_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib")
MIB = 1024 * 1024
# One folder (starts faster than one file, which unpacks itself at every start), console (the
# CLI prints), no UPX (it breaks Qt's libraries), PyInstaller's cache cleaned first.
FLAGS = ("--noconfirm", "--clean", "--onedir", "--console", "--noupx", "--log-level=WARN")


class BuildError(RuntimeError):
    """A failure with a message meant for the person building."""


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def lrelease() -> Path:
    """PySide6's lrelease (inside the PySide6 package, as gui/i18n.py finds it)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        raise BuildError("PySide6 is not installed in this environment")
    folder = Path(spec.origin).parent
    for name in ("lrelease", "lrelease.exe"):
        if (folder / name).is_file():
            return folder / name
    raise BuildError(f"no lrelease in {folder}: install PySide6-Essentials")


def compile_translations(out: Path) -> list[Path]:
    """resources/translations/*.ts → out/*.qm with lrelease; the .qm files."""
    out.mkdir(parents=True, exist_ok=True)
    tool = lrelease()
    compiled = []
    for source in sorted((REPO / "resources" / "translations").glob("*.ts")):
        target = out / source.with_suffix(".qm").name
        result = subprocess.run(
            [str(tool), "-silent", str(source), "-qm", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not target.is_file():
            raise BuildError(f"lrelease failed on {source.name}: {result.stderr.strip()}")
        compiled.append(target)
    if not compiled:
        raise BuildError("no resources/translations/*.ts to compile")
    return compiled


def find_libmagic(given: Path | None) -> Path:
    """The libmagic shared library to bundle: --libmagic, else the system's (Linux only)."""
    if given is not None:
        if not given.is_file():
            raise BuildError(f"--libmagic {given}: no such file")
        return given
    if not sys.platform.startswith("linux"):
        raise BuildError(
            "pass --libmagic with the libmagic DLL (e.g. MSYS2's libmagic-1.dll) and "
            "--magic-db with its magic.mgc: see installer/README.md"
        )
    name = ctypes.util.find_library("magic") or "libmagic.so.1"
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for folder in LINUX_LIB_DIRS:
        for candidate in (Path(folder) / multiarch / name, Path(folder) / name):
            if candidate.is_file():
                return candidate
    raise BuildError("libmagic not found: apt-get install libmagic1 (or pass --libmagic)")


def find_magic_db(given: Path | None) -> Path:
    """The compiled magic database matching that libmagic: --magic-db, else the system's."""
    candidates = (given,) if given is not None else MAGIC_DBS
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if given is not None:
        raise BuildError(f"--magic-db {given}: no such file")
    raise BuildError("magic.mgc not found: apt-get install libmagic-mgc (or pass --magic-db)")


def describe_pyewf() -> str:
    """Whether the pyewf to be bundled is the zlib build (docs/LIBEWF.md): PyPI's reads
    compressed E01 images about five times slower."""
    spec = importlib.util.find_spec("pyewf")
    if spec is None or spec.origin is None:
        raise BuildError("pyewf (libewf-python) is not installed in this environment")
    if b"libz." in Path(spec.origin).read_bytes():
        return "zlib build"
    return "PyPI build without zlib (installer/build_libewf_wheel.py --install makes a faster one)"


def pair(source: Path, destination: str) -> str:
    """PyInstaller's SOURCE<sep>DEST (os.pathsep is accepted on every platform)."""
    return f"{source}{os.pathsep}{destination}"


def data_options(qm_files: Sequence[Path], libmagic: Path, magic_db: Path) -> list[str]:
    options = []
    for relative in DATA:
        options += ["--add-data", pair(REPO / relative, relative)]
    for qm in qm_files:
        options += ["--add-data", pair(qm, "resources/translations")]
    options += ["--add-binary", pair(libmagic, ".")]
    options += ["--add-data", pair(magic_db, "libmagic")]
    return options


def app_version() -> str:
    sys.path.insert(0, str(REPO))
    from triage_app import __version__

    return __version__


def report_libraries() -> list[str]:
    """The installed dists whose versions the report states (report/model.py LIBRARIES):
    it reads them with importlib.metadata, so their metadata must ship too."""
    sys.path.insert(0, str(REPO))
    from triage_app.report.model import LIBRARIES

    found = []
    for name in LIBRARIES:
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # the report says "not installed", as it would from source
        found.append(name)
    return found


def module_options() -> list[str]:
    options = ["--paths", str(REPO)]
    for dist in report_libraries():
        options += ["--copy-metadata", dist]
    for package in COLLECT:
        options += ["--collect-submodules", package]
    optional = [m for m in OPTIONAL_HIDDEN if importlib.util.find_spec(m) is not None]
    for module in (*HIDDEN, *optional):
        options += ["--hidden-import", module]
    for module in EXCLUDE:
        options += ["--exclude-module", module]
    return options


def pyinstaller_command(dist: Path, work: Path, data: list[str]) -> list[str]:
    command = [sys.executable, "-m", "PyInstaller", *FLAGS, f"--name={NAME}"]
    command += [f"--distpath={dist}", f"--workpath={work / 'pyinstaller'}", f"--specpath={work}"]
    if sys.platform == "win32":
        # A console app (the CLI prints), whose console window is hidden when Explorer or
        # the Start-menu shortcut started it, and kept when started from a terminal.
        command += ["--hide-console", "hide-early"]
    command += ["--runtime-hook", str(RUNTIME_HOOK)]
    return [*command, *module_options(), *data, str(ENTRY)]


def run_pyinstaller(command: list[str]) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        raise BuildError("PyInstaller is not installed: pip install -e '.[test]' (or pyinstaller)")
    log("running PyInstaller (about a minute)")
    result = subprocess.run(command, cwd=REPO, check=False)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed with exit status {result.returncode}")


def sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_sums(bundle: Path) -> Path:
    """SHA256SUMS: one `<sha256>  <path>` line per file (POSIX paths, sorted), LF endings.
    The symbolic links PyInstaller makes between Qt libraries are listed with the content
    they point to, as `sha256sum -c` reads them."""
    target = bundle / SUMS
    target.unlink(missing_ok=True)
    files = sorted((p.relative_to(bundle).as_posix(), p) for p in bundle.rglob("*") if p.is_file())
    lines = [f"{sha256(path)}  {relative}\n" for relative, path in files]
    target.write_bytes("".join(lines).encode("utf-8"))
    return target


def disk_size(bundle: Path) -> int:
    """Bytes of the bundle's regular files (a symbolic link takes no space of its own)."""
    return sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())


def report(bundle: Path, sums: Path, seconds: float) -> None:
    listing = sums.read_text(encoding="utf-8")
    sys.stdout.write(listing)
    print(f"{SUMS} sha256 (bundle digest): {sha256(sums)}")
    files, size = len(listing.splitlines()), disk_size(bundle)
    print(f"bundle: {bundle} ({files} files, {size / MIB:.1f} MiB)")
    print(f"build time: {seconds:.1f} s")
    if sys.platform == "win32":
        print(f"next: iscc /DAppVersion={app_version()} /DBundleDir={bundle} installer\\qarina.iss")


def build(args: argparse.Namespace) -> Path:
    started = time.monotonic()
    dist: Path = args.dist.resolve()
    work: Path = args.work.resolve()
    for mine in ("qm", "pyinstaller"):
        shutil.rmtree(work / mine, ignore_errors=True)
    qm_files = compile_translations(work / "qm")
    libmagic, magic_db = find_libmagic(args.libmagic), find_magic_db(args.magic_db)
    log(f"libmagic {libmagic}, database {magic_db}")
    log(f"pyewf: {describe_pyewf()}")
    data = data_options(qm_files, libmagic, magic_db)
    run_pyinstaller(pyinstaller_command(dist, work, data))
    bundle = dist / NAME
    executable = bundle / (NAME + (".exe" if sys.platform == "win32" else ""))
    if not executable.is_file():
        raise BuildError(f"PyInstaller did not produce {executable}")
    report(bundle, write_sums(bundle), time.monotonic() - started)
    return bundle


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Build the offline one-folder Qarina app with PyInstaller: "
        "DIST/qarina/qarina (qarina.exe on Windows), with SHA256SUMS.",
        epilog="See installer/README.md.",
    )
    parser.add_argument(
        "--dist",
        type=Path,
        default=REPO / "dist",
        help="output folder; the app goes to DIST/qarina (default: ./dist)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=REPO / "build" / "installer",
        help="scratch folder (default: ./build/installer)",
    )
    parser.add_argument(
        "--libmagic",
        type=Path,
        help="libmagic shared library to bundle (default on Linux: the "
        "system's libmagic.so.1; required on Windows)",
    )
    parser.add_argument(
        "--magic-db",
        type=Path,
        help="magic.mgc matching that library (default on Linux: "
        "/usr/lib/file/magic.mgc or /usr/share/misc/magic.mgc)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        build(parse_args(argv))
    except BuildError as exc:
        sys.exit(f"error: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
