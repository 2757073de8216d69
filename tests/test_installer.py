"""The offline installer (installer/): the Linux PyInstaller bundle builds, lists the SHA-256
of every file, and works with no network in a fresh folder — `--version`, a scan, a report
(spawn worker pool, fonts, templates) and the GUI screenshot in Arabic; the wheelhouse script
and the Inno Setup script say what they must.

The bundle is built once for the module (about 45 s). The network is taken away with a new
network namespace (`unshare -rn`, or `unshare -n` as root); where neither works the tests that
need it skip, naming why. PYTHONTZPATH is empty in every frozen run, so time zones can only
come from the bundled tzdata, as on Windows.
"""

from __future__ import annotations

import bz2
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures_android import MESSAGES, make_android_extraction
from PIL import Image

from triage_app import __version__

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "installer"
TIMEOUT = 300  # a frozen app that re-spawns itself endlessly must fail, not hang CI
ARCHIVE = b"ledger 2024: 1500 EUR\n" * 200  # bzip2: only libmagic names it (filetype.py)


@dataclass(frozen=True)
class Bundle:
    folder: Path
    printed: str  # build.py's standard output


@dataclass(frozen=True)
class Place:
    """A fresh folder outside the repository, with its own HOME, where the commands run."""

    root: Path
    offline: tuple[str, ...]  # command prefix that takes the network away
    exe: Path

    def env(self) -> dict[str, str]:
        home = self.root / "home"
        return {
            "PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
            "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local"), "QT_QPA_PLATFORM": "offscreen",
            "PYTHONTZPATH": "",
        }  # fmt: skip

    def frozen(
        self, *args: str, prefix: tuple[str, ...] | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = [*(self.offline if prefix is None else prefix), str(self.exe), *args]
        return self._run(command, self.env())

    def source(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The same command from the source tree, for comparison."""
        env = dict(self.env(), PYTHONPATH=str(ROOT))
        return self._run([sys.executable, "-m", "triage_app.cli", *args], env)

    def _run(self, command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=self.root, env=env, capture_output=True, text=True,
            timeout=TIMEOUT, check=False,
        )  # fmt: skip


def _no_network(prefix: list[str]) -> bool:
    """True when `prefix` runs a command whose only network interface is loopback."""
    probe = "import socket; print([n for _, n in socket.if_nameindex()])"
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == "['lo']"


def _load_script(path: Path) -> types.ModuleType:
    """Import a script that has no .py suffix (installer/wheelhouse)."""
    loader = importlib.machinery.SourceFileLoader(path.name, str(path))
    spec = importlib.util.spec_from_loader(path.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundle test builds the Linux bundle")
    if importlib.util.find_spec("PyInstaller") is None:
        if os.environ.get("CI"):
            pytest.fail("PyInstaller is missing: it is in the [test] extra of pyproject.toml")
        pytest.skip("PyInstaller not installed: pip install -e '.[test]'")
    out = tmp_path_factory.mktemp("installer")
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "build.py"), "--dist", str(out / "dist"),
         "--work", str(out / "work")],
        capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return Bundle(out / "dist" / "qarina", result.stdout)


@pytest.fixture(scope="module")
def place(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Place:
    offline = next((p for p in (["unshare", "-rn"], ["unshare", "-n"]) if _no_network(p)), None)
    if offline is None:
        pytest.skip("cannot take the network away: `unshare -rn` and `unshare -n` both fail")
    root = tmp_path_factory.mktemp("fresh")
    evidence = make_android_extraction(root / "evidence")
    (evidence / "sdcard" / "Download" / "archive.bin").write_bytes(bz2.compress(ARCHIVE))
    return Place(root, tuple(offline), bundle.folder / "qarina")


@pytest.fixture(scope="module")
def scanned(place: Place) -> subprocess.CompletedProcess[str]:
    return place.frozen("scan", "evidence", "--case", "case", "--tz", "Africa/Tripoli", "-q")


@pytest.fixture(scope="module")
def reported(place: Place, scanned: subprocess.CompletedProcess[str]) -> Path:
    assert scanned.returncode == 0, scanned.stderr
    result = place.frozen("report", "--case", "case", "--out", "report", "--format", "html,pdf,csv")
    assert result.returncode == 0, result.stdout + result.stderr
    return place.root / "report"


def _mime_of(place: Place, case: str, name: str) -> str:
    result = place.frozen("export", "--case", case, "--kind", "file")
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    return next(str(r["mime"]) for r in found if r["name"] == name)


@pytest.mark.slow
def test_build_lists_the_sha256_of_every_file(bundle: Bundle) -> None:
    sums = (bundle.folder / "SHA256SUMS").read_text(encoding="utf-8")
    listed = {path: digest for digest, path in (ln.split("  ", 1) for ln in sums.splitlines())}
    on_disk = {
        p.relative_to(bundle.folder).as_posix(): p
        for p in bundle.folder.rglob("*")
        if p.is_file() and p != bundle.folder / "SHA256SUMS"
    }
    assert set(listed) == set(on_disk)
    assert list(listed) == sorted(listed)
    for relative, path in on_disk.items():
        assert listed[relative] == hashlib.sha256(path.read_bytes()).hexdigest(), relative
    assert sums in bundle.printed
    digest = hashlib.sha256(sums.encode()).hexdigest()
    assert f"SHA256SUMS sha256 (bundle digest): {digest}" in bundle.printed


@pytest.mark.slow
def test_bundle_holds_qt_plugins_data_and_libmagic(bundle: Bundle) -> None:
    inside = bundle.folder / "_internal"
    for relative in (
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/translations/qtbase_ar.qm",
        "PySide6/Qt/translations/qtbase_fr.qm",
        "resources/translations/qarina_ar.qm",
        "resources/translations/qarina_fr.qm",
        "resources/fonts/NotoNaskhArabic-Regular.ttf",
        "resources/redaction/victims.json",
        "resources/report_i18n/ar/pdf.json",
        "resources/map/world-110m.json",
        "rules/packs/smuggling_ar/manifest.json",
        "triage_app/report/templates/html/base.j2",
        "tzdata/zoneinfo/Africa/Tripoli",
        "libmagic.so.1",
        "libmagic/magic.mgc",
    ):
        assert (inside / relative).is_file(), relative
    assert list(inside.glob("pytsk3*.so")) and list(inside.glob("pyewf*.so"))
    assert list(inside.glob("yara*.so"))


@pytest.mark.slow
def test_version_offline(place: Place) -> None:
    result = place.frozen("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"qarina, version {__version__}\n"


@pytest.mark.slow
def test_scan_offline_with_bundled_tzdata_and_libmagic(
    place: Place, scanned: subprocess.CompletedProcess[str]
) -> None:
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr
    result = place.frozen("export", "--case", "case", "--kind", "message")
    bodies = [json.loads(line)["body"] for line in result.stdout.splitlines()]
    assert sorted(bodies) == sorted(body for *_, body in MESSAGES)
    assert _mime_of(place, "case", "archive.bin") == "application/x-bzip2"


@pytest.mark.slow
def test_scan_uses_the_bundled_magic_database(place: Place) -> None:
    """With the host's magic database hidden (a tmpfs over /usr/lib/file in a private mount
    namespace), libmagic still names bzip2: it reads the bundle's magic.mgc."""
    hidden = Path("/usr/lib/file")
    if not hidden.is_dir():
        pytest.skip("no /usr/lib/file on this host to hide")
    mount = f'mount -t tmpfs tmpfs {hidden} && exec "$@"'
    prefixes = (["unshare", "-rnm"], ["unshare", "-nm"])
    prefix = next((p for p in prefixes if _no_network([*p, "sh", "-c", mount, "sh"])), None)
    if prefix is None:
        pytest.skip("cannot hide /usr/lib/file: no private mount namespace here")
    hide = (*prefix, "sh", "-c", mount, "sh")
    control = shutil.which("file")
    if control is not None:
        path = str(place.root / "evidence" / "sdcard" / "Download" / "archive.bin")
        seen = subprocess.run([*hide, control, "-b", "--mime-type", path], capture_output=True)
        assert b"bzip2" not in seen.stdout  # the host's database is out of reach
    result = place.frozen("scan", "evidence", "--case", "case-hidden", "-q", prefix=hide)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _mime_of(place, "case-hidden", "archive.bin") == "application/x-bzip2"


@pytest.mark.slow
def test_report_offline_matches_the_source_install(place: Place, reported: Path) -> None:
    assert place.frozen("verify", "report").returncode == 0
    pdf = (reported / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"/BaseFont /NotoNaskhArabic-Regular" in pdf
    versions = (reported / "pages" / "versions.html").read_text(encoding="utf-8")
    for name in ("PySide6-Essentials", "pytsk3", "yara-python", "tzdata"):
        assert re.search(rf"{name}</td>\s*<td[^>]*>\d", versions), name
    source = place.source("report", "--case", "case", "--out", "report-source",
                          "--format", "html,pdf,csv")  # fmt: skip
    assert source.returncode == 0, source.stderr
    # Every file the same bytes, the PDF included (its fonts are loaded from bytes, so their
    # embedding order does not depend on the install folder); the manifest names the tool's
    # own location and is left out.
    skip = ("manifest.json",)
    frozen_sums, source_sums = (
        [ln for ln in (place.root / d / "SHA256SUMS").read_text().splitlines()
         if not ln.endswith(skip)]
        for d in ("report", "report-source")
    )  # fmt: skip
    assert frozen_sums == source_sums


@pytest.mark.slow
def test_gui_screenshot_offline_in_arabic(
    place: Place, scanned: subprocess.CompletedProcess[str]
) -> None:
    assert scanned.returncode == 0
    args = ("gui", "case", "--screenshot", "frozen.png", "--view", "messages", "--lang", "ar")
    result = place.frozen(*args)
    assert result.returncode == 0, result.stderr
    assert "stays in English" not in result.stderr
    # The bundle's compiled .qm was loaded: nothing was compiled into the user's cache.
    assert not (place.root / "home" / ".cache" / "qarina" / "translations").exists()
    with Image.open(place.root / "frozen.png") as shot:
        assert shot.size == (1366, 768)
        pixels = shot.convert("RGB").tobytes()
    source = place.source(*args[:3], "source.png", *args[4:])
    assert source.returncode == 0, source.stderr
    with Image.open(place.root / "source.png") as shot:
        assert shot.convert("RGB").tobytes() == pixels


def test_wheelhouse_help_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "wheelhouse"), "--help"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    assert "--libewf-wheel" in result.stdout and "--no-index --find-links" in result.stdout


def test_wheelhouse_plan_follows_pyproject(tmp_path: Path) -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        wanted = tomllib.load(handle)["project"]["dependencies"]
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "wheelhouse"), "--dry-run", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "requirements (pyproject.toml): " + ", ".join(wanted)
    assert lines[1] == "pins: PySide6-Essentials==6.11.3"
    windows, linux, own = lines[2:5]
    common = "--only-binary=:all:", "--python-version 3.11", "--implementation cp", "--abi cp311"
    for command in (windows, linux):
        assert all(part in command for part in common)
    assert "--platform win_amd64" in windows and "manylinux" not in windows
    assert "--platform manylinux_2_36_x86_64" in linux
    assert "--platform manylinux_2_17_x86_64" in linux and "win_amd64" not in linux
    assert "pip wheel --no-deps" in own
    assert not any(tmp_path.iterdir())  # a dry run downloads nothing


def test_wheelhouse_puts_the_zlib_libewf_in_place_of_pypis(tmp_path: Path) -> None:
    wheelhouse = _load_script(INSTALLER / "wheelhouse")
    out = tmp_path / "wheels"
    out.mkdir()
    pypi_linux = "libewf_python-20260924-cp311-cp311-manylinux_2_28_x86_64.whl"
    pypi_windows = "libewf_python-20260924-cp311-cp311-win_amd64.whl"
    for name in (pypi_linux, pypi_windows):
        (out / name).write_bytes(b"PyPI")
    wrong = tmp_path / "libewf_python-20250101-cp311-cp311-linux_x86_64.whl"
    wrong.write_bytes(b"zlib")
    with pytest.raises(wheelhouse.WheelhouseError, match="pip chose"):
        wheelhouse.use_libewf_wheel(out, wrong)
    zlib = tmp_path / "libewf_python-20260924-cp311-cp311-linux_x86_64.whl"
    zlib.write_bytes(b"zlib")
    wheelhouse.use_libewf_wheel(out, zlib)
    assert sorted(p.name for p in out.iterdir()) == sorted([zlib.name, pypi_windows])


def test_inno_setup_script_is_per_user_with_a_fixed_app_id() -> None:
    text = (INSTALLER / "qarina.iss").read_text(encoding="utf-8")
    guid = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
    assert re.search(rf"^AppId=\{{\{{{guid}\}}$", text, re.MULTILINE)
    assert re.search(r"^PrivilegesRequired=lowest$", text, re.MULTILINE)
    assert re.search(r"^DefaultDirName=\{userpf\}\\", text, re.MULTILINE)
    for lang in ("Default.isl", r"Languages\French.isl", r"Languages\Arabic.isl"):
        assert f'MessagesFile: "compiler:{lang}"' in text
    assert 'Source: "{#BundleDir}\\*"' in text and "recursesubdirs" in text
    assert re.search(r'^Name: "\{group\}\\', text, re.MULTILINE)


@pytest.mark.slow
def test_portable_demo_offline(place: Place, bundle: Bundle) -> None:
    """On a USB stick: with the marker beside the program, `qarina demo --headless` builds,
    scans and reports the workshop sample with no network, keeps everything in `data/` beside
    the program and leaves nothing in the user's folders; the scan matches the answer key."""
    from triage_app.core.appdirs import PORTABLE_MARKER

    home = place.root / "home"

    def in_home() -> dict[Path, int]:  # other tests of the module run installed, not portable
        return {p: p.stat().st_mtime_ns for p in home.rglob("*")} if home.exists() else {}

    before = in_home()
    marker = bundle.folder / PORTABLE_MARKER
    marker.write_text("Qarina keeps its data beside this file.\n", encoding="utf-8")
    try:
        result = place.frozen("demo", "--headless")
    finally:
        marker.unlink()
    data = bundle.folder / "data"
    try:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "The scan matches the answer key" in result.stdout
        assert (data / "sample-v1" / "evidence" / "expected.json").is_file()
        assert (data / "sample-v1" / "case" / "case.sqlite").is_file()
        assert in_home() == before  # nothing written to the user's folders
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_wheelhouse_evaluates_markers_per_platform() -> None:
    """pip would evaluate a marker for the machine that downloads: each platform's list has
    the dependencies whose marker holds for it, without the marker."""
    wheelhouse = _load_script(INSTALLER / "wheelhouse")
    wanted = ["click>=8.1", "a>=1; sys_platform == 'win32'", "b; platform_machine == 'x86_64'"]
    assert wheelhouse.for_platform(wanted, "windows") == ["click>=8.1", "a>=1"]
    assert wheelhouse.for_platform(wanted, "linux") == ["click>=8.1", "b"]
    project = wheelhouse.requirements(ROOT / "pyproject.toml")
    for name in ("windows", "linux"):
        assert any(r.startswith("sqlcipher3") for r in wheelhouse.for_platform(project, name))
