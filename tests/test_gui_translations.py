"""The Arabic and French interface translations (resources/translations/qarina_<lang>.ts).

Every message is translated, keeps the placeholders and the menu mnemonic of its source,
compiles with lrelease, and no tr() text of the GUI code is missing from the .ts files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "resources" / "translations"
GUI_DIR = ROOT / "triage_app" / "gui"
LANGS = ("ar", "fr")
NUMERUS_FORMS = {"ar": 6, "fr": 2}
PLACEHOLDER = re.compile(r"%(?:[1-9]|n)")
MNEMONIC = re.compile(r"&(?=[^&\s])")  # "&&" is a literal ampersand, "& " is plain text


def ts_path(lang: str) -> Path:
    return TS_DIR / f"qarina_{lang}.ts"


def messages(path: Path) -> list[tuple[str, ET.Element]]:
    """(context name, <message>) for every message of a .ts file."""
    root = ET.parse(path).getroot()
    return [
        (context.findtext("name") or "", message)
        for context in root.iter("context")
        for message in context.iter("message")
    ]


def texts(message: ET.Element) -> list[str]:
    """The translation text(s) of a message: one, or one per numerus form."""
    translation = message.find("translation")
    assert translation is not None
    if message.get("numerus") == "yes":
        return [form.text or "" for form in translation.iter("numerusform")]
    return [translation.text or ""]


def lrelease() -> Path | None:
    import PySide6

    folder = Path(PySide6.__file__).parent
    for name in ("lrelease", "lrelease.exe"):
        if (folder / name).is_file():
            return folder / name
    return None


def lupdate() -> Path | None:
    folder = Path(sys.executable).parent
    for name in ("pyside6-lupdate", "pyside6-lupdate.exe"):
        if (folder / name).is_file():
            return folder / name
    return None


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang: str) -> None:
    found = messages(ts_path(lang))
    assert found, "no messages in the .ts file"
    assert ET.parse(ts_path(lang)).getroot().get("language") == lang
    problems = []
    for context, message in found:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        if translation.get("type") in ("unfinished", "vanished", "obsolete"):
            problems.append((context, source, translation.get("type")))
            continue
        forms = texts(message)
        if message.get("numerus") == "yes" and len(forms) != NUMERUS_FORMS[lang]:
            problems.append((context, source, f"{len(forms)} numerus forms"))
        if any(not form.strip() for form in forms):
            problems.append((context, source, "empty"))
    assert problems == []


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_and_mnemonics_are_kept(lang: str) -> None:
    problems = []
    for context, message in messages(ts_path(lang)):
        source = message.findtext("source") or ""
        wanted = sorted(set(PLACEHOLDER.findall(source)))
        had_mnemonic = bool(MNEMONIC.search(source))
        for text in texts(message):
            lost = [p for p in wanted if p not in text]
            if lost:
                problems.append((context, source, text, f"lost {lost}"))
            mnemonics = len(MNEMONIC.findall(text))
            if mnemonics > 1 or bool(mnemonics) != had_mnemonic:
                problems.append((context, source, text, f"{mnemonics} mnemonic(s)"))
    assert problems == []


@pytest.mark.parametrize("lang", LANGS)
def test_lrelease_compiles(lang: str, tmp_path: Path) -> None:
    tool = lrelease()
    if tool is None:
        pytest.skip("lrelease is not in the PySide6 package folder")
    target = tmp_path / f"qarina_{lang}.qm"
    result = subprocess.run(
        [str(tool), str(ts_path(lang)), "-qm", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert target.is_file() and target.stat().st_size > 0
    assert " 0 unfinished" in output, output


@pytest.mark.parametrize("lang", LANGS)
def test_lupdate_finds_no_new_source_text(lang: str, tmp_path: Path) -> None:
    """Every tr() text of the GUI code is already in the committed .ts file."""
    tool = lupdate()
    if tool is None:
        pytest.skip("pyside6-lupdate is not next to the Python executable")
    copy = tmp_path / ts_path(lang).name
    shutil.copyfile(ts_path(lang), copy)
    before = {(context, m.findtext("source")) for context, m in messages(copy)}
    sources = sorted(str(p) for p in GUI_DIR.rglob("*.py"))
    assert sources
    result = subprocess.run(
        [str(tool), *sources, "-ts", str(copy)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    after = messages(copy)
    new = sorted(
        (context, m.findtext("source"))
        for context, m in after
        if (context, m.findtext("source")) not in before
    )
    assert new == [], "tr() texts missing from the .ts file (run lupdate and translate them)"
    unfinished = [
        (context, m.findtext("source"))
        for context, m in after
        if m.find("translation") is not None and m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert unfinished == []
