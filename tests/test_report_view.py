"""Tags, report selection and redaction profiles; the CLI that sets them; audit entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_android import make_android_extraction

from triage_app.cli import main
from triage_app.core.audit import AuditLog, verify_chain
from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.tags import TagError, add_tag, clean_tag, list_tags, remove_tag
from triage_app.report.view import (
    MASK,
    ReportView,
    SelectionError,
    load_redaction,
    parse_selection,
)

VICTIM = "+218912345678"  # the SMS correspondent of the generated phone


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("view")
    case = root / "case"
    assert scan(case, [make_android_extraction(root / "phone")]).status == "ok"
    return case


def _copy(case: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "case"
    shutil.copytree(case, target)
    return target


def _entity(conn: object, value: str) -> str:
    row = conn.execute("SELECT id FROM entities WHERE value = ?", (value,)).fetchone()  # type: ignore[attr-defined]
    return f"ent:{row[0]}"


def _dump(view: ReportView) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in view.records())


def test_tags_are_checked_listed_removed_and_audited(scanned: Path, tmp_path: Path) -> None:
    case_dir = _copy(scanned, tmp_path)
    case = Case.open(case_dir, create=False)
    try:
        tag = add_tag(case, "rec:11", "Suspect", note="boat captain")
        assert (tag.tag, tag.note) == ("suspect", "boat captain")
        add_tag(case, "rec:11")  # plain bookmark
        with pytest.raises(TagError, match="no record rec:99999"):
            add_tag(case, "rec:99999", "suspect")
        with pytest.raises(TagError, match="not a record id"):
            add_tag(case, "rec:1; DROP TABLE tags", "suspect")
        with pytest.raises(TagError, match="letters, digits"):
            add_tag(case, "rec:11", "<script>")
        assert [t.tag for t in list_tags(case.db.conn)] == ["bookmark", "suspect"]
        assert remove_tag(case, "rec:11", "suspect") and not remove_tag(case, "rec:11", "suspect")
    finally:
        case.close()
    audit = (case_dir / "audit.jsonl").read_text(encoding="utf-8")
    assert audit.count('"tag_added"') == 2 and audit.count('"tag_removed"') == 1
    assert "boat captain" in audit
    assert verify_chain(case_dir / "audit.jsonl").ok
    assert clean_tag(" ضحية ") == "ضحية"  # Arabic tags are fine


def test_selection_kinds_and_bookmarks(scanned: Path, tmp_path: Path) -> None:
    case_dir = _copy(scanned, tmp_path)
    case = Case.open(case_dir, create=False)
    try:
        add_tag(case, "rec:12", "relevant")
        add_tag(case, "rec:13")
    finally:
        case.close()
    conn = connect(case_dir / "case.sqlite", readonly=True)
    messages = ReportView(conn, parse_selection("message"))
    assert messages.kinds() == ["message"]
    assert {r["kind"] for r in messages.records()} == {"message"}
    assert [r["id"] for r in ReportView(conn, parse_selection("bookmarked")).records()] == [
        "rec:12", "rec:13",
    ]  # fmt: skip
    tagged = ReportView(conn, parse_selection("tag:relevant"))
    assert [r["id"] for r in tagged.records("message")] == ["rec:12"]
    assert tagged.accept({"kind": "message", "id": "rec:13"}) is None
    for bad in ("tag:", "message;drop", "../x"):
        with pytest.raises((SelectionError, TagError)):
            parse_selection(bad)


def test_victims_profile_masks_identifiers_everywhere(scanned: Path, tmp_path: Path) -> None:
    case_dir = _copy(scanned, tmp_path)
    conn = connect(case_dir / "case.sqlite", readonly=True)
    assert VICTIM in _dump(ReportView(conn))
    case = Case.open(case_dir, create=False)
    try:
        add_tag(case, _entity(case.db.conn, VICTIM), "victim")
    finally:
        case.close()
    view = ReportView(conn, redaction=load_redaction("victims"))
    text = _dump(view)
    assert VICTIM not in text and "912345678" not in text and MASK in text
    assert "+21650111222" in text  # the other number is not a victim's
    # Formatting does not hide a number from the mask, and hashes/ids are never touched.
    assert view.mask({"body": "call 091-234-5678 now", "sha256": "0912345678"}) == {
        "body": f"call 0{MASK} now", "sha256": "0912345678",
    }  # fmt: skip
    statement = view.redaction.statement()
    assert statement["profile"] == "victims" and statement["mask_tags"] == ["victim"]
    assert len(statement["profile_sha256"]) == 64


def test_omit_and_media_rules(scanned: Path, tmp_path: Path) -> None:
    case_dir = _copy(scanned, tmp_path)
    case = Case.open(case_dir, create=False)
    try:
        add_tag(case, "rec:13", "privileged")
        add_tag(case, "rec:12", "sensitive")
    finally:
        case.close()
    conn = connect(case_dir / "case.sqlite", readonly=True)
    public = ReportView(conn, redaction=load_redaction("public"))
    ids = [r["id"] for r in public.records("message")]
    assert "rec:13" not in ids and "rec:12" in ids
    assert public.media_action({"id": "rec:12"}) == "omit"
    blur = ReportView(conn, redaction=load_redaction("sensitive-media"))
    assert blur.media_action({"id": "rec:12"}) == "blur"
    assert blur.media_action({"id": "rec:11"}) is None
    assert ReportView(conn).media_action({"id": "rec:12"}) is None


def test_custom_profile_file_and_bad_profiles(tmp_path: Path) -> None:
    good = tmp_path / "court.json"
    good.write_text(json.dumps({"name": "court", "mask_tags": ["victim", "witness"]}))
    assert load_redaction(str(good)).mask_tags == {"victim", "witness"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"media": "show"}')
    with pytest.raises(SelectionError, match="blur or omit"):
        load_redaction(str(bad))
    with pytest.raises(SelectionError, match="no such profile"):
        load_redaction("nope")
    bad.write_text("{not json")
    with pytest.raises(SelectionError, match="not valid"):
        load_redaction(str(bad))


def test_cli_tag_case_info_and_export_are_audited(scanned: Path, tmp_path: Path) -> None:
    case_dir = _copy(scanned, tmp_path)
    runner = CliRunner()
    result = runner.invoke(
        main, ["tag", "--case", str(case_dir), "rec:11", "rec:12", "--tag", "suspect",
               "--note", "organiser"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = runner.invoke(main, ["tags", "--case", str(case_dir), "--json"]).output
    assert [json.loads(line)["record_id"] for line in listed.splitlines()] == ["rec:11", "rec:12"]
    assert runner.invoke(main, ["tag", "--case", str(case_dir), "rec:0"]).exit_code != 0
    untag = runner.invoke(main, ["untag", "--case", str(case_dir), "rec:11", "--tag", "suspect"])
    assert "removed" in untag.output
    info = runner.invoke(
        main, ["case-info", "--case", str(case_dir), "--agency", "Tripoli CID",
               "--authorisation", "Warrant 12/2026"],
    )  # fmt: skip
    assert "agency: Tripoli CID" in info.output
    exported = runner.invoke(main, ["export", "--case", str(case_dir), "--kind", "message"])
    assert exported.exit_code == 0
    entries = [json.loads(line) for line in (case_dir / "audit.jsonl").open(encoding="utf-8")]
    actions = [e["action"] for e in entries]
    assert actions[-5:] == [
        "tag_added", "tag_added", "tag_removed", "case_info_updated", "records_exported",
    ]  # fmt: skip
    assert entries[-1]["details"]["records"] == 3
    assert verify_chain(case_dir / "audit.jsonl").ok


def test_two_writers_extend_one_chain(scanned: Path, tmp_path: Path) -> None:
    """A scan and a report (two processes, two AuditLog objects) append to one case."""
    case_dir = _copy(scanned, tmp_path)
    first, second = Case.open(case_dir, create=False), Case.open(case_dir, create=False)
    try:
        for n in range(5):
            first.audit.append("from_first", n=n)
            second.audit.append("from_second", n=n)
        assert isinstance(first.audit, AuditLog)
    finally:
        first.close()
        second.close()
    report = verify_chain(case_dir / "audit.jsonl")
    assert report.ok, report.reason
    conn = connect(case_dir / "case.sqlite", readonly=True)
    seqs = [r[0] for r in conn.execute("SELECT seq FROM audit ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == report.entries
