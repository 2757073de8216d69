"""Backup passwords typed after the scan, for previews, thumbnails and reports.

An encrypted iTunes/Finder backup must be unlocked each time its files are read again (a hex
preview, a thumbnail, a report's thumbnails); an Android backup is unpacked once into the
case's work folder and needs its password only for that. The examiner types the password in
Case › Backup password…; it is kept in `CaseData.passwords` for this session only — never
written to the case, the settings or the audit log — and the views that read evidence try
again with it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from .casedata import CaseData
from .dialogs import is_encrypted_backup


def encrypted_items(case: CaseData) -> list[tuple[int, str]]:
    """(evidence id, identity) of the case's encrypted backups that are still reachable."""
    rows = case.conn.execute("SELECT id, identity FROM evidence ORDER BY id").fetchall()
    return [(int(i), str(p)) for i, p in rows if is_encrypted_backup(Path(p))]


def ask_backup_password(case: CaseData, parent: QWidget | None = None) -> bool:
    """Ask which encrypted backup (when there are several) and its password; True when one
    was given."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("BackupPassword", text)

    items = encrypted_items(case)
    if not items:
        QMessageBox.information(
            parent, tr("Backup password"), tr("This case holds no encrypted backup.")
        )
        return False
    labels = [f"#{number} {identity}" for number, identity in items]
    chosen = 0
    if len(items) > 1:
        label, ok = QInputDialog.getItem(
            parent, tr("Backup password"), tr("Encrypted backup:"), labels, 0, False
        )
        if not ok:
            return False
        chosen = labels.index(label)
    password, ok = QInputDialog.getText(
        parent,
        tr("Backup password"),
        tr("Password of %1 (kept in memory until the app closes):").replace("%1", labels[chosen]),
        QLineEdit.EchoMode.Password,
    )
    if not ok or not password:
        return False
    case.passwords[items[chosen][1]] = password
    return True
