"""`qarina report`: write a report folder with its hashed manifest."""

from __future__ import annotations

from pathlib import Path

import click

from .core.casedb import DB_NAME
from .core.errors import QarinaError


@click.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="A new (or empty) folder for the report.")  # fmt: skip
@click.option("--format", "formats", default="csv,kml", show_default=True,
              help="Comma-separated: csv (one file per record kind, UTF-8 with BOM), "
                   "kml (located records as KML and GeoJSON).")  # fmt: skip
def report(case_dir: Path, out_dir: Path, formats: str) -> None:
    """Write the case's records to OUT as CSV and KML/GeoJSON, with SHA256SUMS and
    manifest.json; the manifest's SHA-256 is printed and written to the audit log.
    Check a report later with `qarina verify REPORT_DIR` or `sha256sum -c SHA256SUMS`."""
    from .report.build import build_report

    if not (case_dir / DB_NAME).is_file():
        raise click.ClickException(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    try:
        result = build_report(case_dir, out_dir, chosen)
    except QarinaError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"report written: {result.folder} ({result.files} files)")
    click.echo(f"manifest.json SHA-256: {result.manifest_sha256}")


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
