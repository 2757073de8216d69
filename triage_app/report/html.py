"""The HTML report: a self-contained folder (`index.html`, `pages/*.html`, `assets/report.css`)
that never runs a script and never contacts the network.

Safety against hostile evidence:
- Jinja2 with autoescape and StrictUndefined; no value is ever marked safe. Every `{{ }}`
  output also passes `_finalize`, which makes control characters, bidi embedding/override/
  isolate characters and lone surrogates visible as escapes (`\\u202e`), so a file name cannot
  reorder the text around it, whatever path a value took to the template.
- Every evidence value sits in an element with `dir="auto"`; URLs are text, never links;
  values longer than `VALUE_LIMIT` characters are cut with a note (the CSV and `qarina export`
  hold them whole).
- Each page carries a Content-Security-Policy that allows only the report's own stylesheet
  and images (`'self'`, which Chromium matches to the report's file:// URLs), no script, no
  `<base>`, no form target; `referrer` is `no-referrer`. No element links outside the folder.

Large cases: record sections are pages of at most `PAGE_ROWS` rows with deterministic names
(`pages/<section>-0001.html`), prev/next links, and are written as rows stream in (one page
of rows in memory, rendered with `Template.stream` into the file). Every file is written to a
temporary name, fsynced and renamed. The same case gives the same bytes: no current time.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup as MarkupType  # only to recognise template output, never to wrap

from ..core.timeconv import parse_iso
from .labels import Labels
from .model import ReportModel
from .tables import atomic_writer, escape_controls

PAGE_ROWS = 1000
VALUE_LIMIT = 20_000
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"
TEMPLATES = Path(__file__).parent / "templates"
PAGES = "pages"
CSS = "assets/report.css"
# Sections in navigation order: (label key, file of the section's first page).
NAV = (
    ("nav_case", "index.html"),
    ("nav_versions", "pages/versions.html"),
    ("nav_evidence", "pages/evidence.html"),
    ("nav_messages", "pages/messages-0001.html"),
    ("nav_contacts", "pages/contacts-0001.html"),
    ("nav_calls", "pages/calls-0001.html"),
    ("nav_web", "pages/web.html"),
    ("nav_photos", "pages/photos-0001.html"),
    ("nav_keywords", "pages/keywords-0001.html"),
    ("nav_shared", "pages/shared-0001.html"),
    ("nav_timeline", "pages/timeline-0001.html"),
    ("nav_coverage", "pages/coverage.html"),
    ("nav_audit", "pages/audit-0001.html"),
)
_SAFE_MEDIA = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


def _finalize(value: Any) -> Any:
    """Every template output: None as nothing, text with its invisible controls made visible.
    Output of the report's own macros (already escaped by the template) passes unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, MarkupType):
        return escape_controls(value)
    return value


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES / "html"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class Words:
    """The report's labels for HTML: `html_<key>` in `resources/report_i18n/<lang>/html.json`."""

    def __init__(self, labels: Labels) -> None:
        self.base = labels
        self.lang = labels.lang
        self.direction = labels.direction

    def __call__(self, key: str, **values: Any) -> str:
        return self.base("html_" + key, **values)


class Formatter:
    """Evidence values as display text in the report's language and time zone."""

    def __init__(self, labels: Words, zone: str) -> None:
        self.labels = labels
        try:
            self.zone: zoneinfo.ZoneInfo | None = zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.zone = None

    def text(self, value: Any, limit: int = VALUE_LIMIT) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.labels("yes") if value else self.labels("no")
        if isinstance(value, list):
            value = "; ".join(self.text(v, limit) for v in value)
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        text = escape_controls(str(value))
        if len(text) > limit:
            more = len(text) - limit
            return text[:limit] + " " + self.labels("value_cut", n=more)
        return text

    def when(self, ts: Any) -> str:
        """An ISO UTC time in the display zone with its offset (`2024-03-02 03:15:30 +02:00`)."""
        if not ts:
            return ""
        moment = parse_iso(ts)
        if moment is None:
            return self.text(ts, 200)
        if self.zone is not None:
            moment = moment.astimezone(self.zone)
        shown = moment.isoformat(sep=" ")
        return re.sub(r"([+-]\d\d:\d\d)$", r" \1", shown)


class Pager:
    """Rows of one paginated series (`pages/<stem>-NNNN.html`), written `PAGE_ROWS` at a time;
    the first page is always written (it states when there is nothing)."""

    def __init__(self, site: Site, template: str, stem: str, **context: Any) -> None:
        self.site, self.template, self.stem, self.context = site, template, stem, context
        self.rows: list[Any] = []
        self.number = 1
        self.total = 0

    @staticmethod
    def file(stem: str, number: int) -> str:
        return f"{stem}-{number:04d}.html"

    def add(self, row: Any) -> None:
        if len(self.rows) == PAGE_ROWS:
            self._flush(more=True)
        self.rows.append(row)
        self.total += 1

    def close(self) -> int:
        self._flush(more=False)
        return self.total

    def _flush(self, more: bool) -> None:
        number = self.number
        self.site.page(
            self.template,
            f"{PAGES}/{self.file(self.stem, number)}",
            rows=self.rows,
            page_number=number,
            first_row=(number - 1) * PAGE_ROWS + 1,
            prev=self.file(self.stem, number - 1) if number > 1 else None,
            next=self.file(self.stem, number + 1) if more else None,
            **self.context,
        )
        self.rows = []
        self.number += 1


class Site:
    """Writes the pages of one report folder and remembers them."""

    def __init__(self, model: ReportModel, labels: Labels, out_dir: Path) -> None:
        self.model, self.labels, self.out_dir = model, Words(labels), Path(out_dir)
        self.env = environment()
        self.fmt = Formatter(self.labels, model.timezone()["display"])
        self.written: list[Path] = []
        case = model.case()
        self.case_number = self.fmt.text(case.get("case_number") or "", 200)

    def page(self, template: str, rel: str, **context: Any) -> None:
        depth = rel.count("/")
        root = "../" * depth
        nav = [(self.labels(key), _relative(href, depth)) for key, href in NAV]
        path = self.out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        stream = self.env.get_template(template).stream(
            L=self.labels, lang=self.labels.lang, dir=self.labels.direction, csp=CSP,
            root=root, css=root + CSS, nav=nav, case_number=self.case_number,
            **context,
        )  # fmt: skip
        with atomic_writer(path, sync=False) as handle:  # the build syncs the folder
            stream.enable_buffering(64)
            handle.writelines(stream)
        self.written.append(path)

    def copy_css(self) -> None:
        path = self.out_dir / CSS
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_writer(path) as handle:
            handle.write((TEMPLATES / "report.css").read_text(encoding="utf-8"))
        self.written.append(path)

    def media_src(self, name: str | None) -> str | None:
        """`media/<name>` relative to a page in `pages/`, or None for a name that is not a
        plain file name (the lead names thumbnails; anything else is refused)."""
        if not name or not _SAFE_MEDIA.fullmatch(name) or ".." in name:
            return None
        return f"../media/{name}"


def _relative(href: str, depth: int) -> str:
    if depth == 0:
        return href
    return href[len(PAGES) + 1 :] if href.startswith(PAGES + "/") else "../" * depth + href


def record_row(site: Site, record: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """One record as a table row: id, tags, deleted, time, source, then `fields`."""
    fmt = site.fmt
    record_id = str(record.get("id"))
    source = f"#{fmt.text(record.get('evidence'), 40)} {fmt.text(record.get('path'))}"
    return {
        "id": fmt.text(record_id, 100),
        "tags": [fmt.text(t, 200) for t in site.model.view.tags(record_id)],
        "deleted": bool(record.get("deleted")),
        "cells": [fmt.when(record.get("ts")), source] + [fmt.text(record.get(f)) for f in fields],
    }


def write_html(model: ReportModel, labels: Labels, out_dir: Path) -> list[Path]:
    """The HTML report in `out_dir` (the report folder root); the paths written, in order."""
    from . import html_pages

    site = Site(model, labels, out_dir)
    site.copy_css()
    html_pages.write_all(site)
    return site.written
