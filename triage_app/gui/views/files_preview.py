"""The Files view's preview reader: a file's first `PREVIEW_BYTES`, read in a pool thread.

Reading goes through the evidence sources, which open images and archives read-only. Each
evidence item is opened at most once by `_Sources` (an item that fails keeps its reason, shown
in place of the preview); a `_PreviewTask` reads one file, checking its cancel token between
chunks so a newer selection ends an older read, and delivers the hex dump and decoded text by
signal to the view in the UI thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Signal

from ...core.errors import Cancelled, EvidenceError, PasswordNeeded
from ...core.evidence import open_evidence
from ...core.evidence.base import EvidenceSource
from ...core.models import Locator
from ...core.progress import CancelToken
from .files_model import Node
from .files_text import decode_text, hex_dump

PREVIEW_BYTES = 64 * 1024
_CHUNK = 16 * 1024


class _Sources:
    """Evidence sources of the preview thread, each opened once; a failure keeps its reason."""

    def __init__(
        self, case_dir: Path, identities: dict[int, str], passwords: Mapping[str, str],
        cancel: CancelToken,
    ) -> None:  # fmt: skip
        self._case_dir = case_dir
        self._identities = identities
        self._passwords = passwords  # the session's backup passwords, by identity
        self._cancel = cancel
        self._lock = threading.Lock()
        self._open: dict[int, EvidenceSource] = {}
        self._failed: dict[int, str] = {}

    def read(self, evidence_id: int, locator: str, token: CancelToken) -> bytes:
        with self._lock:  # sources are not shared between threads
            source = self._get(evidence_id)
            out = bytearray()
            with source.open(Locator.parse(locator)) as stream:
                while len(out) < PREVIEW_BYTES:
                    token.check()
                    chunk = stream.read(min(_CHUNK, PREVIEW_BYTES - len(out)))
                    if not chunk:
                        break
                    out += chunk
            return bytes(out)

    def _get(self, evidence_id: int) -> EvidenceSource:
        if evidence_id not in self._open and evidence_id not in self._failed:
            identity = self._identities.get(evidence_id)
            try:
                if identity is None:
                    raise EvidenceError("evidence item not in the case")
                self._open[evidence_id] = open_evidence(
                    Path(identity), self._case_dir / "work", self._cancel,
                    self._passwords.get(identity),
                )  # fmt: skip
            except PasswordNeeded as exc:
                hint = QCoreApplication.translate(
                    "FilesView", "enter it with Case › Backup password…"
                )
                self._failed[evidence_id] = f"{exc} — {hint}"
            except EvidenceError as exc:
                self._failed[evidence_id] = str(exc)
            except OSError as exc:
                self._failed[evidence_id] = f"{type(exc).__name__}: {exc}"
        if evidence_id in self._failed:
            raise EvidenceError(self._failed[evidence_id])
        return self._open[evidence_id]

    def forget_failures(self) -> None:
        """Try the items that failed again (a password was given)."""
        with self._lock:
            self._failed.clear()

    def close(self) -> None:
        with self._lock:
            for source in self._open.values():
                with contextlib.suppress(EvidenceError, OSError):  # read-only: nothing to lose
                    source.close()
            self._open.clear()


class _Signals(QObject):
    # request id, hex dump, text, encoding, problem ('' when read)
    done = Signal(int, str, str, str, str)


class _PreviewTask(QRunnable):
    def __init__(
        self, request: int, node: Node, sources: _Sources, token: CancelToken, signals: _Signals
    ) -> None:
        super().__init__()
        self.request, self.sources, self.token, self.signals = request, sources, token, signals
        self.evidence_id = node.evidence_id
        self.locator = str(node.data.get("locator") or "")

    def run(self) -> None:
        if self.token.cancelled:
            return
        try:
            data = self.sources.read(self.evidence_id, self.locator, self.token)
        except Cancelled:
            return
        except (EvidenceError, OSError, ValueError) as exc:
            self.signals.done.emit(self.request, "", "", "", str(exc) or type(exc).__name__)
            return
        text, encoding = decode_text(data)
        self.signals.done.emit(self.request, hex_dump(data), text, encoding, "")
