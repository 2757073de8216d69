"""Hash workers send back only the first SIGNATURE_BYTES of a file for parser dispatch (the
type is detected in the worker): every parser's signature must fit in them, or dispatch in
the scan process would silently miss its files."""

from __future__ import annotations

from parsers import all_parsers
from triage_app.core.dispatch import SIGNATURE_BYTES, candidates
from triage_app.core.parsing import FileInfo


def test_every_parser_signature_fits_the_prefix_workers_send() -> None:
    signed = [p for p in all_parsers() if p.signature is not None]
    assert signed, "no parser declares a signature: the test would prove nothing"
    for parser in signed:
        assert parser.signature is not None
        assert len(parser.signature) <= SIGNATURE_BYTES, parser.name


def test_dispatch_from_the_short_prefix_equals_dispatch_from_4_kib() -> None:
    parsers = all_parsers()
    for parser in (p for p in parsers if p.signature is not None):
        assert parser.signature is not None
        head = parser.signature + bytes(4096 - len(parser.signature))
        info = FileInfo(1, 1, None, "/data/x.db", "x.db", 4096, "0" * 64, None, False)
        full = candidates(info, head, parsers)
        short = candidates(info, head[:SIGNATURE_BYTES], parsers)
        assert [p.name for p in short] == [p.name for p in full]
