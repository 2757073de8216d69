"""`qarina tag`, `untag`, `tags` and `case-info`: what the examiner adds to a case. Every
change is written to the hash-chained audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from .core.case import Case
from .core.casedb import DB_NAME, connect
from .core.errors import QarinaError
from .core.tags import BOOKMARK, add_tag, list_tags, remove_tag

CASE_FIELDS = ("case_number", "examiner", "agency", "authorisation", "notes")


def _case(case_dir: Path) -> Case:
    if not (case_dir / DB_NAME).is_file():
        raise click.ClickException(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
    return Case.open(case_dir, create=False)


@click.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.argument("record_ids", nargs=-1, required=True)
@click.option("--tag", "tag", default=BOOKMARK, show_default=True,
              help="e.g. suspect, victim, sensitive, privileged, relevant.")  # fmt: skip
@click.option("--note", help="Why this record matters (kept with the tag and in the audit log).")
def tag(case_dir: Path, record_ids: tuple[str, ...], tag: str, note: str | None) -> None:
    """Bookmark or tag records (RECORD_IDS as printed by export, search and links: rec:12,
    file:3, ent:7). Tags drive `qarina report --selection` and `--redact`."""

    def one(case: Case, record_id: str) -> str:
        done = add_tag(case, record_id, tag, note)
        return f"{done.record_id}: {done.tag}"

    _each(case_dir, record_ids, one)


def _each(case_dir: Path, record_ids: tuple[str, ...], action: Callable[[Case, str], str]) -> None:
    case = _case(case_dir)
    try:
        for record_id in record_ids:
            click.echo(action(case, record_id))
    except QarinaError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        case.close()


@click.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.argument("record_ids", nargs=-1, required=True)
@click.option("--tag", "tag", default=BOOKMARK, show_default=True)
def untag(case_dir: Path, record_ids: tuple[str, ...], tag: str) -> None:
    """Remove a bookmark or tag from records."""

    def one(case: Case, record_id: str) -> str:
        removed = remove_tag(case, record_id, tag)
        return f"{record_id}: {'removed' if removed else 'was not tagged'} {tag}"

    _each(case_dir, record_ids, one)


@click.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--tag", "tag", help="Only this tag.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines.")
def tags(case_dir: Path, tag: str | None, as_json: bool) -> None:
    """List bookmarks and tags."""
    if not (case_dir / DB_NAME).is_file():
        raise click.ClickException(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        found = list_tags(conn, tag)
    except QarinaError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        conn.close()
    for item in found:
        if as_json:
            click.echo(json.dumps(item.__dict__, ensure_ascii=False))
        else:
            note = f"  {item.note}" if item.note else ""
            click.echo(f"{item.record_id}\t{item.tag}\t{item.created}\t{item.examiner}{note}")


@click.command("case-info")
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--case-number")
@click.option("--examiner")
@click.option("--agency")
@click.option("--authorisation", help="Warrant or authorisation reference for the examination.")
@click.option("--notes", help="Examiner's notes for the report.")
def case_info(case_dir: Path, **values: str | None) -> None:
    """Show or set the case details printed at the top of the report."""
    case = _case(case_dir)
    try:
        changed: dict[str, str | None] = {k: v for k, v in values.items() if v is not None}
        if changed:
            case.db.set_info(changed)
            case.audit.append("case_info_updated", **changed)
        info = case.db.info()
    finally:
        case.close()
    for key in (*CASE_FIELDS, "timezone", "created_at"):
        click.echo(f"{key}: {info.get(key) or '-'}")


def register(main: click.Group) -> None:
    for command in (tag, untag, tags, case_info):
        main.add_command(command)
