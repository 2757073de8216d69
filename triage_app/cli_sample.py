"""`qarina sample` and `qarina demo`: the workshop sample, and a first result in minutes.

`qarina demo` builds the sample once (cached in Qarina's data folder: `core/appdirs.py`),
scans it into a case there (a scan that was stopped resumes), then opens the desktop
application on it — or, with `--headless` or when no display is available, writes an HTML
and CSV report and prints what the scan found beside the answer key.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from .sample import demo as demo_paths
from .sample.build import Sample, build_sample


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="A new folder for the three devices and expected.json.")  # fmt: skip
def sample(out_dir: Path) -> None:
    """Write the workshop sample (a fictional smuggling case on three seized devices: an
    Android extraction, an iPhone backup, a laptop E01) and its answer key to OUT."""
    try:
        made = build_sample(out_dir, say=lambda text: click.echo(f"  {text}"))
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    for key, path in made.evidence.items():
        click.echo(f"{key:8} {path}")
    click.echo(f"answer key: {made.expected}")


def _headless_needed() -> bool:
    """No display to open a window on (a server, a CI runner, an SSH session)."""
    from .gui.display import no_display

    return os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal") or no_display()


def _scanned_case(made: Sample) -> Path:
    from .core.engine import scan as run_scan

    case_dir = demo_paths.case_dir()
    if demo_paths.scanned():
        return case_dir
    click.echo(f"Scanning the three devices into {case_dir}…")
    summary = run_scan(case_dir, list(made.evidence.values()), demo_paths.OPTIONS)
    if summary.status != "ok" or summary.failed_evidence:
        raise click.ClickException(f"the sample scan did not complete: {summary.status}")
    click.echo(f"  {summary.files} files, {summary.artifacts} records in {summary.seconds:.0f} s")
    demo_paths.mark_scanned()
    return case_dir


def _new_folder(wanted: Path) -> Path:
    """`wanted`, or `wanted-2`, `wanted-3`… when a report of the same second exists."""
    path, number = wanted, 1
    while path.exists():
        number += 1
        path = wanted.with_name(f"{wanted.name}-{number}")
    return path


@click.command()
@click.option("--headless", is_flag=True,
              help="No window: write a report and print the summary (the default when no "
                   "display is available).")  # fmt: skip
@click.option("--lang", type=click.Choice(["en", "fr", "ar"]), default="en", show_default=True,
              help="Language of the window, or of the report when headless.")  # fmt: skip
def demo(headless: bool, lang: str) -> None:
    """Build the workshop sample (once), scan it, and open it in the desktop application —
    or, headless, report on it and compare what was found with the answer key."""
    made = demo_paths.ready_sample(click.echo)
    case_dir = _scanned_case(made)
    if not (headless or _headless_needed()):
        from .gui.app import run

        sys.exit(run(case_dir, lang, None, None))
    from .report.build import ReportOptions, build_report
    from .sample.answers import compare

    rows = compare(case_dir, made)
    width = max(len(r.what) for r in rows)
    for r in rows:
        mark = "ok" if r.ok else "DIFFERS"
        click.echo(f"  {r.what:<{width}}  expected {r.expected:<8} found {r.found:<8} {mark}")
    out = _new_folder(demo_paths.folder() / "reports" / time.strftime("report-%Y%m%d-%H%M%S"))
    result = build_report(case_dir, out, ReportOptions(("html", "csv"), lang=lang))
    click.echo(f"report: {result.folder / 'index.html'}")
    click.echo(f"manifest SHA-256: {result.manifest_sha256}")
    if not all(r.ok for r in rows):
        raise click.ClickException("the scan does not match the answer key (see DIFFERS above)")
    click.echo("The scan matches the answer key. Exercises: docs/TRAINING.md")
