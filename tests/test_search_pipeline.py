"""Search through the real scan: keyword hits in files and records, identifiers linked across
evidence items, full-text search, hash sets, resume, and the CLI commands."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fixtures_android import SMS_DIR, SMS_SCHEMA

from triage_app.cli import main
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.export import records
from triage_app.core.models import ScanOptions
from triage_app.search.records import record_identifiers

TERM = "المهرب"  # "the smuggler"
HARAKAT = "المُهَرِّب"
TATWEEL = "المهـــرب"
VALID_BTC = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
VALID_TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def _keywords(tmp_path: Path) -> Path:
    path = tmp_path / "terms.txt"
    path.write_text(f"# test list\n{TERM}\n", encoding="utf-8")
    return path


def _sms_db(folder: Path, bodies: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "mmssms.db")
    conn.execute(SMS_SCHEMA)
    conn.executemany(
        "INSERT INTO sms (thread_id, address, date, type, body) VALUES (1, ?, 1700000000000, 1, ?)",
        bodies,
    )
    conn.commit()
    conn.close()


def _phone_a(root: Path) -> Path:
    _sms_db(root / SMS_DIR, [("+218 91-234-5678", f"{TERM} يريد الدفعة اليوم")])
    docs = root / "sdcard" / "Documents"
    docs.mkdir(parents=True)
    (docs / "le.txt").write_bytes(f"رسالة من {HARAKAT} هنا".encode("utf-16-le"))
    (docs / "be.txt").write_bytes(f"رسالة من {TERM} هنا".encode("utf-16-be"))
    (docs / "ansi.txt").write_bytes(f"رسالة من {TERM} هنا".encode("cp1256"))
    (docs / "tatweel.txt").write_text(f"رسالة من {TATWEEL}", encoding="utf-8")
    (docs / "latin.txt").write_text("almuharrib, el mouhareb: not Arabic script", encoding="utf-8")
    (docs / "wallets.txt").write_text(
        f"pay to {VALID_BTC} or {VALID_TRON}\nold: {VALID_BTC[:-1]}3 {VALID_TRON[:-1]}u\n",
        encoding="utf-8",
    )
    return root


def _phone_b(root: Path) -> Path:
    _sms_db(root / SMS_DIR, [("00218912345678", "اتصل على ٠٩١٢٣٤٥٦٧٨")])
    (root / "notes.txt").write_text("الرقم ٠٠٢١٨٩١٢٣٤٥٦٧٨ للتواصل", encoding="utf-8")
    return root


def _scan(case: Path, evidence: list[Path], keywords: Path, **options: Any) -> None:
    opts = ScanOptions(bundled_rules=False, keywords=(keywords,), **options)
    summary = scan(case, evidence, opts)
    assert summary.status == "ok", summary


def _records(case: Path, kind: str) -> list[dict[str, Any]]:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        return list(records(conn, kind))
    finally:
        conn.close()


def test_term_found_once_per_occurrence_in_every_encoding(tmp_path: Path) -> None:
    evidence = _phone_a(tmp_path / "a")
    _scan(tmp_path / "case", [evidence], _keywords(tmp_path))
    hits = _records(tmp_path / "case", "keyword_hit")
    in_files = [h for h in hits if h["target"] == "file"]
    files = sorted((h["path"].rsplit("/", 1)[-1], h["encoding"]) for h in in_files)
    assert files == [
        ("ansi.txt", "windows-1256"),
        ("be.txt", "utf-16be"),
        ("le.txt", "utf-16le"),
        ("mmssms.db", "utf-8"),
        ("tatweel.txt", "utf-8"),
    ]
    (in_record,) = [h for h in hits if h["target"] == "record"]
    message = next(m for m in _records(tmp_path / "case", "message"))
    assert in_record["target_id"] == message["id"]
    assert (in_record["keyword"], in_record["offset"]) == (TERM, 0)
    assert in_record["pack"].startswith("user_keywords_")  # a user list: named by its hash
    assert TERM in in_record["context"]


def test_identifiers_link_two_devices(tmp_path: Path) -> None:
    a, b = _phone_a(tmp_path / "a"), _phone_b(tmp_path / "b")
    _scan(tmp_path / "case", [a, b], _keywords(tmp_path))
    entities = {(e["type"], e["value"]): e for e in _records(tmp_path / "case", "entity")}
    phone = entities[("phone", "+218912345678")]
    assert phone["evidence_ids"] == [1, 2] and phone["count"] >= 3
    wallets = sorted(value for kind, value in entities if kind == "wallet")
    assert wallets == sorted([VALID_BTC, VALID_TRON])
    result = CliRunner().invoke(main, ["links", "--case", str(tmp_path / "case"), "--json"])
    assert result.exit_code == 0, result.output
    shared = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [(s["type"], s["value"], s["evidence_ids"]) for s in shared] == [
        ("phone", "+218912345678", [1, 2])
    ]
    raws = {o["raw"] for o in shared[0]["occurrences"]}
    assert {"٠٩١٢٣٤٥٦٧٨", "٠٠٢١٨٩١٢٣٤٥٦٧٨"} <= raws  # a local number in a message, intl in a file


def test_full_text_search_is_arabic_normalised(tmp_path: Path) -> None:
    root = tmp_path / "a"
    _sms_db(root / SMS_DIR, [("+218912345678", "سأرسل الحوالة إلى زُوارَة"), ("x", "nothing")])
    _scan(tmp_path / "case", [root], _keywords(tmp_path))
    runner = CliRunner()
    for query in ("زوارة", "زواره", "الحواله", "ارسل"):
        result = runner.invoke(main, ["search", "--case", str(tmp_path / "case"), query, "--json"])
        assert result.exit_code == 0, result.output
        found = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
        assert [r["body"] for r in found] == ["سأرسل الحوالة إلى زُوارَة"], query


def test_terminal_output_shows_escape_sequences_instead_of_obeying_them(tmp_path: Path) -> None:
    """A message that would retitle the examiner's terminal and reverse the line prints as
    visible escapes in `qarina search`'s text output."""
    root = tmp_path / "a"
    hostile = "زوارة \x1b]0;pwned\x07\x1b[2J \u202eexe.gpj"
    _sms_db(root / SMS_DIR, [("+218912345678", hostile)])
    _scan(tmp_path / "case", [root], _keywords(tmp_path))
    result = CliRunner().invoke(main, ["search", "--case", str(tmp_path / "case"), "زوارة"])
    assert result.exit_code == 0, result.output
    assert "\\x1b]0;pwned\\x07\\x1b[2J \\u202eexe.gpj" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output


def test_resume_does_not_search_a_record_twice(tmp_path: Path) -> None:
    evidence = _phone_a(tmp_path / "a")
    keywords = _keywords(tmp_path)
    _scan(tmp_path / "case", [evidence], keywords)
    before = len(_records(tmp_path / "case", "keyword_hit"))
    _scan(tmp_path / "case", [evidence], keywords)
    assert len(_records(tmp_path / "case", "keyword_hit")) == before
    conn = connect(tmp_path / "case" / "case.sqlite", readonly=True)
    try:
        indexed = conn.execute("SELECT count(*) FROM record_text").fetchone()[0]
        packs = conn.execute("SELECT pack, source FROM rule_packs").fetchall()
    finally:
        conn.close()
    assert indexed == 1
    assert [p["source"] for p in packs] == ["user", "user"]  # one row per scan
    assert packs[0]["pack"] == packs[1]["pack"]


def test_a_broken_user_rule_is_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yar"
    bad.write_text('rule broken { strings: $a = "x" condition: $b }', encoding="utf-8")
    evidence = _phone_a(tmp_path / "a")
    _scan(tmp_path / "case", [evidence], _keywords(tmp_path), rules=(bad,))
    conn = connect(tmp_path / "case" / "case.sqlite", readonly=True)
    try:
        rows = conn.execute("SELECT pack, source FROM rule_packs").fetchall()
        packs = {r["pack"].split("_")[1]: r["source"] for r in rows}
    finally:
        conn.close()
    assert packs == {"yara": "user:error", "keywords": "user"}
    assert _records(tmp_path / "case", "keyword_hit")
    audit = (tmp_path / "case" / "audit.jsonl").read_text(encoding="utf-8")
    assert "undefined string identifier" in audit or "$b" in audit


def test_no_search_option(tmp_path: Path) -> None:
    evidence = _phone_a(tmp_path / "a")
    _scan(tmp_path / "case", [evidence], _keywords(tmp_path), search=False)
    assert _records(tmp_path / "case", "keyword_hit") == []
    assert _records(tmp_path / "case", "entity") == []


def test_hash_set_import_flags_files(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    evidence = _phone_a(tmp_path / "a")
    unchanged(evidence)
    _scan(tmp_path / "case", [evidence], _keywords(tmp_path))
    files = {f["name"]: f for f in _records(tmp_path / "case", "file")}
    known = tmp_path / "known_bad.txt"
    known.write_text(
        f"# partner agency list\n{files['be.txt']['sha256']}  be.txt\n{files['le.txt']['md5']}\n"
        "not-a-hash line\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    case = str(tmp_path / "case")
    result = runner.invoke(
        main,
        ["hashset", "import", "--case", case, "--name", "agency", "--category", "known_bad",
         str(known)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 hashes, 1 malformed line(s), 2 file match(es)" in result.output
    flagged = {f["name"]: f["hashsets"] for f in _records(tmp_path / "case", "file")}
    assert flagged["be.txt"] == flagged["le.txt"] == ["agency (known_bad)"]
    assert flagged["ansi.txt"] == []
    listing = runner.invoke(main, ["hashset", "list", "--case", case])
    assert "agency [known_bad]" in listing.output and "2 matching file(s)" in listing.output
    again = runner.invoke(
        main,
        ["hashset", "import", "--case", case, "--name", "agency", "--category", "known_bad",
         str(known)],
    )  # fmt: skip
    assert again.exit_code != 0 and "already has a hash set named" in again.output


def test_account_ids_are_not_read_as_phones() -> None:
    """Telegram/Messenger/Instagram put numeric account ids where SMS puts numbers: only a
    number written with "+" is a phone there."""
    regions = ("LY", "TN", "EG", "MA")
    telegram = {"app": "telegram", "sender": "7100200300", "sender_phone": "+218911234567"}
    found = [f for _, f in record_identifiers("message", telegram, regions)]
    assert found == [("phone", "+218911234567")]
    sms = {"app": "sms", "sender": "0912345678", "recipients": []}
    assert [f for _, f in record_identifiers("message", sms, regions)] == [
        ("phone", "+218912345678")
    ]


def _found(kind: str, fields: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        found if isinstance(found, tuple) else (found.type, found.value)
        for _, found in record_identifiers(kind, fields, ("LY",))
    }


def test_wallet_in_an_explorer_url_and_wa_me_phone_are_links() -> None:
    """A block-explorer URL names its wallet, a click-to-chat link its phone: both are
    reported beside the URL itself, so they link devices that hold the address elsewhere."""
    wallet = "TV6X89MJrawA66GBDMb6HnCDoMGZbDnFfz"
    visit = {"url": f"https://tronscan.org/#/address/{wallet}", "title": "TRONSCAN"}
    assert {("wallet", wallet), ("url", visit["url"])} <= _found("web_visit", visit)
    chat = {"app": "whatsapp", "body": "write to https://wa.me/218910001001 tonight"}
    assert ("phone", "+218910001001") in _found("message", chat)


def test_bundled_packs_over_the_public_corpus(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    """Every file of the public corpus is searched with the bundled packs without a rule
    error or timeout, and the packs are recorded as used."""
    roots = [corpus(name) for name in ("plaso", "IPED", "iLEAPP", "exif-py", "dfvfs")]
    unchanged(*roots)
    summary = scan(tmp_path / "case", roots, ScanOptions())
    assert summary.status == "ok", summary
    conn = connect(tmp_path / "case" / "case.sqlite", readonly=True)
    try:
        failed = conn.execute(
            "SELECT path, error FROM files WHERE error LIKE '%keyword scan%'"
        ).fetchall()
        packs = conn.execute("SELECT pack, source FROM rule_packs").fetchall()
        hits = conn.execute("SELECT count(*) FROM artifacts WHERE kind = 'keyword_hit'").fetchone()
    finally:
        conn.close()
    assert [tuple(f) for f in failed] == []
    assert sorted(p["pack"] for p in packs) == [
        "patterns", "places_central_med", "smuggling_ar", "smuggling_arabizi", "smuggling_en",
        "smuggling_fr",
    ]  # fmt: skip
    assert all(p["source"] == "bundled" for p in packs)
    assert hits[0] > 0


def test_nsrl_set_matches_and_a_lost_rds_never_ends_a_scan(tmp_path: Path) -> None:
    """An RDS is queried in place: found files are flagged; when the RDS is gone at a later
    scan, that scan ends `ok` and the audit log says the set was not matched."""
    from test_hashsets import make_full_rds, make_minimal_rds

    evidence = _phone_a(tmp_path / "a")
    _scan(tmp_path / "case", [evidence], _keywords(tmp_path))
    files = {f["name"]: f for f in _records(tmp_path / "case", "file")}
    (tmp_path / "rds").mkdir()
    rds = make_minimal_rds(tmp_path / "rds" / "RDS_minimal.db", 2)
    conn = sqlite3.connect(rds)
    conn.execute(
        "INSERT INTO FILE VALUES (?, ?, ?, '0', 'le.txt', 1, 1)",
        (files["le.txt"]["sha256"].upper(), "A" * 40, files["le.txt"]["md5"].upper()),
    )
    conn.commit()
    conn.close()
    case, runner = str(tmp_path / "case"), CliRunner()
    imported = runner.invoke(
        main, ["hashset", "import", "--case", case, "--name", "NSRL", "--category", "known_good",
               str(rds)],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "nsrl-rds3" in imported.output and "1 file match(es)" in imported.output
    full = runner.invoke(
        main, ["hashset", "import", "--case", case, "--name", "full", "--category", "known_good",
               str(make_full_rds(tmp_path / "rds" / "RDS_full.db"))],
    )  # fmt: skip
    assert full.exit_code != 0 and "no index on sha256" in full.output
    rds.unlink()
    _scan(tmp_path / "case", [_phone_b(tmp_path / "b")], _keywords(tmp_path))
    audit = (tmp_path / "case" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"hashset_not_matched"' in audit
    flagged = {f["name"]: f["hashsets"] for f in _records(tmp_path / "case", "file")}
    assert flagged["le.txt"] == ["NSRL (known_good)"]


def test_a_bundled_pack_can_be_switched_off(tmp_path: Path) -> None:
    """The examiner's choice (Settings, `--no-pack`) reaches the scan and its record."""
    from fixtures_android import make_android_extraction

    phone = make_android_extraction(tmp_path / "phone")
    case = tmp_path / "case"
    result = CliRunner().invoke(
        main, ["scan", str(phone), "--case", str(case), "-q", "--no-pack", "smuggling_ar",
               "--no-pack", "places_central_med"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    conn = connect(case / "case.sqlite", readonly=True)
    used = {r[0] for r in conn.execute("SELECT pack FROM rule_packs")}
    assert "smuggling_ar" not in used and "places_central_med" not in used
    assert {"smuggling_fr", "patterns"} <= used
    packs = {r.get("pack") for r in records(conn, "keyword_hit")}
    assert "smuggling_ar" not in packs and "smuggling_fr" in packs
