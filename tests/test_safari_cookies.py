"""Safari/Apple Cookies.binarycookies parser: generated files in the real layout, bad input,
and the corpus."""

from __future__ import annotations

import plistlib
import shutil
import sqlite3
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from casehelpers import file_sha256, scan_with, truncated_copy

from parsers import safari_cookies
from parsers.safari_cookies import SafariCookies, bundle_of
from triage_app.core.export import records

BACKUP_APP = "private/var/mobile/Containers/Data/Application/com.example.ferry"
MAC_COOKIES = "Users/amal/Library/Cookies"
CORPUS_SHA256 = "fdb592b5cf52cffdca11bd5740564f7172d19435a89f5396ddeed7364564a9a5"
# Cocoa seconds (since 2001-01-01): 2024-12-12T08:00:00.125Z, 2025-12-12T08:00:00Z.
CREATED, EXPIRES = 755683200.125, 787219200.0


def cookie(
    domain: str,
    name: str,
    path: str,
    value: str,
    flags: int = 0,
    expiry: float = EXPIRES,
    created: float = CREATED,
    bad_name_offset: int | None = None,
) -> bytes:
    """One record as Safari writes it: 56-byte header, then NUL-terminated strings."""
    strings = [s.encode() + b"\x00" for s in (domain, name, path, value)]
    offsets, at = [], 56
    for s in strings:
        offsets.append(at)
        at += len(s)
    if bad_name_offset is not None:
        offsets[1] = bad_name_offset
    header = struct.pack("<8I8xdd", at, 0, flags, 0, *offsets, expiry, created)
    return header + b"".join(strings)


def page(cookies: Sequence[bytes]) -> bytes:
    first = 8 + 4 * len(cookies) + 4
    offsets, at = [], first
    for c in cookies:
        offsets.append(at)
        at += len(c)
    table = struct.pack(f"<{len(cookies)}I", *offsets)
    return (
        b"\x00\x00\x01\x00"
        + struct.pack("<I", len(cookies))
        + table
        + b"\x00" * 4
        + b"".join(cookies)
    )


def binarycookies(pages: Sequence[bytes]) -> bytes:
    """Header, pages, checksum, footer and the NSHTTPCookieAcceptPolicy plist of current
    macOS/iOS."""
    checksum = sum(sum(p[::4]) for p in pages) & 0xFFFFFFFF
    policy = plistlib.dumps({"NSHTTPCookieAcceptPolicy": 2}, fmt=plistlib.FMT_BINARY)
    return (
        b"cook"
        + struct.pack(f">I{len(pages)}I", len(pages), *(len(p) for p in pages))
        + b"".join(pages)
        + struct.pack(">I", checksum)
        + b"\x07\x17\x20\x05"
        + struct.pack(">I", len(policy))
        + policy
    )


SESSION = cookie(".ferry.example", "session", "/", "s3cr3t", flags=5)
LANG = cookie(".ferry.example", "lang", "/ar", "عربي", flags=1)
HOSTILE = cookie("accounts.example.net", "n", "/", "<script>alert(1)</script>", created=0.0)


def write(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def make_cookies(target: Path) -> Path:
    return write(target, binarycookies([page([SESSION, LANG]), page([HOSTILE])]))


def _scan(
    tmp_path: Path, evidence: Path, isolate: bool = True
) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(
        tmp_path / "case", [SafariCookies()], evidence, require_ok=True, isolate=isolate
    )


def test_ios_app_container_cookies(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_cookies(tmp_path / "phone" / BACKUP_APP / "Library/Cookies/Cookies.binarycookies")
    unchanged(tmp_path / "phone")
    conn, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs == [
        {"parser": "safari_cookies", "status": "ok", "message": "", "records": 3, "warnings": 0}
    ]
    cookies = list(records(conn, "web_cookie"))
    assert len(cookies) == 3
    assert cookies[0] == {
        "kind": "web_cookie",
        "id": cookies[0]["id"],
        "evidence": 1,
        "path": f"/{BACKUP_APP}/Library/Cookies/Cookies.binarycookies",
        "cookie_path": "/",
        "volume": None,
        "source_sha256": file_sha256(conn, "Cookies.binarycookies"),
        "parser": "safari_cookies",
        "ts": "2024-12-12T08:00:00.125000Z",
        "ts_raw": CREATED,
        "deleted": False,
        "browser": "safari",
        "host": ".ferry.example",
        "name": "session",
        "value": "s3cr3t",
        "expires": "2025-12-12T08:00:00Z",
        "secure": True,
        "http_only": True,
        "bundle": "com.example.ferry",
        "offset": 36,  # 8-byte header + 2 page sizes, then the page's 20-byte header
        "source_table": None,
        "source_rowid": None,
    }
    lang, hostile = cookies[1], cookies[2]
    assert (lang["value"], lang["cookie_path"], lang["secure"], lang["http_only"]) == (
        "عربي",
        "/ar",
        True,
        False,
    )
    assert hostile["value"] == "<script>alert(1)</script>"
    assert hostile["ts"] is None and hostile["ts_raw"] == 0.0  # 0 = not set, never 2001


def test_corrupt_record_and_page_are_warned_and_the_rest_read(tmp_path: Path) -> None:
    broken = cookie(".ferry.example", "lang", "/ar", "x", bad_name_offset=5000)
    garbage = b"\xde\xad\xbe\xef" * 8
    data = binarycookies([page([SESSION, broken]), garbage, page([HOSTILE])])
    write(tmp_path / "mac" / MAC_COOKIES / "Cookies.binarycookies", data)
    conn, (run,) = _scan(tmp_path, tmp_path / "mac")
    assert run["status"] == "ok" and run["records"] == 2 and run["warnings"] == 2, run
    assert "page 1 record 2" in run["message"] and "name offset 5000" in run["message"]
    assert "page 2" in run["message"] and "no page signature" in run["message"]
    assert [c["name"] for c in records(conn, "web_cookie")] == ["session", "n"]


def test_checksum_mismatch_is_warned(tmp_path: Path) -> None:
    data = bytearray(make_cookies(tmp_path / "src" / "Cookies.binarycookies").read_bytes())
    # A byte of the first cookie's value at a page offset the checksum covers (multiple of 4).
    at = data.index(b"s3cr3t")
    at += (16 - at) % 4
    data[at] ^= 0x20
    write(tmp_path / "mac" / MAC_COOKIES / "Cookies.binarycookies", bytes(data))
    _, (run,) = _scan(tmp_path, tmp_path / "mac")
    assert run["status"] == "ok" and run["records"] == 3 and run["warnings"] == 1, run
    assert "checksum" in run["message"]


def test_truncated_copy_keeps_whole_records_and_warns(tmp_path: Path) -> None:
    truncated_copy(
        make_cookies(tmp_path / "src" / "Cookies.binarycookies"),
        tmp_path / "mac" / MAC_COOKIES / "Cookies.binarycookies",
    )
    conn, (run,) = _scan(tmp_path, tmp_path / "mac")
    assert run["status"] == "ok" and run["warnings"] >= 2, run
    assert "page 2 cut short" in run["message"] and "no footer" in run["message"]
    assert [c["name"] for c in records(conn, "web_cookie")] == ["session", "lang"]


def test_cookie_count_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safari_cookies, "MAX_COOKIES", 2)  # seen by this process only
    make_cookies(tmp_path / "mac" / MAC_COOKIES / "Cookies.binarycookies")
    _, (run,) = _scan(tmp_path, tmp_path / "mac", isolate=False)
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 2, 1)
    assert "stopped after 2 cookies" in run["message"]


def test_file_cut_inside_the_page_table_is_an_error(tmp_path: Path) -> None:
    data = make_cookies(tmp_path / "src" / "Cookies.binarycookies").read_bytes()
    write(tmp_path / "mac" / MAC_COOKIES / "Cookies.binarycookies", data[:10])
    _, (run,) = _scan(tmp_path, tmp_path / "mac")
    assert run["status"] == "error" and "page table" in run["message"]


def test_unrelated_files(tmp_path: Path) -> None:
    folder = tmp_path / "mac" / MAC_COOKIES
    write(folder / "Cookies.binarycookies", b"not a cookie store")  # no 'cook': never dispatched
    write(folder / "com.example.notes.binarycookies", b"cookies are tasty\n" * 4)
    _, runs = _scan(tmp_path, tmp_path / "mac")
    assert [(r["status"], "page table" in r["message"]) for r in runs] == [("error", True)]


@pytest.mark.parametrize(
    ("path", "bundle"),
    [
        (f"/{BACKUP_APP}/Library/Cookies/Cookies.binarycookies", "com.example.ferry"),
        (
            "/private/var/mobile/Containers/Data/Application/"
            "5D1A0C2E-8F3B-4B7A-9C1D-2E3F4A5B6C7D/Library/Cookies/Cookies.binarycookies",
            None,  # a device extraction names containers by UUID
        ),
        (
            "/private/var/mobile/Containers/Shared/AppGroup/group.com.example.ferry/"
            "Library/Cookies/Cookies.binarycookies",
            "group.com.example.ferry",
        ),
        (
            "/Users/amal/Library/Containers/com.apple.Safari/Data/Library/Cookies/"
            "Cookies.binarycookies",
            "com.apple.Safari",
        ),
        ("/Users/amal/Library/Cookies/com.skype.skype.binarycookies", "com.skype.skype"),
        ("/Users/amal/Library/Cookies/Cookies.binarycookies", None),
        ("/private/var/mobile/Library/Cookies/Cookies.binarycookies", None),
        ("/Cookies.binarycookies", None),
    ],
)
def test_bundle_from_path(path: str, bundle: str | None) -> None:
    assert bundle_of(path) == bundle


def test_corpus_cookies(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    source = corpus("plaso/test_data/Cookies.binarycookies")
    unchanged(source)
    # A loose file with this signature is not accepted as evidence on its own: scan it in a
    # folder as on a Mac (same bytes: the hash is checked below).
    folder = tmp_path / "mac" / MAC_COOKIES
    folder.mkdir(parents=True)
    shutil.copyfile(source, folder / "Cookies.binarycookies")
    conn, runs = _scan(tmp_path, tmp_path / "mac")
    assert [(r["status"], r["records"], r["warnings"]) for r in runs] == [("ok", 91, 0)]
    cookies = list(records(conn, "web_cookie"))
    # 91 = the cookie counts of the 29 page headers, counted separately (plaso: 182 cookie
    # events = creation + expiry of each cookie).
    assert len(cookies) == 91
    times = sorted(c["ts"] for c in cookies)
    assert (times[0], times[-1]) == ("2013-07-08T16:24:09Z", "2013-07-12T23:25:21Z")
    assert sum(c["secure"] for c in cookies) == 2 and sum(c["http_only"] for c in cookies) == 7
    # The first record, decoded by hand from a hex dump: page 1 at 124, record at 140, size
    # 0x66, flags 0, strings name@56 value@77 domain@83 path@100, expiry and creation
    # 395601868.0 and 394997068.0 Cocoa seconds.
    assert cookies[0] == {
        "kind": "web_cookie",
        "id": cookies[0]["id"],
        "evidence": 1,
        "path": f"/{MAC_COOKIES}/Cookies.binarycookies",
        "cookie_path": "/",
        "volume": None,
        "source_sha256": CORPUS_SHA256,
        "parser": "safari_cookies",
        "ts": "2013-07-08T17:24:28Z",
        "ts_raw": 394997068.0,
        "deleted": False,
        "browser": "safari",
        "host": "en.wikipedia.org",
        "name": "centralnotice_bucket",
        "value": "0-4.2",
        "expires": "2013-07-15T17:24:28Z",
        "secure": False,
        "http_only": False,
        "bundle": None,
        "offset": 140,
        "source_table": None,
        "source_rowid": None,
    }
    # plaso's test record (tests/parsers/safari_cookies.py): event data 26.
    fpc = cookies[26]
    assert (fpc["host"], fpc["name"], fpc["cookie_path"]) == (".www.yahoo.com", "fpc", "/")
    assert fpc["ts"] == "2013-07-08T17:24:30Z" and fpc["expires"] == "2014-07-08T05:24:29Z"
    assert fpc["value"].startswith("d=0dTg3Ou32s3MrAJ2iHjFph100Tw3E1HTfDOTly0GfJ2g4W.mXpy54F9")
    assert fpc["value"].endswith("pkVDLli36W2iuYwA-&v=2")
