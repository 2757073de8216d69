"""Where `qarina demo` and the start screen's "workshop sample" button keep the sample, its
case and the mark of a completed scan (Qarina's data folder, see `core/appdirs.py`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.appdirs import data_dir
from ..core.models import ScanOptions
from .build import SAMPLE_VERSION, Sample, build_sample, sample_at

SCANNED = "scanned.ok"  # written beside the demo case once a scan of the sample completed
OPTIONS = ScanOptions(examiner="Workshop trainee", case_number="SAMPLE-2024-05",
                      timezone="Africa/Tripoli")  # fmt: skip


def folder() -> Path:
    return data_dir(f"sample-v{SAMPLE_VERSION}")


def case_dir() -> Path:
    return folder() / "case"


def scanned() -> bool:
    return (folder() / SCANNED).is_file()


def mark_scanned() -> None:
    (folder() / SCANNED).write_text("ok\n", encoding="utf-8")


def ready_sample(say: Callable[[str], None] = lambda _: None) -> Sample:
    """The sample's evidence, built the first time."""
    evidence = folder() / "evidence"
    if (evidence / "expected.json").is_file():
        return sample_at(evidence)
    say(f"Building the workshop sample in {evidence} (once)…")
    return build_sample(evidence, say=lambda text: say(f"  {text}"))
