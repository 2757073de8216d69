"""A case folder: `case.sqlite`, `audit.jsonl`, `work/` (temporary copies), `reports/`."""

from __future__ import annotations

import getpass
import zoneinfo
from pathlib import Path

from .. import __version__
from . import casecrypt
from .audit import AuditLog
from .casedb import DB_NAME, CaseDB, now_iso
from .errors import CaseDBError, QarinaError


class Case:
    def __init__(self, case_dir: Path, db: CaseDB, audit: AuditLog) -> None:
        self.dir = case_dir
        self.db = db
        self.audit = audit

    @property
    def workdir(self) -> Path:
        return self.dir / "work"

    @classmethod
    def open(
        cls,
        case_dir: Path,
        examiner: str | None = None,
        case_number: str | None = None,
        timezone: str | None = None,
        create: bool = True,
        passphrase: str | None = None,
    ) -> Case:
        """Open the case at `case_dir`, creating it (encrypted with `passphrase` when given:
        `casecrypt`) unless `create` is False."""
        case_dir = Path(case_dir)
        exists = (case_dir / DB_NAME).exists()
        if not exists and not create:
            raise CaseDBError(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
        if timezone is not None:
            _check_zone(timezone)
        try:
            for sub in ("", "work", "reports"):
                (case_dir / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CaseDBError(f"cannot create case folder {case_dir}: {exc}") from exc
        path = case_dir / DB_NAME
        if passphrase is not None:
            _encrypt_new(path, passphrase)
        db = CaseDB(path)
        audit = AuditLog(case_dir, db)
        case = cls(case_dir, db, audit)
        # A creation cut short (a full disk, a killed process) left a database without its
        # details, or no audit entry anywhere (neither the log nor its mirror in the
        # database — a log deleted from a used case is not this, and `verify` says so): it is
        # created again, not taken as an existing case.
        unfinished = "created_at" not in db.info() or (
            audit.entries == 0 and not db.query("SELECT 1 FROM audit LIMIT 1")
        )
        if not exists or unfinished:
            db.set_info(
                {
                    "created_at": now_iso(),
                    "created_by_tool": f"qarina {__version__}",
                    "case_number": case_number,
                    "examiner": examiner or _login(),
                    "timezone": timezone or "UTC",
                }
            )
            audit.append(
                "case_created",
                case_number=case_number,
                examiner=examiner or _login(),
                timezone=timezone or "UTC",
                tool=f"qarina {__version__}",
            )
        else:
            db.set_info({"case_number": case_number, "timezone": timezone})
        return case

    def close(self) -> None:
        self.db.close()


def _encrypt_new(path: Path, passphrase: str) -> None:
    if casecrypt.is_encrypted(path):
        casecrypt.unlock(path, passphrase)
    elif path.exists() and path.stat().st_size > 0:
        raise CaseDBError(
            f"{path.parent} is an existing case that is not encrypted; encryption is chosen "
            "when a case is created"
        )
    else:
        casecrypt.create(path, passphrase)


def _check_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise QarinaError(
            f"unknown time zone {name!r} (use an IANA name like Africa/Tripoli)"
        ) from exc


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
