#!/usr/bin/env python3
"""The desktop app on a 1,000,000-record case: time to the first screen, and the longest time
the UI thread is blocked while the user scrolls.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--records 1000000] [--work DIR]

Uses the case `benchmarks/bench_report.py` builds (cached in --work; built when missing).
First screen: from creating the main window on the case to the end of its first paint
(after `import` of the GUI; the import time is printed apart). Blocking: a 5 ms heartbeat
timer runs while a script scrolls each big view to the end of what is loaded, page after
page (200 steps, each followed by event processing), and the longest gap between two
heartbeats is the longest stretch the UI could not react (each step sends a wheel event,
as a user's scroll does, so the app's idle-time garbage collection sees a busy user); the
time to open each view (first page, first paint) is printed apart. Then the timeline (every
record) is sorted by message text, a column without an index: the time until the first
sorted page shows and the longest UI block meanwhile. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

STEPS = 200
VIEWS = ("messages", "timeline", "contacts", "calls", "web", "keywords")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qarina-bench-report"))
    args = parser.parse_args()
    case_dir = args.work / f"case-{args.records}"
    if not (case_dir / "case.sqlite").exists():
        from bench_report import build_case

        build_case(case_dir, args.records)
    start = time.monotonic()
    from PySide6.QtCore import QElapsedTimer, QPoint, QPointF, Qt, QTimer
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QAbstractScrollArea

    from triage_app.gui.app import SCREEN, IdleCollector, application
    from triage_app.gui.main_window import MainWindow

    app = application("en")
    IdleCollector(app)  # as `qarina gui` runs
    imported = time.monotonic() - start
    opened = time.monotonic()
    window = MainWindow(case_dir)  # migrations run here the first time (indexes): not timed
    window.close()
    opened = time.monotonic()
    window = MainWindow(case_dir)
    window.resize(*SCREEN)
    window.show()
    window.repaint()
    app.processEvents()
    first_screen = time.monotonic() - opened

    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer(interval=5)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    worst: dict[str, float] = {}
    opening: dict[str, float] = {}
    for name in VIEWS:
        started = time.monotonic()
        window.show_view(name)
        app.processEvents()
        opening[name] = round((time.monotonic() - started) * 1000)
        gaps.clear()
        view = window.current_view()
        scrollers = view.findChildren(QAbstractScrollArea) if view else []
        for _ in range(STEPS):
            for area in scrollers:
                # The user's wheel turn (an input event, as a real scroll makes), then a jump
                # to the end of what is loaded, which makes the view fetch the next page.
                wheel = QWheelEvent(QPointF(10, 10), QPointF(10, 10), QPoint(0, 0),
                                    QPoint(0, -120), Qt.MouseButton.NoButton,
                                    Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                                    False)  # fmt: skip
                app.sendEvent(area.viewport(), wheel)
                bar = area.verticalScrollBar()
                bar.setValue(bar.maximum())
            app.processEvents()
        worst[name] = max(gaps, default=0.0)
    # Sort the whole timeline by message text: a worker sorts, the UI thread must stay free.
    window.show_view("timeline")
    model = window.current_view().model  # type: ignore[union-attr]
    column = [c.key for c in model.columns].index("body")
    gaps.clear()
    started = time.monotonic()
    window.current_view().table.horizontalHeader().setSortIndicator(  # type: ignore[union-attr]
        column, Qt.SortOrder.AscendingOrder
    )
    while model.sorting_now():
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    sort_s = time.monotonic() - started
    sort_block = max(gaps, default=0.0)
    heartbeat.stop()
    print(json.dumps({
        "sort_timeline_by_text_s": round(sort_s, 2), "max_ui_block_while_sorting_ms": sort_block,
        "records": args.records, "import_s": round(imported, 2),
        "first_screen_s": round(first_screen, 3),
        "open_view_ms": opening, "max_ui_block_while_scrolling_ms": worst,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
