"""Messages view: conversations paged lazily, bubbles painted as plain text, provenance,
tags, and a right-to-left layout."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from triage_app.core.case import Case
from triage_app.core.casedb import ARTIFACT_COLUMNS, now_iso
from triage_app.gui.casedata import CaseData
from triage_app.gui.views.messages import MessagesView
from triage_app.gui.views.messages_model import (
    HEADER_ROLE,
    KEY_ROLE,
    PAGE,
    RECORD_ROLE,
    ConversationModel,
    MessageModel,
)
from triage_app.search.arabic import normalise

HOSTILE = "<b>bold</b><img src=x onerror=alert(1)> \u202eexe.gpj"
SHOWN = "<b>bold</b><img src=x onerror=alert(1)> \\u202eexe.gpj"  # the override made visible
SHA = "ab" * 32
BIG = 2500


def _message(thread: str, i: int, **extra: Any) -> dict[str, Any]:
    data = {"app": "whatsapp", "thread": thread, "sender": "+33600000001",
            "recipients": ["+33600000002"], "direction": "incoming" if i % 2 else "outgoing",
            "body": f"message {i} in {thread}", "attachments": []}  # fmt: skip
    data.update(extra)
    return data


def _messages() -> list[tuple[str | None, dict[str, Any]]]:
    rows: list[tuple[str | None, dict[str, Any]]] = []
    for i in range(BIG):  # one long thread; every 10th without a time (undated come first)
        ts = None if i % 10 == 0 else f"2024-03-{1 + i // 1000:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
        rows.append((ts, _message("big@s.whatsapp.net", i)))
    arabic = [("+218912345678", "incoming", "السلام عليكم، القارب جاهز"),
              ("me", "outgoing", "متى نلتقي؟ غداً في زوارة"),
              ("+218912345678", "incoming", "الساعة العاشرة")]  # fmt: skip
    for i, (sender, direction, body) in enumerate(arabic):
        extra = {"sender": sender, "direction": direction, "body": body, "app": "sms"}
        rows.append((f"2024-01-02T10:0{i}:00Z", _message("+218912345678", i, **extra)))
    hostile = {"body": HOSTILE, "attachments": ["IMG-001.jpg"]}
    rows.append(("2024-01-03T09:00:00Z", _message("hostile", 0, **hostile)))
    rows.append(("2024-01-03T09:01:00Z", _message("hostile", 1, body="normal reply")))
    return rows


def _make_case(root: Path) -> Path:
    case = Case.open(root / "case", examiner="t", timezone="Africa/Tripoli")
    db = case.db
    with db.transaction():
        db.execute(
            "INSERT INTO evidence (id, label, identity, kind, format, paths, added_at, status)"
            " VALUES (1, 'phone A', '/p', 'folder', 'folder', '[]', ?, 'ok')",
            (now_iso(),),
        )
        db.execute(
            "INSERT INTO files (id, evidence_id, path, name, kind, size, deleted, locator,"
            " sha256) VALUES (7, 1, '/data/msgstore.db', 'msgstore.db', 'file', 1, 0, 'l', ?)",
            (SHA,),
        )
        rows = [("message", 1, 7, "whatsapp_android", ts, json.dumps(ts), int(i == BIG + 4),
                 "messages", i + 1, json.dumps(data, ensure_ascii=False))
                for i, (ts, data) in enumerate(_messages())]  # fmt: skip
        db.insert_many("artifacts", ARTIFACT_COLUMNS, rows)
        for rowid, data in db.query("SELECT id, data FROM artifacts"):
            text = normalise(json.loads(data)["body"])
            db.execute("INSERT INTO record_text (rowid, text) VALUES (?, ?)", (rowid, text))
    case.close()
    return root / "case"


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_case(tmp_path_factory.mktemp("messages"))


def _loaded(qtbot: Any, model: ConversationModel | MessageModel) -> None:
    qtbot.waitUntil(lambda: not model.busy(), timeout=5000)


def _open(view: MessagesView, qtbot: Any, thread: str) -> None:
    _loaded(qtbot, view.conversations)
    model = view.conversations
    row = next(i for i, r in enumerate(model.rows) if r["thread"] == thread)
    view.table.setCurrentIndex(model.index(row, 0))
    _loaded(qtbot, view.messages)


def test_conversations_group_by_thread_and_search_arabic(qtbot: Any, case_dir: Path) -> None:
    model = ConversationModel(CaseData(case_dir))
    assert model.rowCount() == 0  # nothing is read before the view asks
    model.restart()
    _loaded(qtbot, model)
    got = {(r["app"], r["thread"]): r["n"] for r in model.rows}
    assert got == {("sms", "+218912345678"): 3, ("whatsapp", "big@s.whatsapp.net"): BIG,
                   ("whatsapp", "hostile"): 2}  # fmt: skip
    row = next(r for r in model.rows if r["app"] == "sms")
    assert model.cell(row, 3) == "2024-01-02 12:02:00 +0200"  # the case's zone (Tripoli)
    assert model.cell(row, 5) == "phone A"
    assert "me" in model.cell(row, 4) and "+218912345678" in model.cell(row, 4)
    model.set_search("القارب")  # matches "القارب" through the normalised index
    _loaded(qtbot, model)
    assert [r["thread"] for r in model.rows] == ["+218912345678"]
    model.set_search("onerror")
    _loaded(qtbot, model)
    assert [r["thread"] for r in model.rows] == ["hostile"]


def test_long_thread_pages_lazily_in_time_order(qtbot: Any, case_dir: Path) -> None:
    case = CaseData(case_dir)
    model = MessageModel(case)
    model.set_conversation((1, "whatsapp", "big@s.whatsapp.net"))
    _loaded(qtbot, model)
    assert model.rowCount() == PAGE  # one page, the rest only on demand
    assert model.canFetchMore()
    pages = 1
    while model.canFetchMore():
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        _loaded(qtbot, model)
        assert model.rowCount() - before <= PAGE
        pages += 1
    assert model.rowCount() == BIG and pages >= BIG // PAGE
    ids = [r["id"] for r in model.rows]
    expected = [f"rec:{i}" for (i,) in case.conn.execute(
        "SELECT id FROM artifacts WHERE json_extract(data, '$.thread') = 'big@s.whatsapp.net'"
        " ORDER BY ts IS NOT NULL, ts, id")]  # fmt: skip
    assert ids == expected  # every message once, undated first, then by time


def test_hostile_html_stays_literal(qtbot: Any, case_dir: Path) -> None:
    view = MessagesView(CaseData(case_dir))
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    _open(view, qtbot, "hostile")
    index = view.messages.index(0, 0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == SHOWN
    bubble = view.delegate.bubble(index, view.list.viewport().width())
    painted = [block.text() for block in bubble.blocks]
    assert SHOWN in painted and not any("\u202e" in text for text in painted)
    assert any("IMG-001.jpg" in text for text in painted)
    assert view.grab().width() == 1100  # paints without error


def test_selection_shows_provenance_and_tag_is_written(
    qtbot: Any, case_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CaseData(case_dir)
    view = MessagesView(case)
    qtbot.addWidget(view)
    _open(view, qtbot, "hostile")
    view.list.setCurrentIndex(view.messages.index(1, 0))
    record = view.current_record()
    assert record is not None and record["deleted"]
    text = view.provenance.toPlainText()
    for expected in ("phone A", "/data/msgstore.db", "whatsapp_android", "messages / ", SHA,
                     "2024-01-03T09:01:00Z", record["id"]):  # fmt: skip
        assert expected in text
    assert "DELETED" in view.messages.index(1, 0).data(HEADER_ROLE)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Suspect", True))
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("seen at 9", True))
    view.actions_by_name["Tag…"].trigger()
    tags = case.tags(record["id"])
    assert [(t.tag, t.note) for t in tags] == [("suspect", "seen at 9")]
    assert "Tags: suspect" in view.delegate.texts(view.messages.index(1, 0))[2]
    view.bookmark_current()
    assert {t.tag for t in case.tags(record["id"])} == {"suspect", "bookmark"}
    dialog = view.open_record()
    assert dialog is not None
    assert json.loads(dialog.text.toPlainText())["body"] == "normal reply"
    dialog.close()
    view.copy_current()
    copied = QApplication.clipboard().text()
    assert "normal reply" in copied and record["id"] in copied


def _screenshot(view: MessagesView, qtbot: Any, thread: str, path: str) -> None:
    view.resize(1100, 700)
    view.show()
    _open(view, qtbot, thread)
    view.list.setCurrentIndex(view.messages.index(1, 0))
    QApplication.processEvents()
    assert view.grab().save(path)


def test_screens_left_to_right_and_right_to_left(qtbot: Any, case_dir: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    out = os.environ.get("QARINA_SHOTS", "/tmp")
    ltr = MessagesView(CaseData(case_dir))
    qtbot.addWidget(ltr)
    _screenshot(ltr, qtbot, "hostile", f"{out}/gui-messages-en.png")
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        rtl = MessagesView(CaseData(case_dir))
        qtbot.addWidget(rtl)
        assert rtl.isRightToLeft()
        _screenshot(rtl, qtbot, "+218912345678", f"{out}/gui-messages-ar.png")
        # Incoming (leading) bubbles sit on the right in a right-to-left layout.
        index = rtl.messages.index(0, 0)
        assert index.data(RECORD_ROLE)["direction"] == "incoming"
        rect = rtl.list.visualRect(index)
        bubble = rtl.delegate.bubble(index, rtl.list.viewport().width())
        assert bubble.width < rect.width() / 2 + 200
        assert rtl.table.currentIndex().data(KEY_ROLE) == (1, "sms", "+218912345678")
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_search_box_filters_conversations(qtbot: Any, case_dir: Path) -> None:
    view = MessagesView(CaseData(case_dir))
    qtbot.addWidget(view)
    _loaded(qtbot, view.conversations)
    assert view.conversations.rowCount() == 3
    view.search.setText("جاهز")  # QTest cannot type non-Latin keys
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    _loaded(qtbot, view.conversations)
    assert [r["thread"] for r in view.conversations.rows] == ["+218912345678"]
    qtbot.waitUntil(lambda: view.messages.rowCount() == 3)  # the match is opened
    view.search.clear()
    qtbot.waitUntil(lambda: view.conversations.rowCount() == 3, timeout=3000)
