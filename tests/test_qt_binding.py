"""The installed Qt binding must not corrupt the interpreter.

PySide6-Essentials 6.12.0 on CPython 3.11 drops one reference to None on every call of a
method that returns nothing (`QFont().setBold(True)`); a report or a GUI session then dies
with "Fatal Python error: none_dealloc". pyproject excludes that release; this test catches
any other release with the same defect before it reaches a field laptop.
"""

from __future__ import annotations

import sys

import pytest

QtGui = pytest.importorskip("PySide6.QtGui")


def test_void_calls_keep_references_to_none() -> None:
    font = QtGui.QFont()
    before = sys.getrefcount(None)
    for _ in range(1000):
        font.setBold(True)
    # Other threads may take or drop a few references meanwhile; the defect drops 1000.
    assert sys.getrefcount(None) > before - 100, "this PySide6 release leaks None references"
