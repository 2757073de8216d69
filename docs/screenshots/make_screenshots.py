#!/usr/bin/env python3
"""Rebuild the screenshots in this folder: every view of the desktop app, in English and
Arabic, at 1366×768, on a small generated case.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_screenshots.py [--work DIR]

The evidence is generated with the test suite's own fixture (two Android extractions with SMS
in Arabic and French and shared numbers, a keyword-bearing note) plus photos carrying GPS positions
along the central Mediterranean route (Sabratha, Zuwara, at sea, Lampedusa); nothing in it
is about a real person. Each picture is `qarina gui CASE --screenshot FILE --view NAME
--lang LANG`, the command trainers use for handouts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

VIEWS = ("messages", "contacts", "calls", "web", "photos", "map", "keywords", "links", "files",
         "timeline", "coverage", "audit")  # fmt: skip
ROUTE = (("sabratha", 32.79, 12.48), ("zuwara", 32.93, 12.08), ("at-sea", 34.2, 12.3),
         ("lampedusa", 35.50, 12.60))  # fmt: skip


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    degrees = int(abs(value))
    minutes = int((abs(value) - degrees) * 60)
    seconds = round(((abs(value) - degrees) * 60 - minutes) * 60 * 100)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds, 100)


def photos(folder: Path) -> None:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for number, (name, lat, lon) in enumerate(ROUTE):
        image = Image.new("RGB", (640, 480), (40 + 50 * number, 90, 160 - 30 * number))
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "Samsung", "SM-A135F"  # make, model
        exif[0x0132] = f"2024:05:0{number + 1} 0{number + 2}:15:00"
        exif[0x8825] = {1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)}
        image.save(folder / f"IMG_2024050{number + 1}_{name}.jpg", exif=exif)


def build_case(work: Path) -> Path:
    from fixtures_android import make_android_extraction

    from triage_app.core.engine import scan

    shutil.rmtree(work, ignore_errors=True)
    phone = make_android_extraction(work / "phone")
    photos(phone / "sdcard" / "DCIM" / "Camera")
    second = make_android_extraction(work / "phone-2")  # shares numbers: Identifiers & links
    case = work / "case"
    summary = scan(case, [phone, second])
    if summary.status != "ok":
        raise SystemExit(f"scan failed: {summary.errors}")
    qarina = [sys.executable, "-m", "triage_app.cli"]
    subprocess.run([*qarina, "case-info", "--case", str(case), "--case-number", "LY-2026/031",
                    "--agency", "Training unit"], check=True, capture_output=True)  # fmt: skip
    subprocess.run([*qarina, "tag", "--case", str(case), "rec:11", "--tag", "suspect",
                    "--note", "announces the boat"], check=True, capture_output=True)  # fmt: skip
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/qarina-screenshots"))
    args = parser.parse_args()
    case = build_case(args.work)
    for lang in ("en", "ar"):
        for view in VIEWS:
            out = HERE / f"{view}-{lang}.png"
            subprocess.run(
                [sys.executable, "-m", "triage_app.cli", "gui", str(case), "--lang", lang,
                 "--view", view, "--screenshot", str(out)],
                check=True, capture_output=True,
            )  # fmt: skip
            print(out.relative_to(ROOT))


if __name__ == "__main__":
    main()
