"""Keyword and rule packs: bundled manifests verify, unsafe or tampered packs are refused with
messages naming pack and file, bundled YARA compiles without warnings, every pattern rule has
a matching and a non-matching sample, keyword lists are clean, user packs are hashed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yara

from triage_app.search import packs
from triage_app.search.arabic import normalise
from triage_app.search.keywords import compile_source, read_keywords
from triage_app.search.packs import PackError, bundled_root, load_pack, load_packs

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_IDS = {
    "patterns",
    "places_central_med",
    "smuggling_ar",
    "smuggling_arabizi",
    "smuggling_en",
    "smuggling_fr",
}
TERM_COUNTS = {"smuggling_ar": (80, 200), "smuggling_arabizi": (40, 100)}


# ── generated packs ────────────────────────────────────────────────────────────────────────


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _make_pack(parent: Path, pack_id: str = "demo", **changes: Any) -> Path:
    """A valid pack folder with one keyword list; `changes` replace manifest fields."""
    folder = parent / pack_id
    folder.mkdir(parents=True)
    content = "# theme\nمهرب\npasseur\n".encode()
    (folder / "terms.txt").write_bytes(content)
    manifest: dict[str, Any] = {
        "name": "Demo",
        "id": pack_id,
        "version": "1.2.3",
        "language": ["ar", "ar-LY"],
        "description": "demo pack",
        "provenance": "written for a test",
        "review_note": "starting point; false positives expected",
        "files": [{"path": "terms.txt", "type": "keywords", "sha256": _sha(content)}],
    }
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def _refused(folder: Path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack(folder)
    return info.value


# ── bundled packs ──────────────────────────────────────────────────────────────────────────


def test_bundled_packs_load_and_verify() -> None:
    root = bundled_root()
    assert root == ROOT / "rules" / "packs"
    loaded = load_packs(root)
    assert {p.id for p in loaded} == BUNDLED_IDS
    for pack in loaded:
        assert pack.manifest_sha256 == _sha((pack.root / "manifest.json").read_bytes())
        assert "starting point" in pack.review_note.lower()
        assert "false positives" in pack.review_note.lower()
        assert pack.language and pack.files and pack.provenance
        for f in pack.files:
            assert packs.read_verified(pack, f) == (pack.root / f.path).read_bytes()
        listed = {f.path for f in pack.files} | {"manifest.json"}
        present = {p.relative_to(pack.root).as_posix() for p in pack.root.rglob("*")}
        assert present == listed, f"{pack.id}: files not listed in the manifest"


def test_every_bundled_yara_file_compiles_without_warnings() -> None:
    yara_files = [p.root / f.path for p in load_packs(bundled_root()) for f in p.of_type("yara")]
    assert yara_files
    for path in yara_files:
        rules = yara.compile(filepath=str(path), error_on_warning=True, includes=False)
        for rule in rules:
            assert {"description", "category"} <= set(rule.meta), rule.identifier


# ── refusals ───────────────────────────────────────────────────────────────────────────────


def test_tampered_file_is_refused_naming_pack_and_file(tmp_path: Path) -> None:
    folder = _make_pack(tmp_path)
    (folder / "terms.txt").write_bytes("مهرب\npasseur\n".encode())
    err = _refused(folder)
    assert (err.pack, err.file) == ("demo", "terms.txt")
    assert "pack 'demo'" in str(err) and "'terms.txt'" in str(err) and "SHA-256" in str(err)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    folder = _make_pack(tmp_path)
    (folder / "terms.txt").unlink()
    err = _refused(folder)
    assert (err.pack, err.file) == ("demo", "terms.txt") and "missing" in str(err)
    # A file where the path expects a folder.
    files = [{"path": "terms.txt/t.txt", "type": "keywords", "sha256": "0" * 64}]
    assert "missing" in str(_refused(_make_pack(tmp_path / "b", files=files)))


@pytest.mark.parametrize(
    "path",
    [
        "../outside.txt",
        "/etc/hosts.txt",
        "sub/../../outside.txt",
        "a\\b.txt",
        "C:/x.txt",
        "./t.txt",
    ],
)
def test_paths_outside_the_pack_are_refused(tmp_path: Path, path: str) -> None:
    (tmp_path / "outside.txt").write_text("x", "utf-8")
    folder = _make_pack(tmp_path, files=[{"path": path, "type": "keywords", "sha256": _sha(b"x")}])
    err = _refused(folder)
    assert err.pack == "demo" and err.file == path and "inside the pack" in str(err)


def test_symlinked_file_is_refused(tmp_path: Path) -> None:
    folder = _make_pack(tmp_path)
    real = tmp_path / "real.txt"
    (folder / "terms.txt").rename(real)
    (folder / "terms.txt").symlink_to(real)
    err = _refused(folder)
    assert err.file == "terms.txt" and "symbolic link" in str(err)


def test_symlinked_folder_inside_a_pack_is_refused(tmp_path: Path) -> None:
    content = "مهرب\n".encode()
    folder = _make_pack(
        tmp_path, files=[{"path": "sub/t.txt", "type": "keywords", "sha256": _sha(content)}]
    )
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "t.txt").write_bytes(content)
    (folder / "sub").symlink_to(tmp_path / "elsewhere")
    assert "symbolic link" in str(_refused(folder))


def test_symlinked_pack_and_manifest_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    real = _make_pack(tmp_path / "store")
    (root / "demo").symlink_to(real)
    with pytest.raises(PackError, match="symbolic link"):
        load_packs(root)
    (real / "manifest.json").rename(tmp_path / "m.json")
    (real / "manifest.json").symlink_to(tmp_path / "m.json")
    assert "symbolic link" in str(_refused(real))


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = _make_pack(tmp_path)
    (folder / "terms.txt").unlink()
    os.mkfifo(folder / "terms.txt")
    assert "not a regular file" in str(_refused(folder))


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _make_pack(tmp_path)
    monkeypatch.setattr(packs, "MAX_FILE_BYTES", 4)
    assert "larger than 4 bytes" in str(_refused(folder))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": "1.2"}, "semver"),
        ({"version": "v1.2.3"}, "semver"),
        ({"language": []}, "language"),
        ({"language": ["arabic language"]}, "BCP-47"),
        ({"id": "other"}, "folder name"),
        ({"review_note": ""}, "review_note"),
        ({"provenance": 3}, "provenance"),
        ({"extra": "x"}, "unknown keys ['extra']"),
        ({"files": []}, "files"),
        ({"files": [{"path": "terms.txt", "type": "keywords"}]}, "lacks ['sha256']"),
        ({"files": [{"path": "terms.txt", "type": "regex", "sha256": "0" * 64}]}, "type"),
        ({"files": [{"path": "terms.yar", "type": "keywords", "sha256": "0" * 64}]}, "suffix"),
        ({"files": [{"path": "terms.txt", "type": "keywords", "sha256": "ABC"}]}, "sha256"),
        ({"files": ["terms.txt"]}, "object"),
    ],
)
def test_malformed_manifests_are_refused(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    err = _refused(_make_pack(tmp_path, **changes))
    assert message in str(err) and err.file == "manifest.json"


def test_missing_key_duplicate_listing_and_bad_json_are_refused(tmp_path: Path) -> None:
    folder = _make_pack(tmp_path / "a")
    data = json.loads((folder / "manifest.json").read_text("utf-8"))
    del data["provenance"]
    (folder / "manifest.json").write_text(json.dumps(data), "utf-8")
    assert "lacks ['provenance']" in str(_refused(folder))

    entry = {"path": "terms.txt", "type": "keywords", "sha256": "0" * 64}
    assert "listed twice" in str(_refused(_make_pack(tmp_path / "b", files=[entry, entry])))

    folder = _make_pack(tmp_path / "c")
    text = (folder / "manifest.json").read_text("utf-8")
    (folder / "manifest.json").write_text(text.replace('"name"', '"id": "x", "name"'), "utf-8")
    assert "duplicate keys ['id']" in str(_refused(folder))
    (folder / "manifest.json").write_bytes(b"{not json")
    assert "not valid UTF-8 JSON" in str(_refused(folder))
    (folder / "manifest.json").write_bytes(b"[]")
    assert "JSON object" in str(_refused(folder))


def test_unlisted_files_are_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = _make_pack(tmp_path)
    (folder / "stray.yar").write_text("rule x { condition: true }", "utf-8")
    with caplog.at_level(logging.WARNING, logger="triage_app.search.packs"):
        pack = load_pack(folder)
    assert [f.path for f in pack.files] == ["terms.txt"]
    assert "stray.yar is not listed" in caplog.text


# ── pattern rules: one matching and one non-matching sample each ───────────────────────────

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _tron(seed: bytes) -> str:
    payload = b"\x41" + _sha(seed).encode()[:20]
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, text = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = _B58[digit] + text
    assert len(text) == 34 and text[0] == "T"
    return text


def _iban(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _mrz_check(field: str) -> str:
    values = [0 if c == "<" else int(c, 36) for c in field]
    return str(sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10)


def _mrz(code: str = "P<", birth: str = "850214") -> str:
    line1 = (code + "LBYALMABROUK<<AHMED<SALEM").ljust(44, "<")
    doc, expiry, personal = "AB1234567", "300101", "<" * 14
    parts = [doc + _mrz_check(doc), "LBY", birth + _mrz_check(birth), "M"]
    parts += [expiry + _mrz_check(expiry), personal + _mrz_check(personal)]
    line2 = "".join(parts)
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return f"{line1}\n{line2 + _mrz_check(composite)}"


def _group4(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


TRON = _tron(b"qarina")
IBAN_LY = _iban("LY", "002048000020100120361")
IBAN_TN = _iban("TN", "10006035183598478831")
IBAN_EG = _iban("EG", "0019000500000000263180002")
IBAN_MA = _iban("MA", "011519000001205000534921")

# rule → (texts that must match exactly once, texts that must not match)
SAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "passport_mrz_td3": (
        [_mrz(), _mrz(code="PD").replace("\n", "\r\n")],
        [_mrz(birth="85O214"), _mrz().replace("<\n", "\n")],
    ),
    "phone_libya": (
        ["اتصل +218912345678 ", "00218 941234567"],
        ["+218212345678", "+21891234567", "1900218912345678"],
    ),
    "phone_tunisia": (["+21698123456", "00216-22123456"], ["+21671123456", "+2169812345"]),
    "phone_egypt": (["+201012345678", "0020 1512345678"], ["+20212345678", "+20101234567"]),
    "phone_morocco": (["+212612345678", "00212 712345678"], ["+212512345678", "+21261234567"]),
    "iban_libya": ([IBAN_LY, _group4(IBAN_LY)], [IBAN_LY[:-1], "XLY" + IBAN_LY[2:]]),
    "iban_tunisia": ([IBAN_TN, _group4(IBAN_TN)], [IBAN_TN[:-1], "TN58" + IBAN_TN[4:]]),
    "iban_egypt": ([IBAN_EG, _group4(IBAN_EG)], [IBAN_EG[:-1], IBAN_EG + "1"]),
    "iban_morocco": ([IBAN_MA, _group4(IBAN_MA)], [IBAN_MA[:-1], "ma" + IBAN_MA[2:]]),
    "western_union_mtcn": (
        ["MTCN: 123-456-7890", "mtcn no 1234567890"],
        ["MTCN 123456789", "code 1234567890"],
    ),
    "moneygram_reference": (
        ["MoneyGram reference number: 12345678 ok", "Ref#87654321"],
        ["ref 123456789", "href=12345678"],
    ),
    "tron_address": (
        [f"USDT TRC20 wallet: {TRON} ok", f"محفظة: {TRON}"],
        [f"send to {TRON}", f"USDT: {TRON[:-1]}"],
    ),
    "bitcoin_bech32_address": (
        [
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        ],
        ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t", "bc1qb508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"],
    ),
    "binance_pay_id": (["Binance Pay ID: 123456789", "binance uid 87654321"], ["Pay ID: 1234567"]),
}


@pytest.fixture(scope="module")
def pattern_rules() -> yara.Rules:
    pack = next(p for p in load_packs(bundled_root()) if p.id == "patterns")
    (yar,) = pack.of_type("yara")
    return yara.compile(filepath=str(pack.root / yar.path), error_on_warning=True)


def test_every_pattern_rule_has_samples(pattern_rules: yara.Rules) -> None:
    assert {r.identifier for r in pattern_rules} == set(SAMPLES)


@pytest.mark.parametrize("rule", sorted(SAMPLES))
def test_pattern_rule_samples(pattern_rules: yara.Rules, rule: str) -> None:
    positives, negatives = SAMPLES[rule]
    for text in positives:
        # Arabic context words are UTF-8 only; Latin ones also match as UTF-16LE.
        encodings = ["utf-8"] if any(ord(c) > 127 for c in text) else ["utf-8", "utf-16-le"]
        for encoding in encodings:
            hits = [
                i
                for m in pattern_rules.match(data=text.encode(encoding))
                if m.rule == rule
                for s in m.strings
                for i in s.instances
            ]
            assert len(hits) == 1, (rule, text, encoding, hits)
    for text in negatives:
        assert rule not in {m.rule for m in pattern_rules.match(data=text.encode())}, text


# ── keyword lists ──────────────────────────────────────────────────────────────────────────


def _keyword_lists() -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for pack in load_packs(bundled_root()):
        for f in pack.of_type("keywords"):
            keywords = read_keywords(packs.read_verified(pack, f), f"{pack.id}/{f.path}")
            result[pack.id] = [k.term for k in keywords]
    return result


def _letters(term: str, test: Callable[[str], bool]) -> int:
    return sum(1 for c in term if unicodedata.category(c).startswith("L") and test(c))


def test_keyword_files_are_clean_utf8_lists() -> None:
    for pack in load_packs(bundled_root()):
        for f in pack.of_type("keywords"):
            raw = (pack.root / f.path).read_bytes()
            text = raw.decode("utf-8")  # strict: a bad byte fails here
            assert not raw.startswith(b"\xef\xbb\xbf") and text.endswith("\n"), f.path
            terms = [line for line in text.splitlines() if line and not line.startswith("#")]
            assert all(t == " ".join(t.split()) for t in terms), f"{pack.id}: stray white space"
            assert len(terms) == len(set(terms)), f"{pack.id}: duplicate lines"
            # The project's reader drops terms that normalise alike: none may be lost.
            assert [k.term for k in read_keywords(raw, f.path)] == terms, pack.id


def test_every_term_is_long_enough_and_unvoweled() -> None:
    for pack_id, terms in _keyword_lists().items():
        for term in terms:
            arabic = _letters(term, lambda c: "\u0600" <= c <= "\u06ff")
            latin = _letters(term, lambda c: c < "\u0250")
            assert arabic + latin >= 2, (pack_id, term)
            # Short strings turn up by chance in Windows-1256, base64 and binary data.
            assert arabic >= 3 if arabic else len(term) >= 4, (pack_id, term)
            assert not any("\u064b" <= c <= "\u0652" or c == "\u0640" for c in term), term


def test_no_term_contains_another_of_its_pack_nor_repeats_across_packs() -> None:
    seen: dict[str, str] = {}
    for pack_id, terms in _keyword_lists().items():
        normal = sorted({normalise(t) for t in terms}, key=len)
        assert len(normal) == len(terms), f"{pack_id}: duplicates after normalisation"
        for i, short in enumerate(normal):
            longer = [t for t in normal[i + 1 :] if short in t]
            assert not longer, f"{pack_id}: {short!r} is inside {longer}"
        for term in normal:
            assert seen.setdefault(term, pack_id) == pack_id, f"{term!r} in {seen[term]}"


@pytest.mark.parametrize(("pack_id", "bounds"), sorted(TERM_COUNTS.items()))
def test_term_counts(pack_id: str, bounds: tuple[int, int]) -> None:
    low, high = bounds
    assert low <= len(_keyword_lists()[pack_id]) <= high


@pytest.mark.slow
def test_keyword_packs_compile_to_fast_rules() -> None:
    for pack_id, terms in _keyword_lists().items():
        source = compile_source(read_keywords("\n".join(terms).encode(), pack_id), pack_id)
        assert source.count("\nrule ") + source.startswith("rule ") == len(terms), pack_id


# ── user packs ─────────────────────────────────────────────────────────────────────────────


def test_user_keyword_file_is_hashed(tmp_path: Path) -> None:
    path = tmp_path / "my terms.txt"
    path.write_bytes("حرقة\n".encode())
    pack = packs.user_pack(path, "keywords")
    (f,) = pack.files
    assert (f.path, f.type, f.sha256) == ("my terms.txt", "keywords", _sha(path.read_bytes()))
    assert pack.root == tmp_path and pack.id.startswith("user_keywords_")
    assert packs.read_verified(pack, f) == path.read_bytes()
    assert packs.user_pack(path, "keywords") == pack
    path.write_bytes("حرقه\n".encode())
    with pytest.raises(PackError, match="SHA-256 mismatch"):
        packs.read_verified(pack, f)
    assert packs.user_pack(path, "keywords").manifest_sha256 != pack.manifest_sha256


def test_user_pack_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "t.txt").write_bytes("حرقة\n".encode())
    first = packs.user_pack(tmp_path / "a" / "t.txt", "keywords")
    # Same content elsewhere is another pack (rule namespaces are per pack id) ...
    assert packs.user_pack(tmp_path / "b" / "t.txt", "keywords").id != first.id
    # ... and the same file named relatively is the same pack.
    monkeypatch.chdir(tmp_path / "a")
    assert packs.user_pack(Path("t.txt"), "keywords").id == first.id


def test_user_rule_folder_collects_yara_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.YARA").write_bytes(b"rule two { condition: true }")
    (tmp_path / "one.yar").write_bytes(b"rule one { condition: true }")
    (tmp_path / "notes.txt").write_bytes(b"not a rule")
    pack = packs.user_pack(tmp_path, "yara")
    assert [(f.path, f.type) for f in pack.files] == [("b/two.YARA", "yara"), ("one.yar", "yara")]
    assert pack.files[1].sha256 == _sha(b"rule one { condition: true }")

    (tmp_path / "link.yar").symlink_to(tmp_path / "one.yar")
    with pytest.raises(PackError, match="symbolic link"):
        packs.user_pack(tmp_path, "yara")


def test_user_pack_refusals(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"no \.yar or \.yara"):
        packs.user_pack(tmp_path, "yara")
    with pytest.raises(PackError, match="not a regular file"):
        packs.user_pack(tmp_path, "keywords")
    with pytest.raises(PackError, match="not a regular file"):
        packs.user_pack(tmp_path / "absent.yar", "yara")


# ── maintainer command ─────────────────────────────────────────────────────────────────────


def test_update_manifest_rewrites_hashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _make_pack(tmp_path, files=[{"path": "terms.txt", "type": "keywords"}])
    before = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert packs.main(["update-manifest", str(folder)]) == 0
    after = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert after["files"] == [
        {
            "path": "terms.txt",
            "type": "keywords",
            "sha256": _sha((folder / "terms.txt").read_bytes()),
        }
    ]
    assert {k: v for k, v in after.items() if k != "files"} == {
        k: v for k, v in before.items() if k != "files"
    }
    assert "demo 1.2.3: 1 file(s) hashed" in capsys.readouterr().out
    assert load_pack(folder).files[0].sha256 == after["files"][0]["sha256"]
    assert not (folder / "manifest.json.tmp").exists()


def test_update_manifest_command_reports_errors(tmp_path: Path) -> None:
    folder = _make_pack(tmp_path)
    (folder / "terms.txt").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "triage_app.search.packs", "update-manifest", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "pack 'demo': file 'terms.txt': missing" in result.stderr
