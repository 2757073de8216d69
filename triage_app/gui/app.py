"""Starting the desktop app (`qarina gui`), and its screenshot mode for docs and tests."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ..core.resources import resource_dir
from . import i18n
from .display import no_display
from .settings_store import qsettings

SCREEN = (1366, 768)
FONTS = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansArabic-Regular.ttf",
         "NotoSansArabic-Bold.ttf")  # fmt: skip


def application(lang: str | None = None) -> QApplication:
    """The QApplication (offscreen when there is no display), bundled fonts, language."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        if no_display():
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(sys.argv[:1])
        app.setOrganizationName("Qarina")
        app.setApplicationName("Qarina")
    folder = resource_dir("fonts")
    for name in FONTS:
        QFontDatabase.addApplicationFont(str(folder / name))
    font = QFont("Noto Sans", 10)
    font.setFamilies(["Noto Sans", "Noto Sans Arabic"])
    app.setFont(font)
    chosen = lang or str(qsettings().value("language", "en"))
    i18n.apply(app, chosen if chosen in i18n.LANGUAGES else "en")
    return app


class IdleCollector(QObject):
    """Python's cycle collector, run when the user is not waiting.

    A full (generation 2) collection walks every tracked object — PySide wrappers, modules,
    loaded pages — and took 50–100 ms on a million-record case, stalling scrolling at random.
    Automatic collection is switched off; young generations are collected every half second
    (a few ms), the full collection only after two seconds without a key or mouse event.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._last_input = time.monotonic()
        self._ticks = 0
        app.installEventFilter(self)
        gc.disable()
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def _tick(self) -> None:
        self._ticks += 1
        idle = time.monotonic() - self._last_input > 2.0
        gc.collect(2 if idle and self._ticks % 20 == 0 else 0)


_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.MouseButtonRelease,
})  # fmt: skip


def settle(app: QApplication, seconds: float = 1.0) -> None:
    """Let queued work finish (background loads, layout) before a screenshot."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(50)
    app.processEvents()


def run(case_dir: Path | None, lang: str | None, screenshot: Path | None, view: str | None) -> int:
    app = application(lang)
    from .main_window import MainWindow

    window = MainWindow(case_dir)
    window.resize(*SCREEN)
    if view:
        window.show_view(view)
    window.show()
    if screenshot is None:
        IdleCollector(app)
        return app.exec()
    settle(app, 1.5)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(screenshot))
    window.close()
    return 0 if ok else 1
