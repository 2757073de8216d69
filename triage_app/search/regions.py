"""Where text can be in a photo or a video: everything but its compressed picture and sound.

Most of a phone's bytes are JPEG and MP4 files, and most of each of those is
entropy-coded picture or sound data, which cannot hold a keyword, a phone number or a
wallet written as text. Their text is in the metadata around it: EXIF, XMP and comment
segments, PNG text chunks, MP4 `moov`/`udta` boxes, and anything appended after the end of
the picture (a classic place to hide a payload). `text_spans` returns those parts, so the
bundled text rules read a few kilobytes of a photo instead of megabytes.

The walk is deliberately conservative: every byte that is not inside a well-formed
compressed-data region is kept. Where the structure breaks (a truncated or crafted file,
a marker where none may be), the rest of the file from that point is kept whole.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

# In JPEG entropy-coded data 0xFF is always followed by 0x00 (stuffing) or a restart marker
# RST0-7; anything else ends the data.
_JPEG_DATA_END = re.compile(rb"\xff[^\x00\xd0-\xd7]")
_ISO_BMFF_PAYLOADS = frozenset({b"mdat"})
_PNG_PAYLOADS = frozenset({b"IDAT", b"fdAT"})


def _jpeg(data: bytes) -> list[Span]:
    """Spans of a JPEG outside its entropy-coded scans (header segments, trailer)."""
    spans: list[Span] = []
    size, keep_from, pos = len(data), 0, 2
    while pos + 4 <= size and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:  # end of image: what follows is kept whole (appended data)
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            break
        pos += 2 + length
        if marker == 0xDA and pos < size:  # start of scan: entropy-coded data follows
            end = _JPEG_DATA_END.search(data, pos)
            data_end = end.start() if end else size
            spans.append((keep_from, pos))
            keep_from = pos = data_end
    spans.append((keep_from, size))
    return spans


def _png(data: bytes) -> list[Span]:
    """Spans of a PNG outside its IDAT/fdAT payloads (text chunks, header, trailer)."""
    spans: list[Span] = []
    size, keep_from, pos = len(data), 0, 8
    while pos + 12 <= size:
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > size:
            break
        if kind in _PNG_PAYLOADS:
            spans.append((keep_from, pos + 8))
            keep_from = pos + 8 + length  # the CRC and what follows are kept
        pos = end
        if kind == b"IEND":
            break
    spans.append((keep_from, size))
    return spans


def _iso_bmff(data: bytes) -> list[Span]:
    """Spans of an MP4/MOV/3GP file outside the payload of its top-level `mdat` boxes. Not
    for HEIC/HEIF: their EXIF and XMP items are usually stored in `mdat` too."""
    spans: list[Span] = []
    size, keep_from, pos = len(data), 0, 0
    while pos + 8 <= size:
        box = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if box == 1:  # 64-bit size follows the type
            if pos + 16 > size:
                break
            box, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif box == 0:  # box runs to the end of the file
            box = size - pos
        if box < header or pos + box > size:
            break
        if kind in _ISO_BMFF_PAYLOADS:
            spans.append((keep_from, pos + header))
            keep_from = pos + box
        pos += box
    spans.append((keep_from, size))
    return spans


_WALKERS = {
    "image/jpeg": _jpeg,
    "image/png": _png,
    "video/mp4": _iso_bmff,
    "video/quicktime": _iso_bmff,
    "video/3gpp": _iso_bmff,
}


def text_spans(data: bytes, mime: str | None) -> list[Span] | None:
    """The (start, end) spans of `data` that can hold text, in order and without overlap;
    None when the whole file is to be searched (any type not walked here)."""
    walker = _WALKERS.get(mime or "")
    if walker is None:
        return None
    return [(start, end) for start, end in walker(data) if end > start]
