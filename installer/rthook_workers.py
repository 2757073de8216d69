"""PyInstaller runtime hook: spawned worker processes of the frozen app use Qt hash seed 0.

The report's PDF job sets QT_HASH_SEED=0 before it imports Qt, because Qt writes the embedded
fonts in QHash order, whose seed is otherwise random per process (report/jobs.py `pdf_job`).
In a frozen app PyInstaller's own PySide6 runtime hook imports QtCore at every process start,
before any of Qarina's code runs, so that setting comes too late and two reports of one case
differ. Custom runtime hooks run before PyInstaller's (PyInstaller manual, "Changing Runtime
Behavior"), so the seed is fixed here: only in spawned workers (multiprocessing starts them
as `qarina --multiprocessing-fork ...`), as from a source install; the interface process
keeps a random seed.
"""

import os
import sys

if "--multiprocessing-fork" in sys.argv:
    os.environ.setdefault("QT_HASH_SEED", "0")
