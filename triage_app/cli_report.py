"""`qarina report`: write a report folder with its hashed manifest."""

from __future__ import annotations

from pathlib import Path

import click

from .core.casedb import DB_NAME, connect
from .core.errors import QarinaError
from .report.build import FORMATS
from .report.labels import LANGUAGES


@click.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="A new (or empty) folder for the report.")  # fmt: skip
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True,
              help="Comma-separated: html (pages with thumbnails), pdf (for court, Arabic "
                   "font embedded), csv (one file per record kind, UTF-8 with BOM), kml "
                   "(located records as KML and GeoJSON), case-uco (JSON-LD).")  # fmt: skip
@click.option("--selection", default="all", show_default=True,
              help="all | bookmarked (records with any bookmark or tag) | tag:NAME[,NAME] | "
                   "record kinds, comma-separated (e.g. message,call).")  # fmt: skip
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the HTML and PDF report.")  # fmt: skip
@click.option("--redact", metavar="PROFILE",
              help="Redaction profile: victims, sensitive-media, public, or a JSON file "
                   "(docs/REPORTS.md). The profile applied is stated in the report.")  # fmt: skip
@click.option(
    "--no-rehash",
    is_flag=True,
    help="Do not re-hash the evidence now (the report then shows intake hashes only).",
)
@click.option("--pdf-rows", default=1000, show_default=True, type=click.IntRange(min=0),
              help="Rows per record section in the PDF; the rest are named as left to the "
                   "HTML and CSV files (0: all).")  # fmt: skip
@click.option(
    "--password",
    envvar="QARINA_BACKUP_PASSWORD",
    help="Password of an encrypted backup in the case (for photo thumbnails).",
)
def report(
    case_dir: Path, out_dir: Path, formats: str, selection: str, lang: str,
    redact: str | None, no_rehash: bool, pdf_rows: int, password: str | None,
) -> None:  # fmt: skip
    """Write a report of the case to OUT: the chosen formats, then SHA256SUMS and
    manifest.json; the manifest's SHA-256 is printed and written to the audit log. Check a
    report later with `qarina verify REPORT_DIR` or `sha256sum -c SHA256SUMS`."""
    from .report.build import ReportOptions, build_report

    if not (case_dir / DB_NAME).is_file():
        raise click.ClickException(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    options = ReportOptions(
        chosen, selection, lang, redact, rehash=not no_rehash, pdf_rows=pdf_rows,
        passwords=_passwords(case_dir, password),
    )  # fmt: skip
    try:
        result = build_report(case_dir, out_dir, options)
    except QarinaError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"report written: {result.folder} ({result.files} files)")
    click.echo(f"manifest.json SHA-256: {result.manifest_sha256}")


def _passwords(case_dir: Path, password: str | None) -> dict[int, str] | None:
    """The one password given, for every evidence item that is an encrypted backup."""
    if not password:
        return None
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        return {int(r[0]): password for r in conn.execute("SELECT id FROM evidence")}
    finally:
        conn.close()


def verify_report_dir(report_dir: Path) -> int:
    """Exit status of `qarina verify REPORT_DIR`: 0 intact, 1 otherwise."""
    from .report.manifest import printable, verify_report

    try:
        result = verify_report(report_dir)
    except QarinaError as exc:
        click.echo(f"report NOT verifiable: {exc}", err=True)
        return 1
    for label, names in (("modified", result.modified), ("missing", result.missing),
                         ("added", result.added)):  # fmt: skip
        for name in names:
            click.echo(f"{label}: {printable(name)}", err=True)
    for problem in result.problems:
        click.echo(f"problem: {printable(problem)}", err=True)
    if result.ok:
        click.echo(f"report intact; manifest.json SHA-256 {result.manifest_sha256}")
        return 0
    click.echo("report NOT intact", err=True)
    return 1
