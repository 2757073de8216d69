"""The sections of the HTML report (see `html.py` for the rules every page follows)."""

from __future__ import annotations

from typing import Any

from .html import Pager, Site, record_row
from .html_rows import bubble, table_row
from .model import SECTION_KINDS

CASE_KEYS = ("case_number", "examiner", "agency", "created_at", "created_by_tool")
FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("app", "name", "phones", "emails"),
    "call": ("app", "direction", "number", "name", "duration_s"),
    "web_visit": ("browser", "profile", "url", "title", "visit_count"),
    "web_download": ("browser", "url", "target_path", "size"),
    "web_search": ("browser", "term", "url"),
    "web_cookie": ("browser", "host", "name", "value", "encrypted", "cookie_path", "expires",
                   "secure", "http_only"),
    "web_form": ("browser", "field", "value", "url", "count"),
    "web_cache": ("browser", "url", "mime", "size", "local_path"),
    "keyword_hit": ("rule", "pack", "keyword", "encoding", "target", "target_id", "offset",
                    "context"),
}  # fmt: skip
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "message": ("app", "direction", "sender", "body"),
    "media": ("make", "model", "lat", "lon"),
    "file": ("name",),
    **FIELDS,
}
SELECTION_KEYS = (
    "selection",
    "profile",
    "description",
    "profile_sha256",
    "mask_tags",
    "media_tags",
    "media",
    "omit_tags",
)
SUMMARY_LIMIT = 300
DIRECTIONS = frozenset({"incoming", "outgoing", "missed"})
OCCURRENCE_LIMIT = 50
PROBLEM_FIELDS = ("source", "parser", "evidence_id", "path", "status", "message")


def write_all(site: Site) -> None:
    _index(site)
    _versions(site)
    _evidence(site)
    _messages(site)
    _records(site, "contacts", "contact")
    _records(site, "calls", "call")
    _web(site)
    _photos(site)
    _records(site, "keywords", "keyword_hit")
    _shared(site)
    _timeline(site)
    _coverage(site)
    _audit(site)


def _index(site: Site) -> None:
    model, fmt = site.model, site.fmt
    case = model.case()
    info = [(site.labels("case_" + k), fmt.text(case.get(k))) for k in CASE_KEYS]
    selection = model.selection()
    statement = [(site.labels("sel_" + k), fmt.text(selection.get(k))) for k in SELECTION_KEYS]
    site.page(
        "index.j2", "index.html", info=info,
        authorisation=fmt.text(case.get("authorisation")), notes=fmt.text(case.get("notes")),
        selection=statement, tz=model.timezone(),
        counts=[(kind, n) for kind, n in model.counts()],
        records_sha256=fmt.text(model.info.get("records_sha256")),
    )  # fmt: skip


def _versions(site: Site) -> None:
    model, fmt = site.model, site.fmt
    tools = [(fmt.text(n), fmt.text(v)) for n, v in model.tools()]
    keys = ("parser", "version", "status", "files", "records", "warnings")
    parsers = [[fmt.text(p.get(k)) for k in keys] for p in model.parsers()]
    pack_keys = ("pack", "version", "kind", "manifest_sha256", "files", "source")
    packs = [[fmt.text(p.get(k)) for k in pack_keys] for p in model.info.get("rule_packs", [])]
    site.page("versions.j2", "pages/versions.html", tools=tools, parsers=parsers, packs=packs)


def _evidence(site: Site) -> None:
    fmt = site.fmt
    keys = ("label", "identity", "kind", "format", "size", "files", "sha256", "md5",
            "media_sha256", "media_md5", "stored_md5", "stored_sha1", "verification",
            "verification_message", "status", "message", "added_at", "metadata")  # fmt: skip
    items = []
    for item in site.model.evidence():
        volumes = [
            [fmt.text(v.get(k)) for k in ("idx", "offset", "length", "fs_type", "status",
                                           "message")]
            for v in item.get("volumes", [])
        ]  # fmt: skip
        items.append({
            "id": fmt.text(item.get("id")),
            "rows": [(site.labels("ev_" + k), fmt.text(item.get(k))) for k in keys],
            "volumes": volumes,
        })  # fmt: skip
    check_keys = ("evidence_id", "item", "algorithm", "intake", "current", "status", "message")
    checks = [[fmt.text(getattr(c, k)) for k in check_keys] for c in site.model.checks]
    site.page("evidence.j2", "pages/evidence.html", items=items, checks=checks)


def _messages(site: Site) -> None:
    """The conversation index and each conversation's pages, from one ordered stream."""
    fmt = site.fmt
    index = Pager(site, "conversations.j2", "messages")
    current: tuple[Any, ...] | None = None
    pager: Pager | None = None
    number = 0
    first = ""
    last = ""
    marks = site.labels("deleted"), site.labels("f_recipients")
    for record in site.model.thread_messages():
        key = (record.get("evidence"), record.get("app"), record.get("thread"))
        if key != current:
            if pager is not None and current is not None:
                index.add(_conversation(site, current, pager, number, first, last))
            number += 1
            current, first = key, fmt.when(record.get("ts"))
            pager = Pager(site, "conversation.j2", f"conv-{number:05d}",
                          title=[fmt.text(v, 2000) for v in key])  # fmt: skip
        assert pager is not None
        last = fmt.when(record.get("ts"))
        pager.add(bubble(_bubble(site, record), *marks))
    if pager is not None and current is not None:
        index.add(_conversation(site, current, pager, number, first, last))
    index.close()


def _conversation(
    site: Site, key: tuple[Any, ...], pager: Pager, number: int, first: str, last: str
) -> dict[str, Any]:
    count = pager.close()
    cells = [site.fmt.text(v, 2000) for v in key] + [str(count), first, last]
    return {"href": Pager.file(f"conv-{number:05d}", 1), "cells": cells}


def _bubble(site: Site, record: dict[str, Any]) -> dict[str, Any]:
    fmt = site.fmt
    row = record_row(site, record, ())
    direction = record.get("direction")
    row.update(
        outgoing=direction == "outgoing",
        direction=(
            site.labels("dir_" + direction) if direction in DIRECTIONS else fmt.text(direction, 40)
        ),
        sender=fmt.text(record.get("sender")),
        recipients=fmt.text(record.get("recipients")),
        body=fmt.text(record.get("body")),
        attachments=[fmt.text(a) for a in record.get("attachments") or []
                     if isinstance(record.get("attachments"), list)],
    )  # fmt: skip
    return row


def _records(site: Site, section: str, kind: str, stem: str | None = None) -> int:
    fields = FIELDS[kind]
    pager = Pager(site, "table.j2", stem or section, title_key="title_" + kind,
                  columns=["col_time", "col_source", *("f_" + f for f in fields)])  # fmt: skip
    for record in site.model.view.records(kind):
        pager.add(table_row(record_row(site, record, fields), site.labels("deleted")))
    return pager.close()


def _web(site: Site) -> None:
    kinds = [(kind, _records(site, "web", kind, kind)) for kind in SECTION_KINDS["web"]]
    links = [(k, Pager.file(k, 1), n) for k, n in kinds]
    site.page("web.j2", "pages/web.html", kinds=links)


def _photos(site: Site) -> None:
    fmt = site.fmt
    pager = Pager(site, "photos.j2", "photos")
    for record in site.model.section("photos"):
        row = record_row(site, record, ("make", "model", "taken_local", "lat", "lon", "alt"))
        name, problem = site.model.thumbs.get(str(record.get("id")), (None, None))
        action = site.model.view.media_action(record)
        src = None if action == "omit" else site.media_src(name)
        if action == "omit":
            problem = site.labels("photo_withheld")
        elif src is None and not problem:
            problem = site.labels("photo_no_thumbnail")
        # alt names the record only: evidence text stays out of attributes
        row.update(src=src, problem=fmt.text(problem), alt=site.labels("photo_alt", id=row["id"]))
        pager.add(row)
    pager.close()


def _summary(site: Site, record: dict[str, Any]) -> str:
    fields = SUMMARY_FIELDS.get(str(record.get("kind")), ())
    parts = [site.fmt.text(record.get(f), SUMMARY_LIMIT) for f in fields]
    return site.fmt.text(" · ".join(p for p in parts if p), SUMMARY_LIMIT)


def _timeline(site: Site) -> None:
    fmt = site.fmt
    pager = Pager(site, "table.j2", "timeline", title_key="title_timeline",
                  columns=["col_time", "col_source", "f_kind", "col_summary"])  # fmt: skip
    deleted = site.labels("deleted")
    for record in site.model.timeline():
        row = record_row(site, record, ())
        row["cells"] += [fmt.text(record.get("kind"), 40), _summary(site, record)]
        pager.add(table_row(row, deleted))
    pager.close()


def _shared(site: Site) -> None:
    fmt = site.fmt
    pager = Pager(site, "shared.j2", "shared")
    for item in site.model.shared():
        occurrences = item.get("occurrences") or []
        shown = [
            [fmt.text(o.get(k)) for k in ("evidence", "record", "file", "path", "field", "raw")]
            for o in occurrences[:OCCURRENCE_LIMIT]
        ]
        pager.add({
            "type": fmt.text(item.get("type")), "value": fmt.text(item.get("value")),
            "evidence": fmt.text(item.get("evidence_ids")), "count": len(occurrences),
            "occurrences": shown, "more": max(0, len(occurrences) - OCCURRENCE_LIMIT),
        })  # fmt: skip
    pager.close()


def _coverage(site: Site) -> None:
    fmt, model = site.fmt, site.model
    problems = Pager(site, "problems.j2", "problems")
    for problem in model.problems():
        problems.add([fmt.text(problem.get(k)) for k in PROBLEM_FIELDS])
    total = problems.close()
    keys = ("parser", "version", "status", "files", "records", "warnings")
    parsers = [[fmt.text(p.get(k)) for k in keys] for p in model.parsers()]
    app_keys = ("evidence_id", "platform", "app_id", "name", "category", "container", "runs",
                "records")  # fmt: skip
    apps = [
        {"cells": [fmt.text(a.get(k)) for k in app_keys], "parsed": bool(a.get("parsed"))}
        for a in model.apps()
    ]
    site.page("coverage.j2", "pages/coverage.html", parsers=parsers, apps=apps,
              problems=total, problems_href=Pager.file("problems", 1))  # fmt: skip


def _audit(site: Site) -> None:
    fmt = site.fmt
    pager = Pager(site, "audit.j2", "audit")
    for entry in site.model.audit():
        pager.add([fmt.text(entry.get("seq")), fmt.when(entry.get("ts")),
                   fmt.text(entry.get("action")), fmt.text(entry.get("details")),
                   fmt.text(entry.get("hash"))])  # fmt: skip
    pager.close()
