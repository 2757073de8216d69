"""The distribution works as a non-editable install, and every parser is registered."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import parsers

ROOT = Path(__file__).resolve().parents[1]


def test_every_parser_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(parsers.__path__)}
    registered = {cls.__module__.rsplit(".", 1)[-1] for cls in parsers.PARSERS}
    assert modules == registered
    for cls in parsers.PARSERS:
        assert cls.name == cls.__module__.rsplit(".", 1)[-1]
        assert cls.version and cls.kinds
        assert sys.modules[cls.__module__].__doc__, f"{cls.__module__} needs a docstring"


@pytest.mark.slow
def test_wheel_contains_packages_and_data(tmp_path: Path) -> None:
    # Build from a clean copy so the check sees only what the sources declare.
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__"),
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    wheel = next(tmp_path.glob("qarina-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "triage_app/cli.py",
        "triage_app/core/engine.py",
        "parsers/android_sms.py",
        "rules/README.md",
        "rules/packs/smuggling_ar/manifest.json",
        "rules/packs/smuggling_ar/keywords.txt",
        "rules/packs/patterns/patterns.yar",
        "resources/README.md",
        "resources/fonts/NotoNaskhArabic-Regular.ttf",
        "resources/fonts/OFL.txt",
        "resources/redaction/victims.json",
        "resources/report_i18n/ar/html.json",
        "resources/report_i18n/fr/pdf.json",
        "triage_app/report/templates/html/base.j2",
        "triage_app/report/templates/report.css",
    ):
        assert expected in names, expected
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "qarina = triage_app.cli:main" in text
