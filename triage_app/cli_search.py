"""`qarina search`, `qarina links` and `qarina hashset`: questions asked of a scanned case."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from .cli_text import say
from .core.case import Case
from .core.casedb import DB_NAME, connect
from .core.errors import QarinaError

KINDS_SEARCHED = (
    "message", "contact", "call", "web_visit", "web_download", "web_search", "web_cookie",
    "web_form", "web_cache", "media",
)  # fmt: skip


def _read_case(case_dir: Path) -> Any:
    if not (case_dir / DB_NAME).is_file():
        raise click.ClickException(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
    return connect(case_dir / DB_NAME, readonly=True)


def _emit(
    items: Iterable[dict[str, Any]],
    as_json: bool,
    lines: Callable[[dict[str, Any]], list[str]],
    noun: str,
) -> None:
    """Items as JSON lines, or as text lines with a count on stderr."""
    count = 0
    for item in items:
        count += 1
        if as_json:
            click.echo(json.dumps(item, ensure_ascii=False, default=str))
            continue
        for line in lines(item):
            say(line)
    if not as_json:
        click.echo(f"{count} {noun}", err=True)


def _summary(record: dict[str, Any]) -> str:
    keys = ("body", "title", "url", "name", "term", "value", "number", "host")
    text = next((str(record[k]) for k in keys if record.get(k)), "")
    text = " ".join(text.split())
    return text[:120] + ("…" if len(text) > 120 else "")


@click.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.argument("query")
@click.option("--kind", type=click.Choice(KINDS_SEARCHED), help="Only records of this kind.")
@click.option("--limit", default=100, show_default=True, help="At most this many records.")
@click.option("--json", "as_json", is_flag=True, help="Records as JSON lines.")
def search(case_dir: Path, query: str, kind: str | None, limit: int, as_json: bool) -> None:
    """Records whose text contains every word of QUERY.

    Arabic is matched whatever the spelling of alef, ya/alef maqsura and ta marbuta, with or
    without harakat and tatweel; Arabic-Indic digits match ASCII digits; Latin letters
    match in any case. A word matches inside longer words (والقارب contains قارب).
    """
    from .search.query import search_records

    def lines(record: dict[str, Any]) -> list[str]:
        ts = record["ts"] or "-"
        return [f"{record['id']}  {record['kind']:<12} {ts:<20} {record['path']}  "
                f"{_summary(record)}"]  # fmt: skip

    conn = _read_case(case_dir)
    try:
        _emit(search_records(conn, query, kind, limit), as_json, lines, "record(s)")
    finally:
        conn.close()


@click.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--type", "kind", type=click.Choice(["phone", "email", "url", "wallet", "iban"]))
@click.option("--min-items", default=2, show_default=True,
              help="Shared by at least this many evidence items.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per identifier.")
def links(case_dir: Path, kind: str | None, min_items: int, as_json: bool) -> None:
    """Identifiers (phone numbers, e-mails, URLs, wallets, IBANs) found on several evidence
    items, with every place each occurs: the links between seized devices."""
    from .search.query import shared_identifiers

    def lines(item: dict[str, Any]) -> list[str]:
        items = ", ".join(str(e) for e in item["evidence_ids"])
        out = [f"{item['type']} {item['value']}  (evidence {items})"]
        for o in item["occurrences"]:
            where = o["record"] or o["file"]
            out.append(f"    evidence {o['evidence']}  {where}  {o['path'] or ''}"
                       f"  {o['field'] or ''}  {o['raw'] or ''}")  # fmt: skip
        return out

    conn = _read_case(case_dir)
    try:
        _emit(shared_identifiers(conn, kind, max(1, min_items)), as_json, lines,
              "shared identifier(s)")  # fmt: skip
    finally:
        conn.close()


@click.group()
def hashset() -> None:
    """Known-file hash sets (plain lists, CSV, hashdeep, Project VIC VICS, NSRL RDS v3)."""


@hashset.command("import")
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--name", required=True, help="A name for the set, shown with each match.")
@click.option("--category", required=True,
              type=click.Choice(["known_bad", "known_good", "other"]))  # fmt: skip
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def hashset_import(case_dir: Path, name: str, category: str, source: Path) -> None:
    """Import SOURCE into the case and flag matching files (now and in later scans)."""
    from .search.hashset_match import import_hashset

    if not (case_dir / DB_NAME).is_file():
        raise click.ClickException(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
    case = Case.open(case_dir)
    try:
        if case.db.query("SELECT 1 FROM hashsets WHERE name = ?", (name,)):
            raise click.ClickException(f"the case already has a hash set named {name!r}")
        result = import_hashset(case, source, name, category)
    except QarinaError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        case.close()
    click.echo(f"{name}: {result.format}, {result.entries} hashes, {result.bad_lines} "
               f"malformed line(s), {result.matches} file match(es)")  # fmt: skip
    if result.sha1_only:
        click.echo(f"  {result.sha1_only} SHA-1 hashes cannot match (files are hashed with "
                   "SHA-256 and MD5)", err=True)  # fmt: skip
    for warning in result.warnings[:10]:
        click.echo(f"  warning: {warning}", err=True)


@hashset.command("list")
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
def hashset_list(case_dir: Path) -> None:
    """The case's hash sets with their source hash and number of matching files."""
    conn = _read_case(case_dir)
    try:
        rows = conn.execute(
            "SELECT s.*, (SELECT count(*) FROM hashset_hits h WHERE h.set_id = s.id) AS hits"
            " FROM hashsets s ORDER BY s.id"
        ).fetchall()
    finally:
        conn.close()
    for r in rows:
        click.echo(f"{r['name']} [{r['category']}] {r['format']} {r['entries']} hashes, "
                   f"{r['hits']} matching file(s)")  # fmt: skip
        click.echo(f"    {r['source']} sha256 {r['source_sha256']}")
    if not rows:
        click.echo("no hash sets", err=True)


def register(main: click.Group) -> None:
    main.add_command(search)
    main.add_command(links)
    main.add_command(hashset)
