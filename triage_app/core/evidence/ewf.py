"""Expert Witness (E01/Ex01) images through libewf-python (pyewf). Only module importing pyewf."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pyewf

from ..errors import EvidenceError, IncompleteEvidence

log = logging.getLogger(__name__)

# Header value names as libewf reports them → the names used in Qarina's case data.
_HEADER_NAMES = {
    "case_number": "case_number",
    "evidence_number": "evidence_number",
    "description": "description",
    "examiner_name": "examiner",
    "notes": "notes",
    "acquiry_date": "acquisition_date",
    "system_date": "system_date",
    "acquiry_operating_system": "acquisition_os",
    "acquiry_software_version": "acquisition_software_version",
    "model": "model",
    "serial_number": "serial_number",
}


def ewf_version() -> str:
    return str(pyewf.get_version())


class EwfMedia:
    """The media stream of an EWF image set, read-only."""

    format = "ewf"

    def __init__(self, first_segment: Path) -> None:
        try:
            names = pyewf.glob(str(first_segment))
        except OSError as exc:
            raise EvidenceError(
                f"cannot find EWF segments for {first_segment.name}: {exc}"
            ) from exc
        self.container_files = [Path(n) for n in names]
        self._handle = pyewf.handle()
        try:
            self._handle.open(names, "r")
        except OSError as exc:
            raise EvidenceError(f"cannot open EWF image {first_segment.name}: {exc}") from exc
        self.size = int(self._handle.get_media_size())
        hashes = {k.upper(): v for k, v in (self._handle.get_hash_values() or {}).items()}
        self.stored_md5: str | None = hashes.get("MD5") or None
        self.stored_sha1: str | None = hashes.get("SHA1") or None
        self.metadata: dict[str, Any] = {
            ours: value
            for theirs, ours in _HEADER_NAMES.items()
            if (value := (self._handle.get_header_values() or {}).get(theirs))
        }
        self.metadata["bytes_per_sector"] = int(self._handle.get_bytes_per_sector())
        self.metadata["segments"] = [p.name for p in self.container_files]
        self._probe_end()

    def _probe_end(self) -> None:
        # A set with a missing segment opens fine and only fails when the missing chunk is
        # read; probe the last sector now so the examiner hears about it before the scan.
        if self.size == 0:
            return
        try:
            self._handle.read_buffer_at_offset(min(512, self.size), self.size - min(512, self.size))
        except OSError as exc:
            found = ", ".join(p.name for p in self.container_files)
            self.close()
            detail = re.search(r"missing segment file for offset: \d+ \(0x[0-9a-f]+\)", str(exc))
            raise IncompleteEvidence(
                f"EWF image is incomplete: the end of the media cannot be read (segments found: "
                f"{found}); a segment file is probably missing"
                + (f" ({detail.group(0)})" if detail else f": {exc}")
            ) from exc

    def reopen(self) -> EwfMedia:
        return EwfMedia(self.container_files[0])

    def read_at(self, offset: int, size: int) -> bytes:
        try:
            return bytes(self._handle.read_buffer_at_offset(size, offset))
        except OSError as exc:
            raise OSError(f"EWF read error at offset {offset}: {exc}") from exc

    def close(self) -> None:
        try:
            self._handle.close()
        except OSError:
            log.debug("EWF handle already closed")
