"""Entry point of the frozen (PyInstaller) Qarina: `qarina[.exe]` runs `triage_app.cli.main`.

`multiprocessing.freeze_support()` comes first: the report builder and the hash workers use a
*spawn* process pool, and a spawned child of a frozen app is the app's own executable started
with `--multiprocessing-fork`; without this call each child would run the CLI again and spawn
children of its own, endlessly (Python docs, multiprocessing "freeze_support"; PyInstaller
manual, "Multi-processing"). Nothing heavy is imported before it, so children start quickly.

In a bundle libmagic reads the magic database shipped beside it, not the host's (which may be
missing, or of another `file` version, giving other MIME types on another machine): libmagic
takes the default database from the MAGIC environment variable (file(1), ENVIRONMENT), and
child processes inherit it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

MAGIC_DB = Path("libmagic") / "magic.mgc"  # where installer/build.py puts it


def bundle_dir() -> Path | None:
    """The folder holding the bundled files (`sys._MEIPASS`), or None when not frozen."""
    base = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or base is None:
        return None
    return Path(base)


def use_bundled_magic_db(bundle: Path) -> Path | None:
    """Point libmagic at the bundle's magic.mgc (if one ships); the path set, or None."""
    database = bundle / MAGIC_DB
    if not database.is_file():
        return None
    os.environ["MAGIC"] = str(database)
    return database


def main() -> None:
    multiprocessing.freeze_support()
    bundle = bundle_dir()
    if bundle is not None:
        use_bundled_magic_db(bundle)
    from triage_app.cli import main as cli_main

    cli_main(prog_name="qarina")


if __name__ == "__main__":
    main()
