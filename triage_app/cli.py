"""The `qarina` command: scan, info, export, verify.

Exit codes: 0 the command did its job (a scan with per-file errors still exits 0 and lists
them); 1 an evidence item could not be opened or failed verification, or a check failed;
2 usage error; 3 cancelled (Ctrl+C); 4 the case database could not be written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import click

from . import __version__
from .cli_text import say
from .core import casecrypt, caseinfo
from .core.audit import AUDIT_NAME, verify_case_log
from .core.case import Case
from .core.casecrypt import DB_ERRORS
from .core.casedb import DB_NAME, connect
from .core.engine import scan as run_scan
from .core.errors import CaseDBError, QarinaError
from .core.export import records
from .core.models import ScanOptions, ScanSummary
from .core.progress import CancelToken, Progress

EXIT_EVIDENCE, EXIT_CANCELLED, EXIT_CASEDB = 1, 3, 4
KINDS = (
    "file", "message", "contact", "call", "web_visit", "web_download", "web_search",
    "web_cookie", "web_form", "web_cache", "media", "keyword_hit", "entity",
)  # fmt: skip


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000
    return f"{n:.1f} TB"


class ConsoleSink:
    """One updating status line on stderr: stage, files, bytes, throughput, ETA."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet or not sys.stderr.isatty()
        self._start = time.monotonic()
        self._width = 0

    def update(self, p: Progress) -> None:
        if self._quiet:
            return
        elapsed = max(time.monotonic() - self._start, 1e-6)
        rate = p.bytes_done / elapsed
        line = f"[{p.stage}] {p.files_done} files, {_human(p.bytes_done)}"
        if p.bytes_total:
            line += f" / {_human(p.bytes_total)}"
            if rate > 0 and p.bytes_done < p.bytes_total:
                line += f", ETA {int((p.bytes_total - p.bytes_done) / rate)} s"
        if p.bytes_done:
            line += f", {_human(rate)}/s"
        if p.findings:
            line += f", {p.findings} records"
        if p.message:
            line += f" {p.message[-60:]}"
        click.echo("\r" + line.ljust(self._width), nl=False, err=True)
        self._width = len(line)

    def log(self, level: str, message: str) -> None:
        click.echo(f"\n{level}: {message}", err=True)

    def done(self) -> None:
        if not self._quiet and self._width:
            click.echo("", err=True)


class _Group(click.Group):
    """Every command: an encrypted case without its passphrase is a one-line error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except casecrypt.CaseLocked as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qarina")
@click.option("-v", "--verbose", is_flag=True, help="Log details to stderr.")
def main(verbose: bool) -> None:
    """Qarina: offline forensic triage of seized devices. Evidence is only ever read.

    An encrypted case (`scan --encrypt`) asks for its passphrase, or reads it from the
    environment variable QARINA_CASE_PASSPHRASE.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    casecrypt.set_asker(_ask_passphrase)


PASSPHRASE_ENV = casecrypt.PASSPHRASE_ENV


def _ask_passphrase(path: Path) -> str | None:
    """The passphrase of the encrypted case at `path`: from the environment, or typed."""
    if (text := casecrypt.from_environment()) is not None:
        return text
    if not sys.stdin.isatty():
        return None
    return str(click.prompt(f"Passphrase of the case {path.parent}", hide_input=True, err=True))


def _new_passphrase() -> str:
    if (text := casecrypt.from_environment()) is not None:
        return text
    if not sys.stdin.isatty():
        raise click.UsageError(f"--encrypt: set {PASSPHRASE_ENV} or run in a terminal")
    text = click.prompt(
        "Passphrase for the new case (never stored; without it the case cannot be opened)",
        hide_input=True,
        confirmation_prompt=True,
        err=True,
    )
    return str(text)


@main.command()
@click.argument("evidence", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path),
              help="Case folder (created if missing, extended if it exists).")  # fmt: skip
@click.option("--examiner", help="Examiner name recorded in the case and audit log.")
@click.option("--case-number", help="Case or reference number.")
@click.option("--tz", "timezone", help="Display time zone (IANA name, e.g. Africa/Tripoli).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line.")
@click.option("--password", envvar="QARINA_BACKUP_PASSWORD", show_envvar=True,
              help="Password of an encrypted iTunes/Finder or Android (.ab) backup.")  # fmt: skip
@click.option("--rules", "rules", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A YARA rule file or folder to search with (repeatable).")  # fmt: skip
@click.option("--keywords", "keywords", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A keyword list (UTF-8, one term a line, # comments; repeatable).")  # fmt: skip
@click.option("--no-bundled-rules", is_flag=True, help="Do not search with the bundled packs.")
@click.option("--no-pack", "disabled_packs", multiple=True, metavar="PACK",
              help="Leave this bundled pack out (e.g. smuggling_fr; repeatable).")  # fmt: skip
@click.option("--search-max-mb", default=64, show_default=True, type=click.IntRange(1, 4096),
              help="Search the content of files up to this size.")  # fmt: skip
@click.option("--no-search", is_flag=True,
              help="Index and parse only: no keywords, identifiers or hash sets.")  # fmt: skip
@click.option("--skip-volume", "skip_volumes", multiple=True, metavar="INDEX",
              help="Leave out this partition of the disk images (its index as `qarina info` "
                   "lists it; repeatable). The image is still hashed whole, and a later scan "
                   "without this option reads the partition.")  # fmt: skip
@click.option("--parse-timeout", default=int(ScanOptions.parse_seconds), show_default=True,
              type=click.IntRange(1), metavar="SECONDS",
              help="Stop a parser that runs longer than this on one file (plus 1 s per 2 MB "
                   "of the file); the file is recorded as an error.")  # fmt: skip
@click.option("--parse-memory", default=ScanOptions.parse_memory_mb, show_default=True,
              type=click.IntRange(64), metavar="MB",
              help="Stop a parser that needs more memory than this on one file "
                   "(Linux and macOS).")  # fmt: skip
@click.option("--encrypt", is_flag=True,
              help=f"Create the case encrypted with a passphrase (typed, or {PASSPHRASE_ENV}); "
                   "see docs/EXAMINER.md for what it covers.")  # fmt: skip
@click.option(
    "--no-isolation",
    is_flag=True,
    help="Run parsers in the scan's own process, without limits (debugging).",
)
def scan(
    evidence: tuple[Path, ...],
    case_dir: Path,
    examiner: str | None,
    case_number: str | None,
    timezone: str | None,
    quiet: bool,
    password: str | None,
    rules: tuple[Path, ...],
    keywords: tuple[Path, ...],
    no_bundled_rules: bool,
    disabled_packs: tuple[str, ...],
    search_max_mb: int,
    no_search: bool,
    skip_volumes: tuple[str, ...],
    parse_timeout: int,
    parse_memory: int,
    no_isolation: bool,
    encrypt: bool,
) -> None:
    """Scan EVIDENCE (disk images, split/E01 sets, phone extraction folders, zip/tar,
    iTunes/Finder and Android backups) into a case.

    Running it again on the same case and evidence resumes where a cancelled or killed run
    stopped. Ctrl+C cancels cleanly; everything already committed is kept. File contents
    and parsed records are searched with the bundled keyword and YARA packs (and yours),
    and phone numbers, e-mails, URLs, wallets and IBANs are extracted for `qarina links`.
    Parsers run in worker processes: one that crashes, hangs or exhausts memory on a
    hostile file costs that file only, recorded as an error with the reason.
    """
    cancel = CancelToken()
    sink = ConsoleSink(quiet)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        click.echo("\ncancelling… (Ctrl+C again to abort at once)", err=True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    options = ScanOptions(
        examiner=examiner, case_number=case_number, timezone=timezone, password=password,
        bundled_rules=not no_bundled_rules, disabled_packs=disabled_packs, rules=rules,
        keywords=keywords, search=not no_search,
        search_max_bytes=search_max_mb * 1024**2,
        skip_volumes=tuple(("*", index) for index in skip_volumes),
        parse_seconds=float(parse_timeout), parse_memory_mb=parse_memory,
        isolate=not no_isolation,
        case_passphrase=_new_passphrase() if encrypt else None,
    )  # fmt: skip
    try:
        summary = run_scan(case_dir, list(evidence), options, sink, cancel)
    except CaseDBError as exc:
        sink.done()
        click.echo(f"Error: case database error: {exc}", err=True)
        sys.exit(EXIT_CASEDB)
    except QarinaError as exc:
        sink.done()
        raise click.ClickException(str(exc)) from exc
    finally:
        signal.signal(signal.SIGINT, previous)
    sink.done()
    _print_summary(summary, case_dir)
    if summary.status == "cancelled":
        sys.exit(EXIT_CANCELLED)
    if summary.failed_evidence:
        sys.exit(EXIT_EVIDENCE)


def _print_summary(summary: ScanSummary, case_dir: Path) -> None:
    status = summary.status
    if status == "ok" and summary.failed_evidence:
        status = f"finished, {len(summary.failed_evidence)} evidence item(s) NOT read or verified,"
    say(f"scan {status} in {summary.seconds:.1f} s: {summary.files} files indexed, "
               f"{_human(summary.bytes_hashed)} hashed, {summary.artifacts} records")  # fmt: skip
    for e in summary.evidence:
        line = f"  evidence {e.get('id', '-')}: {e['path']} — {e['status']}"
        if e.get("verification") and e["verification"] != "not_applicable":
            line += f" (verification: {e['verification']})"
        say(line)
        if e.get("message"):
            say(f"      {e['message']}")
        for warning in e.get("warnings", []):
            say(f"      WARNING: {warning}")
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        problems = caseinfo.errors(conn, limit=20)
    finally:
        conn.close()
    problems = [p for p in problems if p["source"] != "evidence"]
    if problems:
        say(f"  {len(problems)} file/parser error(s) (see `qarina info`):")
        for p in problems:
            say(f"    {p['path']}: {p['parser'] or 'read'}: {p['message']}")


def _open_case(case_dir: Path) -> Any:
    if not (case_dir / DB_NAME).is_file():
        raise click.ClickException(f"{case_dir} is not a Qarina case folder (no {DB_NAME})")
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        complete = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='case_info'"
        ).fetchone()
    except DB_ERRORS as exc:
        conn.close()
        raise click.ClickException(f"{case_dir}: the case database cannot be read: {exc}") from exc
    if not complete:
        conn.close()
        raise click.ClickException(
            f"{case_dir}: the case's creation did not complete (stopped or disk full); "
            "scan again to create it"
        )
    return conn


@main.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def info(case_dir: Path, as_json: bool) -> None:
    """Evidence with hashes and verification, volumes, record counts, coverage and errors."""
    conn = _open_case(case_dir)
    try:
        data = caseinfo.summary(conn)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_info(data)
    if any(e["status"] != "ok" for e in data["evidence"]):
        sys.exit(EXIT_EVIDENCE)


def _print_info(data: dict[str, Any]) -> None:
    case = data["case"]
    say(f"case {case.get('case_number') or '-'}  examiner {case.get('examiner') or '-'}"
               f"  time zone {case.get('timezone', 'UTC')}")  # fmt: skip
    for e in data["evidence"]:
        _print_evidence(e)
    say("\nrecords: " + ", ".join(f"{k} {v}" for k, v in data["counts"].items()))
    if data["coverage"]:
        say("coverage (parser × status):")
        for c in data["coverage"]:
            say(f"  {c['parser']}: {c['status']} {c['files']} file(s), "
                       f"{c['records'] or 0} records")  # fmt: skip
    _print_apps(data["apps"])
    _print_search(data["search"])
    if data["errors"]:
        say(f"errors ({len(data['errors'])}):")
        for err in data["errors"]:
            say(f"  [{err['source']}] {err['path']}: {err['parser'] or ''} {err['message']}")


def _print_apps(apps: list[dict[str, Any]]) -> None:
    if not apps:
        return
    say("apps found on devices:")
    for a in apps:
        label = f"{a['name']} ({a['app_id']})" if a["name"] else a["app_id"]
        state = f"parsed, {a['records']} records" if a["parsed"] else "INSTALLED BUT NOT PARSED"
        if not a["parsed"] and not a["name"]:
            state = "not parsed"
        say(f"  evidence {a['evidence_id']} {a['platform']}: {label} — {state}")


def _print_search(search: dict[str, Any]) -> None:
    packs = search["rule_packs"]
    if packs:
        names = ", ".join(
            f"{p['pack']} {p['version'] or ''}".strip() + (" (NOT USED: error)" if ":error" in
            p["source"] else "")
            for p in packs
        )  # fmt: skip
        say(f"rule packs (latest scan): {names}")
    say(f"identifiers: {search['identifiers']}, on two or more evidence items: "
               f"{search['shared_identifiers']} (see `qarina links`)")  # fmt: skip
    for h in search["hashsets"]:
        say(f"hash set {h['name']} [{h['category']}]: {h['files']} matching file(s)")


def _print_evidence(e: dict[str, Any]) -> None:
    say(f"\nevidence {e['id']}: {e['identity']}  [{e['kind']}/{e['format']}] {e['status']}")
    fields = ("message", "sha256", "md5", "media_size", "stored_md5", "stored_sha1",
              "verification", "verification_message")  # fmt: skip
    for key in fields:
        if e.get(key) not in (None, ""):
            say(f"  {key}: {e[key]}")
    for c in e.get("container_hashes") or []:
        say(f"  container file {c['path']}: {c['size']} bytes sha256 {c['sha256']} md5 {c['md5']}")
    for k, v in (e.get("metadata") or {}).items():
        say(f"  {k}: {v}")
    for v in e["volumes"]:
        say(f"  volume {v['idx'] or '(whole image)'} @{v['offset']} len {v['length']}"
                   f" {v['description']}: {v['fs_type'] or '-'} {v['status']}"
                   f" {v['message'] or ''}")  # fmt: skip
    say(f"  files indexed: {e['files']}")


@main.command()
@click.option("--case", "case_dir", required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--kind", type=click.Choice(KINDS), help="Only records of this kind.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Output file (default: stdout)."
)
def export(case_dir: Path, fmt: str, kind: str | None, output: Path | None) -> None:
    """Export records as JSON lines, in the record contract of ARCHITECTURE.md. The export
    (count and SHA-256 of what was written) is recorded in the case's audit log."""
    conn = _open_case(case_dir)
    # A lone surrogate (kept from a broken app string) is written as its JSON escape (\udc80),
    # so every line stays valid UTF-8 and valid JSON; records_sha256 hashes the same bytes.
    out: TextIO
    if output:
        out = open(output, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
    else:
        out = sys.stdout
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")  # type: ignore[union-attr]
    digest, count = hashlib.sha256(), 0
    try:
        for record in records(conn, kind):
            line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
            out.write(line)
            digest.update(line.encode("utf-8", "backslashreplace"))
            count += 1
    finally:
        conn.close()
        if output:
            out.close()
    try:
        case = Case.open(case_dir, create=False)
        try:
            case.audit.append(
                "records_exported", format=fmt, kind=kind, records=count,
                sha256=digest.hexdigest(), output=str(output.absolute()) if output else "stdout",
            )  # fmt: skip
        finally:
            case.close()
    except (QarinaError, OSError) as exc:  # e.g. a case on write-protected media
        click.echo(f"warning: the export could not be written to the audit log: {exc}", err=True)


@main.command()
@click.argument("report_dir", required=False, type=click.Path(path_type=Path))
@click.option("--case", "case_dir", type=click.Path(path_type=Path),
              help="Check the case's hash-chained audit log.")  # fmt: skip
def verify(report_dir: Path | None, case_dir: Path | None) -> None:
    """Check a report folder (REPORT_DIR: every file against SHA256SUMS and manifest.json;
    names each modified, missing or added file) or a case's audit log chain (--case: names
    the first broken entry). Exit 1 when anything does not match."""
    if (report_dir is None) == (case_dir is None):
        raise click.UsageError("give either REPORT_DIR or --case DIR")
    if report_dir is not None:
        from .cli_report import verify_report_dir

        sys.exit(verify_report_dir(report_dir))
    assert case_dir is not None
    if not (case_dir / AUDIT_NAME).exists() and _never_audited(case_dir):
        # Creation cut short (a full disk): nothing was ever recorded, so nothing is broken;
        # the next scan or `qarina case-info` creates the case properly.
        click.echo("audit log empty: the case's creation did not complete (nothing recorded)")
        return
    report = verify_case_log(case_dir)
    if report.ok:
        click.echo(f"audit log intact: {report.entries} entries")
        return
    click.echo(f"audit log BROKEN at entry {report.first_bad}: {report.reason}", err=True)
    sys.exit(1)


def _never_audited(case_dir: Path) -> bool:
    """No audit entry mirrored in the case database either (or no database at all): a log
    deleted from a case that was used is tampering, and `verify` must say BROKEN."""
    if not (case_dir / DB_NAME).is_file():
        return True
    try:
        conn = connect(case_dir / DB_NAME, readonly=True)
    except Exception:  # noqa: BLE001 - an unreadable database is judged by the log check
        return False
    try:
        return conn.execute("SELECT 1 FROM audit LIMIT 1").fetchone() is None
    except DB_ERRORS:
        return True  # the creation stopped before the audit table existed
    finally:
        conn.close()


from . import cli_case, cli_search  # noqa: E402  (register their commands)
from .cli_gui import gui  # noqa: E402
from .cli_report import report  # noqa: E402
from .cli_sample import demo, sample  # noqa: E402

cli_search.register(main)
cli_case.register(main)
main.add_command(report)
main.add_command(gui)
main.add_command(sample)
main.add_command(demo)

if __name__ == "__main__":
    main()
