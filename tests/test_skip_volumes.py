"""Partitions the examiner leaves out of a scan: not walked, stated as skipped, audit-logged,
the image still hashed whole; a later scan without the choice reads them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import diskimages as di
import pytest
from click.testing import CliRunner

from triage_app.cli import main
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.models import ScanOptions

pytestmark = pytest.mark.skipif(
    not (di.have("mkfs.fat") and di.have("mkfs.ext4") and di.have("sfdisk")),
    reason="needs dosfstools, e2fsprogs and fdisk (Debian) to build the disk image",
)


def _files_by_volume(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("SELECT volume, count(*) FROM files GROUP BY volume")
    return {str(volume): int(n) for volume, n in rows}


def test_skipped_partition_is_stated_and_read_later(tmp_path: Path) -> None:
    disk = di.mbr_disk(tmp_path / "img", 16)
    case = tmp_path / "case"
    options = ScanOptions(skip_volumes=(("*", "p3"),), search=False)
    assert scan(case, [disk.path], options).status == "ok"
    conn = connect(case / "case.sqlite", readonly=True)
    volumes = {r["idx"]: dict(r) for r in conn.execute("SELECT * FROM volumes")}
    assert volumes["p3"]["status"] == "skipped" and "examiner" in volumes["p3"]["message"]
    assert volumes["p1"]["status"] == "ok"
    assert "p3" not in _files_by_volume(conn) and _files_by_volume(conn)["p1"] > 0
    evidence = conn.execute("SELECT sha256, walk_complete FROM evidence").fetchone()
    assert evidence["sha256"] == disk.sha256  # the whole image, skipped partition included
    assert evidence["walk_complete"] == 0  # open to a later scan of the left-out partition
    audit = [json.loads(line) for line in (case / "audit.jsonl").open(encoding="utf-8")]
    skipped = [e for e in audit if e["action"] == "volumes_skipped"]
    assert skipped and skipped[0]["details"]["volumes"] == ["p3"]
    conn.close()

    full = tmp_path / "full"
    assert scan(full, [disk.path], ScanOptions(search=False)).status == "ok"
    assert scan(case, [disk.path], ScanOptions(search=False)).status == "ok"  # without the choice
    resumed = connect(case / "case.sqlite", readonly=True)
    reference = connect(full / "case.sqlite", readonly=True)
    assert _files_by_volume(resumed) == _files_by_volume(reference)
    assert resumed.execute("SELECT walk_complete FROM evidence").fetchone()[0] == 1


def test_cli_skip_volume(tmp_path: Path) -> None:
    disk = di.mbr_disk(tmp_path / "img", 16)
    case = tmp_path / "case"
    result = CliRunner().invoke(
        main, ["scan", str(disk.path), "--case", str(case), "-q", "--no-search",
               "--skip-volume", "p2", "--skip-volume", "p9"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    conn = connect(case / "case.sqlite", readonly=True)
    status = dict(conn.execute("SELECT idx, status FROM volumes").fetchall())
    assert status["p2"] == "skipped" and status["p1"] == "ok"
    audit = (case / "audit.jsonl").read_text(encoding="utf-8")
    assert '"asked":["p2","p9"]' in audit and '"volumes":["p2"]' in audit


def test_add_evidence_dialog_lists_partitions_to_untick(tmp_path: Path, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from triage_app.core.case import Case
    from triage_app.gui.dialogs import AddEvidenceDialog

    disk = di.mbr_disk(tmp_path / "img", 16)
    Case.open(tmp_path / "case", examiner="t").close()
    dialog = AddEvidenceDialog(tmp_path / "case")
    qtbot.addWidget(dialog)
    dialog.add_paths([disk.path])
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=30_000)
    item = dialog.items.topLevelItem(0)
    assert item is not None and item.childCount() == 3
    assert dialog.skipped_volumes() == ()
    second = item.child(1)
    assert second is not None
    second.setCheckState(0, Qt.CheckState.Unchecked)
    assert dialog.skipped_volumes() == ((str(disk.path.resolve()), "p2"),)
