from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage_app.core import timeconv as t

# Known instant 2013-10-29T16:56:28Z = Unix 1383065788 (plaso's Android SMS test row), and
# the published epoch offsets: 11644473600 s from 1601 to 1970, 978307200 s from 1970 to 2001.
UNIX = 1383065788
WEBKIT_OFFSET = 11644473600
COCOA_OFFSET = 978307200


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (t.from_unix_s, UNIX, "2013-10-29T16:56:28Z"),
        (t.from_unix_ms, UNIX * 1000 + 38, "2013-10-29T16:56:28.038000Z"),
        (t.from_unix_us, UNIX * 10**6 + 381000, "2013-10-29T16:56:28.381000Z"),
        (t.from_unix_ns, UNIX * 10**9, "2013-10-29T16:56:28Z"),
        (t.from_webkit_us, (UNIX + WEBKIT_OFFSET) * 10**6, "2013-10-29T16:56:28Z"),
        (t.from_filetime, (UNIX + WEBKIT_OFFSET) * 10**7, "2013-10-29T16:56:28Z"),
        (t.from_cocoa_s, UNIX - COCOA_OFFSET, "2013-10-29T16:56:28Z"),
        (t.from_cocoa_ns, (UNIX - COCOA_OFFSET) * 10**9, "2013-10-29T16:56:28Z"),
    ],
)
def test_converters(fn: object, value: int, expected: str) -> None:
    assert t.iso(fn(value)) == expected  # type: ignore[operator]


@pytest.mark.parametrize("value", [0, None, -1, "", "abc", 10**30, 13727168620 * 1000, True])
def test_unset_or_implausible_is_none(value: object) -> None:
    assert t.from_unix_ms(value) is None
    assert t.from_webkit_us(value) is None


def test_iso_is_utc_with_z() -> None:
    assert t.iso(datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2020-01-02T03:04:05Z"
    assert t.iso(None) is None


def test_integers_keep_every_microsecond() -> None:
    # As a float, 13161017393885478 µs since 1601 comes out one microsecond short.
    assert t.iso(t.from_webkit_us(13161017393885478)) == "2018-01-21T14:09:53.885478Z"
    assert t.iso(t.from_filetime(131610173938854781)) == "2018-01-21T14:09:53.885478Z"
    assert t.iso(t.from_cocoa_s(532045414.25)) == "2017-11-10T22:23:34.250000Z"


def test_parse_iso_reads_stored_times_only() -> None:
    from datetime import UTC, datetime

    from triage_app.core.timeconv import iso, parse_iso

    moment = datetime(2024, 3, 2, 1, 15, 30, 123000, tzinfo=UTC)
    assert parse_iso(iso(moment)) == moment
    assert parse_iso("2024-03-02T03:15:30+02:00") == datetime(2024, 3, 2, 1, 15, 30, tzinfo=UTC)
    for bad in (None, "", "2024-03-02T01:15:30", "yesterday", 1709342130):
        assert parse_iso(bad) is None
