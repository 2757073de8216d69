"""Printing evidence to a terminal.

A message body, a file name or an app's name is written by whoever controlled the device: an
escape sequence in it (ESC [ …) would move the cursor, rewrite earlier lines or retitle the
examiner's terminal, and a right-to-left override would reorder what follows. Every line of
the commands' text output that can hold evidence goes through `say`, which shows control and
bidi-override characters as visible escapes (`\\x1b`, `\\u202e`), as the GUI and the report do.
JSON output needs nothing more: `json.dumps` escapes control characters itself, and its
consumers are programs.
"""

from __future__ import annotations

import click

from .report.tables import escape_controls


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    click.echo(escape_controls(text), err=err, nl=nl)
