"""The one place the desktop application's settings live.

Installed: the user's settings (the registry on Windows, `~/.config/Qarina/Qarina.conf`
elsewhere). Portable mode (`core/appdirs.py`): an INI file in the `data` folder beside the
program, so a USB stick carries its settings and leaves none on the laptop.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from ..core.appdirs import portable_dir


def qsettings() -> QSettings:
    portable = portable_dir()
    if portable is not None:
        return QSettings(str(portable / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings("Qarina", "Qarina")
