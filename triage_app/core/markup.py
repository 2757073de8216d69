"""Skype-style XML/HTML message markup reduced to text, by a bounded linear tokenizer.

Used for Skype's `body_xml` (`&apos;`, `<a href>`, `<ss>` emoticons, `<URIObject>` shared
media, `<sms>`, `<files>`) and for the HTML of Teams messages. Tags are dropped, HTML's named
and numeric character references decoded (never a DTD's entities), nothing is loaded or run.
"""

from __future__ import annotations

import re
from html import unescape

# Bounds the tokenizer's work on a hostile body; the caller still keeps the raw markup whole.
_MAX_XML_CHARS = 1 << 20
# Children of Skype's <sms> that hold delivery metadata, not the text the user wrote.
_META_TAGS = frozenset({"type", "status", "failurereason", "targets", "price", "untilnext"})
_META_TAGS |= {"encoded_body", "sendtimestamp"}

# One pass, linear in the input (no backtracking across "<"): a start or end tag, any other
# markup (declaration, comment, CDATA, processing instruction: dropped, never interpreted), a
# run of text, or a stray "<" kept as text. Entities: HTML's named and numeric references
# only; entities declared inside the body (a DTD) are never expanded.
_TOKEN = re.compile(r"<(/?)([A-Za-z_][\w:.-]*)([^<>]*)>|<[^<>]*>|[^<]+|<")
_ATTR = re.compile(r"""(?<![\w:.-])([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MAX_ATTR_CHARS = 4096


def unescape_text(text: str) -> str:
    """HTML character references decoded; the text as stored when one cannot be."""
    try:
        return unescape(text)
    except ValueError:  # a numeric reference too long for int(): keep it literally
        return text


def _attrs(text: str) -> dict[str, str]:
    return {
        m[1].lower(): unescape_text(m[2] if m[2] is not None else m[3])
        for m in _ATTR.finditer(text[:_MAX_ATTR_CHARS])
    }


class _Markup:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.attachments: list[str] = []
        self.alt: str | None = None
        self._skip = 0
        self._in_file = False

    def start(self, tag: str, attrs: str) -> None:
        if tag == "sms" and self.alt is None:
            self.alt = _attrs(attrs).get("alt")
        elif tag == "originalname" and _attrs(attrs).get("v"):
            self.attachments.append(_attrs(attrs)["v"])
        self._in_file = tag == "file"
        if tag in _META_TAGS:
            self._skip += 1
        if attrs.rstrip().endswith("/"):
            self.end(tag)

    def end(self, tag: str) -> None:
        self._in_file = False
        if tag in _META_TAGS and self._skip:
            self._skip -= 1

    def data(self, text: str) -> None:
        if self._skip:
            return
        self.parts.append(text)
        if self._in_file and text.strip():
            self.attachments.append(text.strip())


def body_text(raw: str) -> tuple[str, list[str]]:
    """Text and attachment names of a Skype `body_xml` value (markup removed, never run)."""
    if "<" not in raw and "&" not in raw:
        return raw, []
    markup = _Markup()
    for match in _TOKEN.finditer(raw[:_MAX_XML_CHARS]):
        closing, tag, attrs = match.group(1, 2, 3)
        token = match[0]
        if tag is not None and closing:
            markup.end(tag.lower())
        elif tag is not None:
            markup.start(tag.lower(), attrs)
        elif token == "<" or not token.startswith("<"):
            markup.data(unescape_text(token))
    text = "".join(markup.parts)
    if not text.strip() and markup.alt:
        text = markup.alt
    return text, markup.attachments
