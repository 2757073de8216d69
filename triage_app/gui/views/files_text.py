"""How the Files view's preview shows a file's first bytes: a hex dump and decoded text.

Pure functions, run in the preview thread (`hex_dump`, `decode_text`) or the UI thread
(`content_direction`). The bytes are evidence: the text is made safe to show as plain text
(invalid bytes become U+FFFD, C0 controls their Unicode control pictures).
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import Qt


def hex_dump(data: bytes, width: int = 16) -> str:
    """`offset  hex bytes  ASCII` lines; bytes outside printable ASCII show as '.'."""
    lines = []
    for offset in range(0, len(data), width):
        chunk = data[offset : offset + width]
        hexed = " ".join(f"{b:02x}" for b in chunk).ljust(width * 3 - 1)
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexed}  {text}")
    return "\n".join(lines)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16BE"),
)
# C0 controls other than tab/newline/carriage return would be invisible or garble the pane:
# shown as their Unicode control pictures (U+2400...), DEL as U+2421.
_CONTROLS = {c: 0x2400 + c for c in range(0x20) if chr(c) not in "\t\n\r"} | {0x7F: 0x2421}


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name): a BOM wins; else UTF-16 when NULs sit at one parity (ASCII-range
    text in UTF-16); else UTF-8. Invalid bytes become U+FFFD."""
    codec, name = "utf-8", "UTF-8"
    for bom, bom_codec, bom_name in _BOMS:
        if data.startswith(bom):
            codec, name, data = bom_codec, bom_name, data[len(bom) :]
            break
    else:
        sample = data[:4096]
        half = max(len(sample) // 2, 1)
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if len(sample) >= 4 and odd > half * 0.6 and even < half * 0.1:
            codec, name = "utf-16-le", "UTF-16LE"
        elif len(sample) >= 4 and even > half * 0.6 and odd < half * 0.1:
            codec, name = "utf-16-be", "UTF-16BE"
        elif _utf16_text(sample):
            codec, name = "utf-16-le", "UTF-16LE"
    text = data.decode(codec, errors="replace")  # a cut last code unit becomes U+FFFD too
    return text.translate(_CONTROLS), name


def _utf16_text(sample: bytes) -> bool:
    """Not clean UTF-8 but UTF-16LE text of one or two scripts (e.g. Arabic: high bytes 0x06
    and, for spaces and digits, 0x00): few distinct high bytes and clean, printable text."""
    if len(sample) < 16:
        return False
    try:
        as_utf8 = sample.decode("utf-8")
        if sum(1 for ch in as_utf8 if ord(ch) < 0x20 and ch not in "\t\r\n") < len(sample) / 8:
            return False  # Arabic UTF-16LE is also valid UTF-8 (bytes < 0x80), full of controls
    except UnicodeDecodeError:
        pass
    high = sample[1::2]
    common = sorted((high.count(b) for b in set(high)), reverse=True)[:3]
    if sum(common) < 0.95 * len(high):
        return False
    text = sample[: len(sample) // 2 * 2].decode("utf-16-le", errors="replace")
    good = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
    return good >= 0.95 * len(text) and "\ufffd" not in text


def content_direction(text: str, limit: int = 2000) -> Qt.LayoutDirection:
    """Right-to-left when the first strong character is Arabic/Hebrew (Unicode bidi R/AL)."""
    for ch in text[:limit]:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
    return Qt.LayoutDirection.LayoutDirectionAuto
