"""The PDF report: the content of the HTML report, for court, generated offline through Qt.

`write_pdf(model, labels, out_file)` streams every section from the `ReportModel` into pages
(`pdf_layout`: content is laid out chunk by chunk, each drawn before the next is read, so
memory stays bounded at any case size). Record sections show at most `max_rows` records; the
rest are counted and the cut is stated ("N more records of this section are in the HTML
report and csv/").

Every value from the case is untrusted: it is inserted as plain text (never HTML), with
control, bidi-override and lone surrogate characters written as visible escapes
(`tables.escape_controls`), and cut at `MAX_VALUE_CHARS` with the cut stated. Times are shown
in the case's display zone with their UTC offset.

Reproducible: Qt stamps a PDF with the current time and a random document id. The id and
the XMP packet are set from the case (`records_sha256`, case number, case creation time);
the dates Qt still writes itself (/CreationDate, /ModDate) are replaced afterwards by a value of the
same length, so every cross-reference offset stays valid. The file is written to a temporary
name, fsynced, then renamed into place.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..core.timeconv import parse_iso
from .labels import Labels
from .model import SECTION_KINDS, ReportModel
from .tables import COMMON_COLUMNS, KIND_FIELDS, escape_controls, write_bytes_atomic

if TYPE_CHECKING:
    from .pdf_layout import Chunk, Pages

MAX_VALUE_CHARS = 4000
CHUNK_BLOCKS = 1200
HEADING_PT = (14.0, 11.5, 10.0)
SKIP_FIELDS = frozenset({"kind", "id", "ts", "evidence", "path"})
Row = dict[str, Any]


def clean(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """A case value as inert, printable text (lists joined, objects as JSON), cut at `limit`."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = ", ".join(clean(v, limit) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    text = escape_controls(text.replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff"))
    if len(text) > limit:
        return f"{text[:limit]} […+{len(text) - limit}]"
    return text


class Out:
    """The report being written: labels, display zone, and the current chunk of content."""

    def __init__(self, pages: Pages, labels: Labels, model: ReportModel, media: Path) -> None:
        from .pdf_layout import Chunk

        self._chunk_type = Chunk
        self.pages = pages
        self.labels = labels
        self.model = model
        self.media = media
        zone_name = model.timezone()["display"]
        try:
            self.zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")
        self.chunk: Chunk = Chunk(pages)

    def _tick(self) -> Chunk:
        if self.chunk.blocks >= CHUNK_BLOCKS:
            self.flush()
        return self.chunk

    def flush(self) -> None:
        self.chunk.flush()
        self.chunk = self._chunk_type(self.pages)

    def heading(self, text: str, level: int = 0) -> None:
        top = (14.0, 9.0, 5.0)[level]
        self._tick().text([(text, True)], self.labels.direction, size=HEADING_PT[level], top=top)

    def para(self, text: str, bold: bool = False, indent: int = 0) -> None:
        self._tick().text([(text, bold)], self.labels.direction, indent=indent)

    def kv(self, key: str, value: Any, indent: int = 1) -> None:
        label = self.field(key)
        parts = [(label + ": ", True), ("\u2068" + clean(value) + "\u2069", False)]
        self._tick().text(parts, self.labels.direction, indent=indent, top=0.5)

    def value(self, value: Any, indent: int = 1) -> None:
        """A free-text value in its own block, laid out in its own direction."""
        from .pdf_layout import direction_of

        text = clean(value)
        self._tick().text([(text, False)], direction_of(text, self.labels.direction), indent=indent)

    def image(self, name: str) -> str | None:
        """Insert the thumbnail `media/<name>`; a problem text when it cannot be shown."""
        from PySide6.QtGui import QImage

        folder = self.media.resolve()
        path = (folder / name).resolve()
        if folder not in path.parents or not path.is_file():
            return self.labels("pdf.thumb_missing")
        image = QImage(str(path))
        if image.isNull():
            return self.labels("pdf.thumb_missing")
        self._tick().image(image, 38.0, self.labels.direction)
        return None

    def field(self, key: str) -> str:
        """The label of a field: the PDF's own, else the HTML report's (record fields,
        evidence, selection), else the field's name."""
        for name in (f"pdf.field.{key}", f"html_f_{key}", f"html_ev_{key}", f"html_sel_{key}"):
            if name in self.labels.fallback:
                return self.labels(name)
        return clean(key, 80)

    def when(self, ts: Any) -> str:
        if not isinstance(ts, str) or not ts:
            return self.labels("pdf.no_time")
        moment = parse_iso(ts)
        if moment is None:
            return clean(ts, 80)
        local = moment.astimezone(self.zone)
        offset = local.strftime("%z")
        return local.strftime("%Y-%m-%d %H:%M:%S") + f" UTC{offset[:3]}:{offset[3:]}"


def _table(out: Out, rows: Iterable[Row], keys: Iterable[str]) -> None:
    keys = list(keys)
    any_row = False
    for row in rows:
        any_row = True
        first, *rest = keys
        out.para(f"{out.field(first)}: {clean(row.get(first))}", bold=True, indent=1)
        for key in rest:
            if row.get(key) not in (None, "", []):
                out.kv(key, row[key], indent=2)
    if not any_row:
        out.para(out.labels("pdf.none"), indent=1)


def _case(out: Out) -> None:
    labels, case = out.labels, out.model.case()
    out.heading(labels("pdf.title"))
    out.heading(labels("pdf.section.case"), 1)
    for key in ("case_number", "examiner", "agency"):
        out.kv(key, case.get(key))
    out.kv("created_at", out.when(case.get("created_at")))
    out.heading(labels("pdf.section.authorisation"), 1)
    for key in ("authorisation", "notes"):
        out.kv(key, case.get(key))
    extra = sorted(set(case) - {"case_number", "examiner", "agency", "created_at",
                                "authorisation", "notes", "timezone"})  # fmt: skip
    for key in extra:
        out.kv(key, case[key])
    out.heading(labels("pdf.section.selection"), 1)
    for key, value in out.model.selection().items():
        out.kv(key, value)


def _versions(out: Out) -> None:
    labels = out.labels
    out.heading(labels("pdf.section.tools"), 1)
    for name, version in out.model.tools():
        out.para(f"{clean(name)} {clean(version)}", indent=1)
    out.heading(labels("pdf.section.parsers"), 1)
    _table(out, out.model.parsers(), ("parser", "version", "status", "files", "records",
                                      "warnings"))  # fmt: skip
    out.heading(labels("pdf.section.rule_packs"), 1)
    _table(out, out.model.info.get("rule_packs", []),
           ("pack", "version", "kind", "manifest_sha256", "files", "source"))  # fmt: skip


EVIDENCE_KEYS = ("id", "label", "identity", "kind", "format", "size", "sha256", "md5",
                 "media_sha256", "media_md5", "stored_md5", "stored_sha1", "verification",
                 "verification_message", "files", "metadata")  # fmt: skip
CHECK_KEYS = ("item", "algorithm", "intake", "current", "status", "message")


def _evidence(out: Out) -> None:
    out.heading(out.labels("pdf.section.evidence"), 1)
    checks = out.model.checks
    for item in out.model.evidence():
        _table(out, [item], EVIDENCE_KEYS)
        for volume in item.get("volumes") or []:
            out.para(out.labels("pdf.volume") + ": " + clean(volume), indent=2)
        mine = [c for c in checks if getattr(c, "evidence_id", None) == item.get("id")]
        if mine:
            out.para(out.labels("pdf.checks"), bold=True, indent=2)
        for check in mine:
            parts = (f"{out.field(k)}: {clean(getattr(check, k, None))}" for k in CHECK_KEYS)
            out.para("; ".join(parts), indent=3)
    out.heading(out.labels("pdf.section.counts"), 1)
    for kind, number in out.model.counts():
        out.para(f"{clean(kind)}: {number}", indent=1)


def _records(out: Out, title: str, rows: Iterable[Row], render: Callable[[Row], None],
             max_rows: int, total: int | None = None) -> None:  # fmt: skip
    """Up to `max_rows` rows, then how many more there are (`total`, when the database
    could count them, spares reading the rest)."""
    out.heading(title, 1)
    shown = more = 0
    for row in rows:
        if shown >= max_rows:
            if total is not None:
                more = total - shown
                break
            more += 1
            continue
        render(row)
        shown += 1
    if not shown and not more:
        out.para(out.labels("pdf.none"), indent=1)
    if more:
        out.para(out.labels("pdf.more", n=more), bold=True)


def _record(out: Out, row: Row, skip: frozenset[str] = SKIP_FIELDS) -> None:
    """A record: its time, kind and id, where it was found, then its own fields."""
    kind = str(row.get("kind"))
    head = f"{out.when(row.get('ts'))} · {clean(kind, 40)} · {clean(row.get('id'), 40)}"
    out.para(head, bold=True, indent=1)
    out.para(f"{out.field('evidence')} {clean(row.get('evidence'))} · {clean(row.get('path'))}",
             indent=2)  # fmt: skip
    own = KIND_FIELDS.get(kind, ())
    extra = sorted(k for k in row if k not in own and k not in COMMON_COLUMNS)
    for key in (*own, "ts_raw", "deleted", "parser", *extra):
        value = row.get(key)
        if key in skip or value in (None, "", [], False):
            continue
        if key in ("body", "context", "value"):
            out.para(out.field(key) + ":", indent=2)
            out.value(value, indent=3)
        else:
            out.kv(key, value, indent=2)
    tags = out.model.view.tags(str(row.get("id")))
    if tags:
        out.kv("tags", tags, indent=2)


def _messages(out: Out, max_rows: int) -> None:
    last: list[Any] = [None]

    def render(row: Row) -> None:
        key = (row.get("evidence"), row.get("app"), row.get("thread"))
        if key != last[0]:
            last[0] = key
            text = out.labels("pdf.thread", app=clean(key[1], 80), thread=clean(key[2], 300),
                              evidence=clean(key[0], 20))  # fmt: skip
            out.heading(text, 2)
        _record(out, row, SKIP_FIELDS | {"app", "thread"})

    _records(out, out.labels("pdf.section.messages"), out.model.thread_messages(), render,
             max_rows, out.model.count("messages"))  # fmt: skip


def _photo(out: Out, row: Row) -> None:
    _record(out, row)
    if out.model.view.media_action(row) == "omit":
        out.para(out.labels("pdf.thumb_omitted"), indent=2)
        return
    name, problem = out.model.thumbs.get(str(row.get("id")), (None, None))
    if name:
        problem = out.image(name)
    if problem:
        out.kv("thumbnail", problem, indent=2)


def _sections(out: Out, max_rows: int) -> None:
    labels, model = out.labels, out.model
    _messages(out, max_rows)
    for name in SECTION_KINDS:
        render: Callable[[Row], None] = (lambda r: _photo(out, r)) if name == "photos" else (
            lambda r: _record(out, r))  # fmt: skip
        _records(out, labels(f"pdf.section.{name}"), model.section(name), render, max_rows,
                 model.count(name))  # fmt: skip

    def shared(row: Row) -> None:
        out.para(f"{clean(row.get('type'))}: {clean(row.get('value'))}", bold=True, indent=1)
        for key in sorted(set(row) - {"type", "value"}):
            out.kv(key, row[key], indent=2)

    _records(out, labels("pdf.section.shared"), model.shared(), shared, max_rows)
    _records(out, labels("pdf.section.timeline"), model.timeline(),
             lambda r: _record(out, r), max_rows, model.count("timeline"))  # fmt: skip


def _coverage(out: Out, max_rows: int) -> None:
    labels, model = out.labels, out.model
    out.heading(labels("pdf.section.coverage"), 1)
    out.heading(labels("pdf.section.not_parsed"), 2)
    apps = [a for a in model.apps() if not a.get("parsed")]
    _table(
        out, apps, sorted({k for a in apps for k in a}, key=lambda k: (k != "app", k)) or ["app"]
    )

    def problem(row: Row) -> None:
        out.para(f"{clean(row.get('status'))} · {clean(row.get('source'))} · "
                 f"{clean(row.get('parser'))}", bold=True, indent=1)  # fmt: skip
        out.para(f"{clean(row.get('evidence_id'))} · {clean(row.get('path'))}", indent=2)
        out.value(row.get("message"), indent=2)

    _records(out, labels("pdf.section.problems"), model.problems(), problem, max_rows)
    zone = model.timezone()
    out.heading(labels("pdf.section.timezone"), 1)
    out.para(labels("pdf.timezone", stored=zone["stored"], display=clean(zone["display"], 80),
                    tzdata=clean(zone["tzdata"], 40)))  # fmt: skip

    def audit(row: Row) -> None:
        out.para(f"{row.get('seq')} · {out.when(row.get('ts'))} · {clean(row.get('action'))}",
                 bold=True, indent=1)  # fmt: skip
        out.value(row.get("details"), indent=2)
        out.kv("hash", row.get("hash"), indent=2)

    _records(out, labels("pdf.section.audit"), model.audit(), audit, max_rows)


def render_report(out: Out, max_rows: int) -> None:
    _case(out)
    _versions(out)
    _evidence(out)
    _sections(out, max_rows)
    _coverage(out, max_rows)
    out.flush()


def write_pdf(model: ReportModel, labels: Labels, out_file: Path, *, max_rows: int = 1000) -> Path:
    """Write the report as one A4 PDF at `out_file` (thumbnails are read from
    `out_file.parent / "media"`); returns `out_file`. Record sections list `max_rows` rows
    each (0: all)."""
    from .pdf_layout import Pages, ensure_app, fix_dates, metadata

    max_rows = max_rows if max_rows > 0 else sys.maxsize
    ensure_app()
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    case = model.case()
    number = clean(case.get("case_number"), 120)
    meta = metadata(labels, number, str(model.info.get("records_sha256") or ""),
                    str(model.info.get("version") or ""), case.get("created_at"))  # fmt: skip
    handle, name = tempfile.mkstemp(prefix=f".{out_file.name}.", suffix=".tmp", dir=out_file.parent)
    os.close(handle)
    temp = Path(name)
    try:
        pages = Pages(temp, meta, labels.direction)
        try:
            render_report(Out(pages, labels, model, out_file.parent / "media"), max_rows)
        finally:
            pages.close()
        write_bytes_atomic(out_file, fix_dates(temp.read_bytes(), meta["stamp"]))
    finally:
        temp.unlink(missing_ok=True)
    return out_file
