"""PDF report: opens in poppler, case number and report hash on every page, Arabic shaped
and embedded, hostile text inert, the max_rows cut stated, byte-identical on a second run.

poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm) checks the output; without it the
poppler tests skip, except under CI or QARINA_CORPUS, where they fail."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.report import build
from triage_app.report.labels import load
from triage_app.report.model import ReportModel
from triage_app.report.pdf import clean, write_pdf
from triage_app.report.view import ReportView

pytest.importorskip("PySide6.QtGui")

CASE_NUMBER = "LY-2024/17"
ARABIC = "المهرب يريد الدفعة اليوم في طرابلس"
FRENCH = "Rendez-vous à côté de la gare, apportez l'argent"
HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3)"
    " nul\x00 bell\x07 rlo\u202egpj.exe <b style='color:red'>bold</b>"
)
LONG = "A" * 20000
POPPLER = ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm")
MESSAGES = 30


def _need_poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if not missing:
        return
    why = f"poppler-utils missing ({', '.join(missing)}): apt-get install poppler-utils"
    if os.environ.get("CI") or os.environ.get("QARINA_CORPUS"):
        pytest.fail(why)
    pytest.skip(why)


def _message(i: int) -> dict[str, object]:
    body = [ARABIC, FRENCH, HOSTILE][i % 3] + f" #{i}"
    if i == 5:
        body = LONG
    return {"app": "whatsapp" if i < 20 else "sms", "thread": f"t{i // 10}",
            "sender": "+218912345678", "recipients": ["me", HOSTILE],
            "direction": "incoming" if i % 2 else "outgoing", "body": body,
            "attachments": []}  # fmt: skip


def _make_case(root: Path) -> Path:
    case_dir = root / "case"
    case = Case.open(case_dir, examiner="فاطمة <b>", case_number=CASE_NUMBER,
                     timezone="Africa/Tripoli")  # fmt: skip
    try:
        with case.db.transaction() as conn:
            conn.execute(
                "INSERT INTO evidence (id, label, identity, kind, format, paths, added_at, status,"
                " sha256, md5, verification) VALUES (1, ?, 'sha256:x', 'disk_image', 'ewf', '[]',"
                " '2024-01-01T00:00:00Z', 'ok', ?, ?, 'verified')",
                (HOSTILE, "ab" * 32, "cd" * 16),
            )
            conn.execute(
                "INSERT INTO files (id, evidence_id, path, name, kind, size, deleted, locator)"
                " VALUES (1, 1, ?, 'x', 'file', 10, 0, '[1]')",
                ("/sdcard/photo\u202egpj.exe",),
            )
            artifacts = [("message", _message(i)) for i in range(MESSAGES)]
            contact: dict[str, object] = {"app": "contacts", "name": "أحمد"}
            contact.update(phones=["+218912345678"], emails=[HOSTILE])
            artifacts += [("contact", contact)]
            artifacts += [("call", {"app": "phone", "number": "+218912345678", "name": HOSTILE,
                                    "direction": "missed", "duration_s": 0})]  # fmt: skip
            artifacts += [("web_visit", {"browser": "chrome", "url": "javascript:alert(1)",
                                         "title": ARABIC})]  # fmt: skip
            artifacts += [("media", {"mime": "image/jpeg", "make": "Apple", "model": HOSTILE,
                                     "lat": 32.8872, "lon": 13.191, "alt": None})]  # fmt: skip
            conn.executemany(
                "INSERT INTO artifacts (kind, evidence_id, file_id, parser, ts, ts_raw, data)"
                " VALUES (?, 1, 1, 'fixture', ?, '1', ?)",
                [(kind, f"2024-03-02T01:{i // 60:02d}:{i % 60:02d}Z", json.dumps(data))
                 for i, (kind, data) in enumerate(artifacts)],
            )  # fmt: skip
            conn.execute(
                "INSERT INTO parser_runs (file_id, parser, version, status, records, message)"
                " VALUES (1, 'fixture', '1.0', 'error', 1, ?)",
                (HOSTILE,),
            )
    finally:
        case.close()
    return case_dir


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_case(tmp_path_factory.mktemp("pdfcase"))


def _write(case_dir: Path, out: Path, lang: str = "en", max_rows: int = 2000) -> Path:
    conn = connect(case_dir / "case.sqlite", readonly=True)
    try:
        model = ReportModel(conn, ReportView(conn), info=build._info(conn), lang=lang)
        return write_pdf(model, load(lang), out, max_rows=max_rows)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def report(case_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(case_dir, tmp_path_factory.mktemp("pdfout") / "report.pdf")


def _run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, check=True, timeout=120)
    return done.stdout.decode("utf-8")


def _normal(text: str) -> str:
    """pdftotext output compared as logical text: presentation forms folded (NFKC),
    bidi marks and spacing differences dropped."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    return re.sub(r"\s+", " ", text)


def _pages(pdf: Path) -> list[str]:
    return _run("pdftotext", "-layout", pdf, "-").split("\f")[:-1]


def _created(case_dir: Path) -> str:
    conn = connect(case_dir / "case.sqlite", readonly=True)
    try:
        return str(
            conn.execute("SELECT value FROM case_info WHERE key = 'created_at'").fetchone()[0]
        )
    finally:
        conn.close()


def _records_digest(case_dir: Path) -> str:
    conn = connect(case_dir / "case.sqlite", readonly=True)
    try:
        return build.records_digest(conn)
    finally:
        conn.close()


def test_pdfinfo_and_footer_on_every_page(report: Path, case_dir: Path) -> None:
    _need_poppler()
    info = _run("pdfinfo", report)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert pages >= 3
    assert "A4" in info
    texts = _pages(report)
    assert len(texts) == pages
    digest = _records_digest(case_dir)[:16]
    for number, text in enumerate(texts, 1):
        flat = _normal(text)
        assert CASE_NUMBER in flat, number
        assert f"page {number}" in flat, number
        assert digest in flat, number


def test_arabic_and_french_text_extracted(report: Path) -> None:
    _need_poppler()
    flat = _normal(_run("pdftotext", report, "-"))
    assert FRENCH in flat
    for word in ARABIC.split():
        assert word in flat, word
    assert "Examiner: <b> فاطمة" in flat  # the value isolated, laid out right-to-left
    assert "Africa/Tripoli" in flat
    assert "2024-03-02 03:00:00 UTC+02:00" in flat  # 01:00:00Z shown in the display zone


def test_only_bundled_fonts_embedded(report: Path) -> None:
    _need_poppler()
    rows = _run("pdffonts", report).splitlines()[2:]
    assert rows
    names = set()
    for row in rows:
        fields = row.split()
        names.add(fields[0].split("+")[-1])
        assert re.search(r"\byes\b", row), row  # emb
    assert names <= {"NotoSans-Regular", "NotoSans-Bold", "NotoNaskhArabic-Regular",
                     "NotoNaskhArabic-Bold"}, names  # fmt: skip
    assert "NotoNaskhArabic-Regular" in names


def test_hostile_text_is_inert_and_visible(report: Path) -> None:
    _need_poppler()
    flat = _normal(_run("pdftotext", report, "-"))
    assert "<script>alert(1)</script>" in flat  # shown as text
    assert "javascript:alert(1)" in flat
    assert "rlo\\u202egpj.exe" in flat and "nul\\x00 bell\\x07" in flat
    assert "photo\\u202egpj.exe" in flat
    assert (
        "[...+16000]" in flat
    )  # NFKC folds the ellipsis  # the 20,000-character body is cut and the cut stated
    raw = report.read_bytes()
    assert b"/JavaScript" not in raw and b"/URI" not in raw and b"/Launch" not in raw


def test_max_rows_cut_is_stated(case_dir: Path, tmp_path: Path) -> None:
    _need_poppler()
    pdf = _write(case_dir, tmp_path / "cut.pdf", max_rows=4)
    flat = _normal(_run("pdftotext", pdf, "-"))
    more = MESSAGES - 4
    assert f"{more} more records of this section are in the HTML report and csv/." in flat
    assert "#20" in flat and "#23" in flat and "#24" not in flat  # sms thread sorts first
    timeline = 34 - 4
    assert f"{timeline} more records of this section" in flat


def test_reproducible_bytes(case_dir: Path, report: Path, tmp_path: Path) -> None:
    again = _write(case_dir, tmp_path / "again.pdf")
    assert again.read_bytes() == report.read_bytes()
    assert b"/CreationDate (D:" in report.read_bytes()
    assert (
        re.findall(rb"/(?:Creation|Mod)Date \(D:(\d{14})", again.read_bytes())
        == [re.sub(r"\D", "", _created(case_dir))[:14].encode()] * 2
    )
    assert not list(tmp_path.glob(".*tmp"))


def test_arabic_report_renders(case_dir: Path, tmp_path: Path) -> None:
    _need_poppler()
    pdf = _write(case_dir, tmp_path / "ar.pdf", lang="ar")
    _run("pdfinfo", pdf)
    flat = _normal(_run("pdftotext", pdf, "-"))
    assert "الرسائل حسب المحادثة" in flat and CASE_NUMBER in flat
    _run("pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", pdf, tmp_path / "ar")
    (png,) = tmp_path.glob("ar-*.png")
    assert png.stat().st_size > 1000


@pytest.fixture
def pngs(report: Path, tmp_path: Path) -> Iterator[list[Path]]:
    _need_poppler()
    _run("pdftoppm", "-r", "50", "-f", "1", "-l", "3", "-png", report, tmp_path / "p")
    yield sorted(tmp_path.glob("p-*.png"))


def test_pages_render(pngs: list[Path]) -> None:
    assert len(pngs) == 3 and all(p.stat().st_size > 1000 for p in pngs)


def test_unit_clean() -> None:
    assert clean(None) == "—"
    assert clean(["a", 1, True]) == "a, 1, true"
    assert clean("x\x00\u202ey") == "x\\x00\\u202ey"
    assert clean("z" * 10, 4) == "zzzz […+6]"


def test_thumbnails_drawn_and_bad_names_refused(case_dir: Path, tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "media").mkdir()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / "media" / "t.png")
    (tmp_path / "secret.png").write_bytes((tmp_path / "media" / "t.png").read_bytes())
    conn = connect(case_dir / "case.sqlite", readonly=True)
    try:
        model = ReportModel(conn, ReportView(conn), info=build._info(conn))
        (photo,) = model.section("photos")
        model.thumbs = {photo["id"]: ("t.png", None)}
        good = write_pdf(model, load("en"), tmp_path / "good.pdf")
        model.thumbs = {photo["id"]: ("../secret.png", None)}
        bad = write_pdf(model, load("en"), tmp_path / "bad.pdf")
        model.thumbs = {photo["id"]: (None, "image <b>broken</b>")}
        problem = write_pdf(model, load("en"), tmp_path / "problem.pdf")
    finally:
        conn.close()
    assert good.read_bytes().count(b"/Subtype /Image") == 1
    assert b"/Subtype /Image" not in bad.read_bytes()
    _need_poppler()
    assert "The thumbnail could not be read." in _normal(_run("pdftotext", bad, "-"))
    assert "Thumbnail: image <b>broken</b>" in _normal(_run("pdftotext", problem, "-"))
