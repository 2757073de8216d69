#!/usr/bin/env python3
"""Rebuild the screenshots in this folder: every view of the desktop app, in English, French
and Arabic, at 1366×768, on the workshop sample (`qarina sample`).

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_screenshots.py [--work DIR]

The sample is the fictional smuggling case trainers use (three seized devices: an Android
extraction, an iPhone backup, a laptop E01; docs/TRAINING.md); nothing in it is about a real
person. One message is tagged `suspect` with a note, as an examiner would. Each picture is
`qarina gui CASE --screenshot FILE --view NAME --lang LANG`, the command trainers use for
handouts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

VIEWS = ("messages", "contacts", "calls", "web", "photos", "map", "keywords", "links", "files",
         "timeline", "coverage", "audit")  # fmt: skip
LANGS = ("en", "fr", "ar")


def build_case(work: Path) -> Path:
    from triage_app.core.casedb import connect
    from triage_app.core.engine import scan
    from triage_app.sample import demo
    from triage_app.sample.build import build_sample

    shutil.rmtree(work, ignore_errors=True)
    sample = build_sample(work / "sample")
    case = work / "case"
    summary = scan(case, list(sample.evidence.values()), demo.OPTIONS)
    if summary.status != "ok":
        raise SystemExit(f"scan failed: {summary.status}")
    conn = connect(case / "case.sqlite", readonly=True)
    boat = conn.execute(
        "SELECT id FROM artifacts WHERE kind = 'message' AND data LIKE '%القارب جاهز%' LIMIT 1"
    ).fetchone()[0]
    conn.close()
    qarina = [sys.executable, "-m", "triage_app.cli"]
    subprocess.run([*qarina, "case-info", "--case", str(case), "--agency", "Training unit"],
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run([*qarina, "tag", "--case", str(case), f"rec:{boat}", "--tag", "suspect",
                    "--note", "announces the boat"], check=True, capture_output=True)  # fmt: skip
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/qarina-screenshots"))
    args = parser.parse_args()
    case = build_case(args.work)
    for lang in LANGS:
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
