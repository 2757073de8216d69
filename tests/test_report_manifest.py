"""Report manifest: SHA256SUMS checked by the real `sha256sum -c`, tamper detection naming the
file, awkward names (spaces, Arabic, backslash, newline, carriage return, RTL override),
refusal of links and special files, and byte-for-byte reproducibility."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from triage_app.report.manifest import (
    MANIFEST,
    SUMS,
    ManifestError,
    printable,
    sums_line,
    verify_report,
    write_manifest,
)

SHA256SUM = shutil.which("sha256sum")
needs_sha256sum = pytest.mark.skipif(SHA256SUM is None, reason="sha256sum not installed")

FILES: dict[str, bytes] = {
    "index.html": b"<!doctype html><title>report</title>\n",
    "assets/style.css": b"body { direction: rtl; }\n",
    "csv/messages.csv": "\ufeffid,body\n1,مرحبا\n".encode(),
    "with space.txt": b"spaces\n",
    "تقرير الرسائل.csv": "نص عربي\n".encode(),
    "photos/صورة 1.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
    "empty.txt": b"",
}
AWKWARD: dict[str, bytes] = {
    "new\nline.txt": b"newline in the name\n",
    "back\\slash.txt": b"backslash in the name\n",
    "carriage\rreturn.txt": b"CR in the name\n",
    "evil\u202egnp.exe": b"right-to-left override in the name\n",
    "sub/dir\\with\nboth": b"both\n",
}


def _info(created: str = "2024-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "tool": {"name": "qarina", "version": "0.1.0"},
        "parsers": {"android.sms": "1.0.0", "whatsapp.android": "2.1.0"},
        "rule_packs": [{"id": "ar_keywords", "sha256": "ab" * 32}],
        "evidence": [{"name": "هاتف المشتبه به.tar", "sha256": "cd" * 32}],
        "case_db_sha256": "ef" * 32,
        "created": created,
    }


def _make(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _sha256sum_check(report: Path) -> subprocess.CompletedProcess[bytes]:
    assert SHA256SUM is not None
    return subprocess.run(
        [SHA256SUM, "--strict", "-c", SUMS], cwd=report, capture_output=True, check=False
    )


@needs_sha256sum
def test_sha256sum_check_passes(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES | AWKWARD)
    digest = write_manifest(report, _info())
    assert digest == hashlib.sha256((report / MANIFEST).read_bytes()).hexdigest()
    done = _sha256sum_check(report)
    assert done.returncode == 0, done.stdout + done.stderr
    # Every report file, manifest.json included, was checked; SHA256SUMS itself is not listed.
    assert done.stdout.count(b": OK\n") == len(FILES) + len(AWKWARD) + 1
    result = verify_report(report)
    assert result.ok, result
    assert result.manifest_sha256 == digest
    assert not (result.modified or result.missing or result.added or result.problems)


@needs_sha256sum
def test_lines_match_sha256sum_output(tmp_path: Path) -> None:
    """Our escaping is byte-identical to what GNU sha256sum itself prints."""
    assert SHA256SUM is not None
    report = _make(tmp_path / "r", FILES | AWKWARD)
    write_manifest(report, _info())
    ours = (report / SUMS).read_bytes().splitlines(keepends=True)
    for line in ours:
        rel = _name_of(line)
        theirs = subprocess.run(
            [SHA256SUM, "--", rel], cwd=report, capture_output=True, check=True
        ).stdout
        assert line == theirs


def _name_of(line: bytes) -> str:
    text = line.decode().removesuffix("\n")
    if not text.startswith("\\"):
        return text[66:]
    table = {"\\\\": "\\", "\\n": "\n", "\\r": "\r"}
    name, i, raw = "", 0, text[67:]
    while i < len(raw):
        pair = raw[i : i + 2]
        if pair in table:
            name, i = name + table[pair], i + 2
        else:
            name, i = name + raw[i], i + 1
    return name


def test_sums_line_escaping() -> None:
    d = "0" * 64
    assert sums_line(d, "a b") == f"{d}  a b\n".encode()
    assert sums_line(d, "مرحبا.txt") == f"{d}  مرحبا.txt\n".encode()
    assert sums_line(d, "a\\b\nc\rd") == f"\\{d}  a\\\\b\\nc\\rd\n".encode()


def test_manifest_json_lists_files_and_info(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    write_manifest(report, _info())
    text = (report / MANIFEST).read_text(encoding="utf-8")
    assert "هاتف المشتبه به.tar" in text  # ensure_ascii=False
    assert text.endswith("}\n") and "\r" not in text
    doc = json.loads(text)
    assert doc["info"] == _info()
    listed = {f["path"]: f for f in doc["files"]}
    assert sorted(listed) == sorted(FILES)
    assert [f["path"] for f in doc["files"]] == sorted(FILES)
    for rel, data in FILES.items():
        assert listed[rel]["size"] == len(data)
        assert listed[rel]["sha256"] == hashlib.sha256(data).hexdigest()
    assert json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n" == text
    sums = (report / SUMS).read_text(encoding="utf-8").splitlines()
    paths = [line[66:] for line in sums]
    assert paths == sorted([*FILES, MANIFEST])


@pytest.mark.parametrize("rel", [*FILES, *AWKWARD, MANIFEST])
def test_one_changed_byte_is_named(tmp_path: Path, rel: str) -> None:
    report = _make(tmp_path / "r", FILES | AWKWARD)
    write_manifest(report, _info())
    path = report / rel
    data = bytearray(path.read_bytes() or b"\0")
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify_report(report)
    assert not result.ok
    assert result.modified == (rel,)
    assert result.missing == () and result.added == ()
    if SHA256SUM is not None:
        assert _sha256sum_check(report).returncode != 0


@pytest.mark.parametrize("rel", ["index.html", "تقرير الرسائل.csv", "new\nline.txt", MANIFEST])
def test_deleted_file_is_named(tmp_path: Path, rel: str) -> None:
    report = _make(tmp_path / "r", FILES | AWKWARD)
    write_manifest(report, _info())
    (report / rel).unlink()
    result = verify_report(report)
    assert not result.ok
    assert result.missing == (rel,)
    assert result.modified == () and result.added == ()
    if SHA256SUM is not None:
        assert _sha256sum_check(report).returncode != 0


@pytest.mark.parametrize("rel", ["extra.html", "assets/ملف إضافي.js", "a\nb", ".hidden"])
def test_added_file_is_named(tmp_path: Path, rel: str) -> None:
    report = _make(tmp_path / "r", FILES)
    write_manifest(report, _info())
    _make(report, {rel: b"planted"})
    result = verify_report(report)
    assert not result.ok
    assert result.added == (rel,)
    assert result.modified == () and result.missing == ()


def test_missing_sha256sums(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    digest = write_manifest(report, _info())
    (report / SUMS).unlink()
    result = verify_report(report)
    assert not result.ok
    assert SUMS in result.missing
    assert result.manifest_sha256 == digest


def test_manifest_disagreeing_with_sums_is_caught(tmp_path: Path) -> None:
    """Edit a file, then forge SHA256SUMS to match but leave manifest.json as it was."""
    report = _make(tmp_path / "r", FILES)
    write_manifest(report, _info())
    (report / "index.html").write_bytes(b"<p>forged</p>\n")
    new = hashlib.sha256(b"<p>forged</p>\n").hexdigest()
    lines = (report / SUMS).read_text(encoding="utf-8").splitlines(keepends=True)
    forged = [f"{new}  index.html\n" if line.endswith("  index.html\n") else line for line in lines]
    (report / SUMS).write_text("".join(forged), encoding="utf-8")
    result = verify_report(report)
    assert not result.ok
    assert result.modified == result.missing == result.added == ()
    assert result.problems == (f"{MANIFEST} and {SUMS} disagree on index.html",)


def test_forged_chain_changes_manifest_hash(tmp_path: Path) -> None:
    """Rewriting both files consistently passes the folder check, but the manifest hash the
    caller recorded in the audit log no longer matches."""
    report = _make(tmp_path / "r", FILES)
    recorded = write_manifest(report, _info())
    (report / "index.html").write_bytes(b"<p>forged</p>\n")
    write_manifest(report, _info())
    result = verify_report(report)
    assert result.ok
    assert result.manifest_sha256 is not None and result.manifest_sha256 != recorded


def test_malformed_and_hostile_sums_lines(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    write_manifest(report, _info())
    d = hashlib.sha256(b"x").hexdigest()
    with open(report / SUMS, "ab") as f:
        f.write(
            f"{d}  ../../etc/passwd\n{d}  /etc/passwd\nnot a line\n\\{d}  bad\\qescape\n".encode()
        )
    result = verify_report(report)
    assert not result.ok
    assert result.modified == result.missing == result.added == ()
    assert len(result.problems) == 4
    assert any("../../etc/passwd" in p for p in result.problems)


def test_symlink_refused(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    (report / "assets" / "link.css").symlink_to(outside)
    with pytest.raises(ManifestError, match=r"assets/link\.css \(symbolic link\)"):
        write_manifest(report, _info())
    assert not (report / MANIFEST).exists() and not (report / SUMS).exists()


def test_symlinked_folder_refused(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    (report / "linked").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(ManifestError, match="symbolic link"):
        write_manifest(report, _info())


def test_symlink_planted_after_signing(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    write_manifest(report, _info())
    (report / "index.html").unlink()
    (report / "index.html").symlink_to(report / "empty.txt")
    (report / "new-link").symlink_to("/etc/passwd")
    result = verify_report(report)
    assert not result.ok
    assert result.modified == ("index.html",)
    assert result.added == ("new-link",)
    assert any("symbolic link" in p for p in result.problems)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_refused(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    os.mkfifo(report / "pipe")
    with pytest.raises(ManifestError, match=r"pipe \(FIFO\)"):
        write_manifest(report, _info())


def test_report_dir_must_be_a_real_folder(tmp_path: Path) -> None:
    real = _make(tmp_path / "r", FILES)
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    with pytest.raises(ManifestError, match="not a folder"):
        write_manifest(tmp_path / "alias", _info())
    with pytest.raises(ManifestError, match="cannot open"):
        verify_report(tmp_path / "nowhere")


def test_info_must_be_plain_json(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    with pytest.raises(ManifestError, match="plain JSON"):
        write_manifest(report, {"created": object()})
    with pytest.raises(ManifestError, match="plain JSON"):
        write_manifest(report, {"ratio": float("nan")})
    assert not (report / MANIFEST).exists()


def test_deterministic_apart_from_created(tmp_path: Path) -> None:
    one = _make(tmp_path / "one", FILES | AWKWARD)
    two = _make(tmp_path / "two", dict(reversed(list((FILES | AWKWARD).items()))))
    write_manifest(one, _info("2024-01-01T00:00:00Z"))
    write_manifest(two, _info("2025-06-30T12:34:56Z"))
    m1 = json.loads((one / MANIFEST).read_bytes())
    m2 = json.loads((two / MANIFEST).read_bytes())
    assert m1["info"].pop("created") != m2["info"].pop("created")
    assert m1 == m2
    # Same created time: byte-identical manifest.json and SHA256SUMS, even signed twice.
    write_manifest(two, _info("2024-01-01T00:00:00Z"))
    assert (one / MANIFEST).read_bytes() == (two / MANIFEST).read_bytes()
    assert (one / SUMS).read_bytes() == (two / SUMS).read_bytes()
    first = (one / SUMS).read_bytes()
    write_manifest(one, _info("2024-01-01T00:00:00Z"))
    assert (one / SUMS).read_bytes() == first


def test_resigning_leaves_no_temporary_files(tmp_path: Path) -> None:
    report = _make(tmp_path / "r", FILES)
    write_manifest(report, _info())
    write_manifest(report, _info())
    assert sorted(p.name for p in report.iterdir() if p.name.startswith(".")) == []
    assert verify_report(report).ok


def test_printable_escapes_controls_keeps_arabic() -> None:
    assert printable("تقرير الرسائل.csv") == "تقرير الرسائل.csv"
    assert printable("evil\u202egnp.exe") == "evil\\u202egnp.exe"
    assert printable("a\nb\x1b[31m") == "a\\x0ab\\x1b[31m"
