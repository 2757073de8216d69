"""Languages of the desktop app: Qt translation files and the layout direction.

The sources are `resources/translations/qarina_<lang>.ts` (Qt Linguist XML, reviewed in
git). A frozen build ships them compiled (`installer/` runs lrelease); from a source or pip
install they are compiled on first use with the `lrelease` that ships with PySide6, into the
user's cache, keyed by the .ts file's hash. English is the source language. Arabic switches
the whole layout to right-to-left; Qt's own dialogs (file chooser, buttons) use Qt's
translations of the same language.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from ..core.appdirs import cache_dir
from ..core.resources import resource_dir

log = logging.getLogger(__name__)
LANGUAGES = ("en", "fr", "ar")
RTL = frozenset({"ar"})
_installed: list[QTranslator] = []


def _lrelease() -> Path | None:
    import PySide6

    folder = Path(PySide6.__file__).parent
    for name in ("lrelease", "lrelease.exe"):
        if (folder / name).is_file():
            return folder / name
    return None


def _cache() -> Path:
    return cache_dir("translations")


def compiled(lang: str) -> Path | None:
    """The .qm file for `lang` (compiled now if needed), or None (English, or no tool)."""
    if lang == "en":
        return None
    source = resource_dir("translations") / f"qarina_{lang}.ts"
    shipped = source.with_suffix(".qm")
    if shipped.is_file():
        return shipped
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = _cache() / f"qarina_{lang}-{digest}.qm"
    if target.is_file():
        return target
    tool = _lrelease()
    if tool is None:
        log.warning("no lrelease found: the interface stays in English")
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [str(tool), "-silent", str(source), "-qm", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0 or not target.is_file():
        log.warning("lrelease failed for %s: %s", source.name, result.stderr.strip())
        return None
    return target


def apply(app: QApplication, lang: str) -> None:
    """Install `lang`'s translations (replacing the previous ones) and its direction."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(QLocale({"en": "en_GB", "fr": "fr_FR", "ar": "ar_LY"}[lang]))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    files = [compiled(lang)]
    if lang != "en":
        files.append(Path(qt_dir) / f"qtbase_{lang}.qm")
    for path in files:
        if path is None or not path.is_file():
            continue
        translator = QTranslator(app)
        if translator.load(str(path)):
            app.installTranslator(translator)
            _installed.append(translator)
    from PySide6.QtCore import Qt

    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if lang in RTL else Qt.LayoutDirection.LeftToRight
    )
