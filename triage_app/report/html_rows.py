"""Fast HTML for the rows of the largest series (record tables, timeline, chat bubbles).

A 1,000,000-record case writes millions of cells; a Jinja2 macro call (or a
`Markup.format`) per cell costs more than the rest of the report. Rows are built here from
`Escaped` pieces only: fixed fragments written in this file, and values passed through
`_esc` (`html.escape`, quotes included). mypy checks that nothing else reaches `_html`, the
one place a built string becomes `Markup` for the template (tests/test_report_html.py checks
that `Markup` is called nowhere else). Every value has already been through
`Formatter.text`/`when` (controls and bidi overrides made visible), so a row is exactly what
the template loop wrote, escaped the same way.
"""

from __future__ import annotations

from html import escape
from typing import Any, NewType

from markupsafe import Markup

Escaped = NewType("Escaped", str)


def _esc(value: str) -> Escaped:
    return Escaped(escape(value, quote=True))


def _html(*parts: Escaped) -> Markup:
    return Markup("".join(parts))


def _marks(row: dict[str, Any], deleted: Escaped) -> Escaped:
    tags = "".join(f' <span class="tag" dir="auto">{_esc(t)}</span>' for t in row["tags"])
    gone = f' <span class="deleted">{deleted}</span>' if row["deleted"] else ""
    return Escaped(tags + gone)


def table_row(row: dict[str, Any], deleted: str) -> Markup:
    """`<tr>`: the record id cell (tags, deleted mark), then one cell per value."""
    rid = Escaped(f'<tr><td class="rid"><code dir="auto">{_esc(row["id"])}</code>')
    marks = _marks(row, _esc(deleted))
    cells = Escaped("".join(f'<td dir="auto">{_esc(c)}</td>' for c in row["cells"]))
    return _html(rid, marks, Escaped("</td>"), cells, Escaped("</tr>\n"))


def bubble(row: dict[str, Any], deleted: str, recipients_label: str) -> Markup:
    """`<li>` of one message in a conversation."""
    side = "out" if row["outgoing"] else "in"
    head = Escaped(
        f'<li class="bubble {side}">\n<p class="meta"><span class="sender" dir="auto">'
        f'{_esc(row["sender"])}</span> <span class="dirn" dir="auto">{_esc(row["direction"])}'
        f'</span> <time dir="ltr">{_esc(row["cells"][0])}</time></p>\n'
    )
    recipients = Escaped(
        f'<p class="meta">{_esc(recipients_label)}: <span dir="auto">'
        f"{_esc(row['recipients'])}</span></p>\n"
        if row["recipients"]
        else ""
    )
    body = Escaped(f'<p class="body" dir="auto">{_esc(row["body"])}</p>\n')
    items = "".join(f'<li dir="auto">{_esc(a)}</li>' for a in row["attachments"])
    attachments = Escaped(f'<ul class="attachments">\n{items}</ul>\n' if items else "")
    ref = Escaped(f'<p class="meta ref"><code dir="auto">{_esc(row["id"])}</code>')
    source = Escaped(f' · <span dir="auto">{_esc(row["cells"][1])}</span></p>\n</li>\n')
    marks = _marks(row, _esc(deleted))
    return _html(head, recipients, body, attachments, ref, marks, source)
