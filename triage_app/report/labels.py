"""Words of the report in its language (`--lang en|fr|ar`).

Labels live in `resources/report_i18n/<lang>/*.json` (every file of the folder is merged; a key
defined twice is an error). A key missing in French or Arabic falls back to English, and a key
missing in English is a programming error (KeyError), caught by the tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..core.errors import QarinaError
from ..core.resources import resource_dir

LANGUAGES = ("en", "fr", "ar")
RTL = frozenset({"ar"})


@dataclass(frozen=True)
class Labels:
    lang: str
    texts: dict[str, str]
    fallback: dict[str, str]

    @property
    def direction(self) -> str:
        return "rtl" if self.lang in RTL else "ltr"

    def __call__(self, key: str, **values: Any) -> str:
        text = self.texts.get(key) or self.fallback[key]
        return text.format(**values) if values else text


@cache
def _texts(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((resource_dir("report_i18n") / lang).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged and merged[key] != text:
                raise QarinaError(f"report label {key!r} is defined twice for {lang}")
            merged[key] = str(text)
    return merged


def load(lang: str) -> Labels:
    if lang not in LANGUAGES:
        raise QarinaError(f"report language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return Labels(lang, _texts(lang), _texts("en"))
