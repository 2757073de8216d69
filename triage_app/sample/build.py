"""Write the workshop sample: three seized devices and the answer key, in one folder.

    DIR/android-karim.zip     Karim's Android phone, a file-system extraction
    DIR/iphone-abuyasin/      Abu Yasin's iPhone, an iTunes-style backup
    DIR/laptop-tarek.E01      Tarek's laptop, an E01 image (GPT: FAT32 + ext4)
    DIR/expected.json         the answer key (`answers.py`)
    DIR/README.txt            what this is

The folder is written under a temporary name and renamed when complete, so a sample folder
that exists is whole (`qarina demo` caches it). Everything is deterministic: the same
Qarina version writes the same bytes (SQLite and Pillow versions aside).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from . import scenario

SAMPLE_VERSION = "1"  # bump when the story or a builder changes what the devices hold
EVIDENCE = {
    "android": "android-karim.zip",
    "iphone": "iphone-abuyasin",
    "laptop": "laptop-tarek.E01",
}
EXPECTED = "expected.json"
README = """Qarina workshop sample (version {version}, Qarina {qarina})

A FICTIONAL case made up for training: no person, phone number, account or place visit in
it is real. Three seized devices of a smuggling network on the Central Mediterranean route:

  android-karim.zip    Karim's Android phone (file-system extraction)
  iphone-abuyasin/     Abu Yasin's iPhone (iTunes-style backup, not encrypted)
  laptop-tarek.E01     Tarek's laptop (E01 image: GPT disk, FAT32 and ext4 partitions)

expected.json is the answer key: what a complete scan finds. Exercises: docs/TRAINING.md.
Rebuild it any time with `qarina sample --out DIR` (same bytes every time).
"""


@dataclass(frozen=True)
class Sample:
    folder: Path
    evidence: dict[str, Path]  # device key → what to give `qarina scan`
    expected: Path


def sample_at(folder: Path) -> Sample:
    return Sample(
        folder,
        {key: folder / name for key, name in EVIDENCE.items()},
        folder / EXPECTED,
    )


def build_sample(out: Path, say: Callable[[str], None] = lambda _: None) -> Sample:
    """Write the sample into `out` (which must not exist yet)."""
    from .android import build_android
    from .answers import answer_key
    from .iphone import build_iphone
    from .laptop import build_laptop

    out = out.absolute()
    if out.exists():
        raise FileExistsError(f"{out} exists: choose a new folder")
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    target = sample_at(partial)
    say("Karim's Android phone…")
    build_android(scenario.ANDROID, target.evidence["android"])
    say("Abu Yasin's iPhone…")
    build_iphone(scenario.IPHONE, target.evidence["iphone"])
    say("Tarek's laptop (disk image)…")
    build_laptop(scenario.LAPTOP, target.evidence["laptop"], partial / ".work")
    shutil.rmtree(partial / ".work", ignore_errors=True)
    key = answer_key()
    target.expected.write_text(
        json.dumps(key, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    (partial / "README.txt").write_text(
        README.format(version=SAMPLE_VERSION, qarina=__version__), encoding="utf-8"
    )
    partial.rename(out)
    return sample_at(out)
