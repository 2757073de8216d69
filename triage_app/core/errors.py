"""Error hierarchy. Callers branch on the class, never on the message text."""

from __future__ import annotations

import errno

# OSError numbers that mean the case's own disk is full: the scan must stop (CaseDBError),
# not record the file being read as unreadable.
DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class QarinaError(Exception):
    """Base of every error Qarina raises on purpose."""


class EvidenceError(QarinaError):
    """An evidence item cannot be opened or read as a whole."""


class UnsupportedFormat(EvidenceError):
    """The container or file system format is recognised but not supported."""


class IncompleteEvidence(EvidenceError):
    """Part of the evidence is missing (e.g. an E01 segment or split raw part)."""


class PasswordNeeded(EvidenceError):
    """An encrypted backup was given no password, or a wrong one."""


class VerificationFailed(EvidenceError):
    """Stored acquisition hashes do not match the data that was read."""


class ArchiveLimitExceeded(EvidenceError):
    """An archive exceeds a safety limit (size, ratio, member count, depth)."""


class ParserError(QarinaError):
    """A parser could not read one file."""


class CaseDBError(QarinaError):
    """The case database cannot be written: the only fatal error of a scan."""


class Cancelled(QarinaError):
    """The user cancelled the running operation."""
