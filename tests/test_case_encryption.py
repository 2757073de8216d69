"""Optional encryption of the case database (core/casecrypt.py, SQLCipher via sqlcipher3).

The workshop phone is scanned twice, into a plain case and into an encrypted one: the
encrypted database holds none of the plain one's message texts in its bytes, every command
works with the passphrase (from QARINA_CASE_PASSPHRASE) and gives the same records as the
plain case, report worker processes open it too, and without the passphrase or with a wrong
one each command ends with a clear error instead of a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from triage_app.cli import main
from triage_app.core import casecrypt
from triage_app.core.casedb import DB_NAME
from triage_app.sample.build import build_sample

pytestmark = pytest.mark.skipif(
    not casecrypt.available(), reason="sqlcipher3 is not installed (no wheel for this platform)"
)
PASSPHRASE = "زوارة 2026 'quote\" café"
ENV = casecrypt.PASSPHRASE_ENV


def _qarina(args: list[str], passphrase: str | None = PASSPHRASE) -> Result:
    env = {ENV: passphrase} if passphrase is not None else {ENV: None}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("encryption")
    phone = build_sample(root / "sample").evidence["android"]
    found = {"phone": phone, "plain": root / "plain", "encrypted": root / "encrypted"}
    assert _qarina(["scan", str(phone), "--case", str(found["plain"]), "-q"]).exit_code == 0
    result = _qarina(["scan", str(phone), "--case", str(found["encrypted"]), "-q", "--encrypt"])
    assert result.exit_code == 0, result.output
    return found


def _export(case: Path) -> list[dict[str, Any]]:
    result = _qarina(["export", "--case", str(case)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_database_is_unreadable_without_the_key(cases: dict[str, Path]) -> None:
    encrypted = (cases["encrypted"] / DB_NAME).read_bytes()
    assert casecrypt.is_encrypted(cases["encrypted"] / DB_NAME)
    assert not casecrypt.is_encrypted(cases["plain"] / DB_NAME)
    texts = {r["body"] for r in _export(cases["plain"]) if len(r.get("body") or "") >= 12}
    assert len(texts) > 5
    plain = (cases["plain"] / DB_NAME).read_bytes()
    assert any(t.encode() in plain for t in texts)  # the check can see text when it is there
    assert not [t for t in texts if t.encode() in encrypted]


def test_same_records_with_the_passphrase(cases: dict[str, Path]) -> None:
    def content(rows: list[dict[str, Any]]) -> list[str]:
        return sorted(json.dumps({k: v for k, v in r.items() if k != "case"}) for r in rows)

    assert content(_export(cases["encrypted"])) == content(_export(cases["plain"]))


def test_info_verify_and_report(cases: dict[str, Path], tmp_path: Path) -> None:
    case = str(cases["encrypted"])
    assert _qarina(["info", "--case", case]).exit_code == 0
    verify = _qarina(["verify", "--case", case])
    assert verify.exit_code == 0, verify.output
    report = _qarina(["report", "--case", case, "--out", str(tmp_path / "r"), "--format",
                      "html,csv", "--no-rehash"])  # fmt: skip
    assert report.exit_code == 0, report.output
    assert (tmp_path / "r" / "manifest.json").is_file()


@pytest.mark.parametrize("passphrase", [None, "wrong"])
def test_without_the_right_passphrase_a_clear_error(
    cases: dict[str, Path], passphrase: str | None
) -> None:
    casecrypt._KEYS.clear()  # as in a new process
    result = _qarina(["info", "--case", str(cases["encrypted"])], passphrase)
    assert result.exit_code != 0
    expected = "passphrase is needed" if passphrase is None else "wrong passphrase"
    assert expected in result.output and "Traceback" not in result.output


def test_an_existing_plain_case_is_not_encrypted_later(cases: dict[str, Path]) -> None:
    result = _qarina(["scan", str(cases["phone"]), "--case", str(cases["plain"]), "--encrypt"])
    assert result.exit_code != 0
    assert "not encrypted; encryption is chosen when a case is created" in result.output


def test_gui_opens_an_encrypted_case(cases: dict[str, Path], qtbot: Any, monkeypatch: Any) -> None:
    from triage_app.gui.main_window import MainWindow

    casecrypt._KEYS.clear()
    monkeypatch.setenv(ENV, PASSPHRASE)
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_case(cases["encrypted"])
    assert window.case is not None
    window.case.close()
