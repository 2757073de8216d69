"""`qarina gui`: the desktop application, and its screenshot mode for docs, handouts and tests."""

from __future__ import annotations

import sys
from pathlib import Path

import click

VIEW_NAMES = ("messages", "contacts", "calls", "web", "photos", "map", "keywords", "links",
              "files", "timeline", "coverage", "audit")  # fmt: skip


@click.command()
@click.argument("case_dir", required=False, type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["en", "fr", "ar"]),
              help="Interface language (default: the last one chosen, else English).")  # fmt: skip
@click.option(
    "--screenshot",
    type=click.Path(path_type=Path),
    help="Render the window at 1366×768 to this PNG and exit (works without a display).",
)
@click.option("--view", type=click.Choice(VIEW_NAMES), help="The view to show first.")
def gui(case_dir: Path | None, lang: str | None, screenshot: Path | None, view: str | None) -> None:
    """Open the desktop application, on CASE_DIR if given (else the start screen)."""
    if view and case_dir is None:
        raise click.UsageError("--view needs a CASE_DIR")
    from .gui.app import run

    sys.exit(run(case_dir, lang, screenshot, view))
