"""What every navigation view provides to the main window."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from .casedata import CaseData


class View(Protocol):
    """A view is a QWidget with these members. `NAME` is the id used by
    `qarina gui --view NAME` and the navigation (`messages`, `contacts`, `calls`, `web`,
    `photos`, `map`, `keywords`, `links`, `files`, `timeline`, `coverage`, `audit`)."""

    NAME: str

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None: ...

    def title(self) -> str:
        """The translated navigation label."""
        ...

    def count(self) -> int | None:
        """The number shown beside the label (cheap: an index count), None for none."""
        ...

    def refresh(self) -> None:
        """New records were committed (a scan is running or finished): show them."""
        ...
