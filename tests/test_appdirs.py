"""Where Qarina keeps its own files: the user's folders, or `data/` beside a frozen program
that has the portable marker (a USB stick)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from triage_app.core import appdirs


def test_user_folders_when_not_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", False, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert appdirs.portable_dir() is None
    assert appdirs.data_dir("sample") == tmp_path / "data" / "qarina" / "sample"
    assert appdirs.cache_dir("rules") == tmp_path / "cache" / "qarina" / "rules"


def test_windows_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", False, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert appdirs.data_dir("x") == tmp_path / "Qarina" / "x"
    assert appdirs.cache_dir("rules") == tmp_path / "Qarina" / "cache" / "rules"


def test_portable_beside_the_frozen_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "stick" / "qarina" / "qarina.exe"
    program.parent.mkdir(parents=True)
    program.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    assert appdirs.portable_dir() is None  # no marker: an installed app
    (program.parent / appdirs.PORTABLE_MARKER).write_text("", encoding="utf-8")
    data = program.parent.resolve() / "data"
    assert appdirs.portable_dir() == data
    assert appdirs.data_dir("sample-v1") == data / "sample-v1"
    assert appdirs.cache_dir("rules") == data / "cache" / "rules"
