"""Qt side of the PDF report: pages, header and footer, and text flowed across pages.

Imported only by `pdf.write_pdf` (lazily), so the core never loads PySide6. The report is
drawn with QPdfWriter + QPainter; each chunk of content is a small QTextDocument built
through QTextCursor (evidence text is inserted as plain text, never parsed as HTML) and laid
out with the body rectangle as its page size, then drawn page by page. A chunk starts where
the previous one ended (its first block has a top margin equal to the space already used on
the page), so sections flow without blank pages while memory holds one chunk at a time.

Fonts are the bundled Noto files: Noto Sans for Latin, Noto Naskh Arabic as the fallback
family for Arabic; no system font is used. Block direction is set explicitly per block:
paragraphs follow the report language, free-text values their first strong character.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl, QUuid
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
    QTextOption,
)

from ..core.resources import resource_dir
from .labels import Labels

DPI = 300
MARGIN_MM = 16.0
BAND_PT = 22.0  # height reserved for the header and the footer inside the margins
BASE_PT = 9.5
FAMILIES = ["Noto Sans", "Noto Naskh Arabic"]
FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoNaskhArabic-Bold.ttf",
)
_state: dict[str, object] = {}
_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]{0,16})\)")
_FALLBACK_STAMP = "20000101000000"


def ensure_app() -> None:
    """A Qt application (offscreen when there is no display) with the bundled fonts. It is a
    QApplication, not a bare QGuiApplication: a process that writes a PDF first (a test
    session, a script) may show widgets afterwards, which a QGuiApplication would abort."""
    if QGuiApplication.instance() is None:
        from PySide6.QtWidgets import QApplication

        headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if headless and not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _state["app"] = QApplication([])
    if "fonts" not in _state:
        folder = resource_dir("fonts")
        for name in FONT_FILES:
            # From bytes, not a path: Qt orders the fonts it embeds by a hash that includes
            # the file name, so the same report differed between install folders.
            if QFontDatabase.addApplicationFontFromData((folder / name).read_bytes()) < 0:
                raise RuntimeError(f"bundled font {folder / name} cannot be loaded")
        _state["fonts"] = True


def direction_of(text: str, default: str) -> str:
    """ "rtl" or "ltr" from the first strong character of `text` (Unicode bidi class)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return default


def _qt_direction(direction: str) -> Qt.LayoutDirection:
    return Qt.LayoutDirection.RightToLeft if direction == "rtl" else Qt.LayoutDirection.LeftToRight


def base_font(size: float = BASE_PT, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FAMILIES)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


class Chunk:
    """One QTextDocument of content, written block by block through a cursor."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.doc = QTextDocument()
        self.doc.documentLayout().setPaintDevice(pages.writer)
        self.doc.setDefaultFont(base_font())
        self.doc.setDocumentMargin(0)
        self.doc.setUndoRedoEnabled(False)
        self.doc.setPageSize(QSizeF(pages.body.width(), pages.body.height()))
        self.cursor = QTextCursor(self.doc)
        self.blocks = 0
        self.images = 0

    def _block(self, direction: str, indent: int, top: float) -> None:
        fmt = QTextBlockFormat()
        fmt.setLayoutDirection(_qt_direction(direction))
        fmt.setAlignment(Qt.AlignmentFlag.AlignLeading)
        fmt.setIndent(indent)
        space = top / 72 * DPI
        fmt.setTopMargin(space)
        if self.blocks == 0:
            fmt.setTopMargin(space + self.pages.used)
            self.cursor.setBlockFormat(fmt)
        else:
            self.cursor.insertBlock(fmt)
        self.blocks += 1

    def text(
        self, parts: list[tuple[str, bool]], direction: str, *, size: float = BASE_PT,
        indent: int = 0, top: float = 2.0,
    ) -> None:  # fmt: skip
        """A paragraph of plain-text runs (text, bold)."""
        self._block(direction, indent, top)
        for text, bold in parts:
            fmt = QTextCharFormat()
            fmt.setFont(base_font(size, bold))
            self.cursor.insertText(text, fmt)

    def image(self, image: QImage, width_mm: float, direction: str) -> None:
        self._block(direction, 1, 4.0)
        self.images += 1
        name = f"qarina-image:{self.images}"
        self.doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        width = width_mm / 25.4 * DPI
        fmt = QTextImageFormat()
        fmt.setName(name)
        fmt.setWidth(width)
        fmt.setHeight(width * image.height() / max(1, image.width()))
        self.cursor.insertImage(fmt)

    def flush(self) -> None:
        if self.blocks:
            self.pages.flow(self.doc)


class Pages:
    """The PDF being written: page count, the space used on the current page, header/footer."""

    def __init__(self, path: Path, meta: dict[str, str], direction: str) -> None:
        self.writer = QPdfWriter(str(path))
        self.writer.setResolution(DPI)
        self.writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.writer.setPageMargins(margins, QPageLayout.Unit.Millimeter)
        self.writer.setCreator(meta["creator"])
        self.writer.setTitle(meta["title"])
        self.writer.setDocumentId(QUuid(meta["uuid"]))
        self.writer.setDocumentXmpMetadata(meta["xmp"].encode("utf-8"))
        self.meta = meta
        self.direction = direction
        paint = QRectF(self.writer.pageLayout().paintRectPixels(DPI))
        band = BAND_PT / 72 * DPI
        self.full = QRectF(0, 0, paint.width(), paint.height())
        self.body = QRectF(0, band, paint.width(), paint.height() - 2 * band)
        self.painter = QPainter(self.writer)
        self.page = 1
        self.used = 0.0
        self._bands()

    def _bands(self) -> None:
        painter = self.painter
        painter.save()
        painter.setLayoutDirection(_qt_direction(self.direction))
        painter.setFont(base_font(7.5))
        band = self.body.top()
        option = QTextOption(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        option.setTextDirection(_qt_direction(self.direction))
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        head = QRectF(0, 0, self.full.width(), band * 0.8)
        painter.drawText(head, self.meta["header"], option)
        foot = QRectF(0, self.full.height() - band * 0.8, self.full.width(), band * 0.8)
        painter.drawText(foot, self.meta["footer"].format(page=self.page), option)
        painter.drawLine(head.bottomLeft(), head.bottomRight())
        painter.drawLine(foot.topLeft(), foot.topRight())
        painter.restore()

    def new_page(self) -> None:
        self.writer.newPage()
        self.page += 1
        self.used = 0.0
        self._bands()

    def flow(self, doc: QTextDocument) -> None:
        """Draw `doc` from the current position, adding pages as its layout needs."""
        height = self.body.height()
        pages = doc.pageCount()
        for index in range(pages):
            if index:
                self.new_page()
            self.painter.save()
            self.painter.translate(self.body.left(), self.body.top() - index * height)
            doc.drawContents(self.painter, QRectF(0, index * height, self.body.width(), height))
            self.painter.restore()
        bottom = doc.documentLayout().blockBoundingRect(doc.lastBlock()).bottom()
        self.used = max(0.0, bottom - (pages - 1) * height)
        if self.used >= height - 1:
            self.new_page()

    def close(self) -> None:
        self.painter.end()


def _xmp(title: str, creator: str, stamp: str, doc_id: str) -> str:
    iso = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:]}Z"
    esc = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    title, creator = ("".join(esc.get(c, c) for c in s) for s in (title, creator))
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"'
        f' xmp:CreatorTool="{creator}" xmp:CreateDate="{iso}" xmp:ModifyDate="{iso}"'
        f' xmp:MetadataDate="{iso}" xmpMM:DocumentID="uuid:{doc_id}">\n'
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt>'
        "</dc:title>\n"
        "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )


def metadata(
    labels: Labels, number: str, digest: str, version: str, created: str | None
) -> dict[str, str]:
    """Title, header, footer (with a `{page}` field), document id and XMP packet: all fixed
    by the case (case number, records SHA-256, case creation time), never by the clock."""
    digits = re.sub(r"\D", "", created or "")[:14]
    stamp = digits if len(digits) == 14 else _FALLBACK_STAMP
    doc_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"qarina-pdf:{digest}:{number}:{labels.lang}"))
    title = labels("pdf.title") + " — " + number
    creator = f"qarina {version}".strip()
    footer = labels("pdf.footer", case=number, digest=digest[:16] + "…", page="\x00")
    footer = footer.replace("{", "{{").replace("}", "}}").replace("\x00", "{page}")
    return {
        "title": title,
        "creator": creator,
        "uuid": doc_id,
        "stamp": stamp,
        "xmp": _xmp(title, creator, stamp, doc_id),
        "header": title,
        "footer": footer,
    }


def fix_dates(data: bytes, stamp: str) -> bytes:
    """`data` with the /CreationDate and /ModDate Qt writes from the clock replaced by `stamp`, the
    same number of bytes (so the cross-reference offsets stay valid)."""

    def same_length(match: re.Match[bytes]) -> bytes:
        suffix = re.sub(rb"\d", b"0", match.group(3))
        return b"/" + match.group(1) + b" (D:" + stamp.encode("ascii") + suffix + b")"

    return _DATES.sub(same_length, data)
