"""Epoch converters: stored values → aware UTC datetimes, or None.

0, NULL, negative and out-of-range values give None (never 1970): apps write 0 for
"not set", and a corrupt value must not become a plausible date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

_UNIX = datetime(1970, 1, 1, tzinfo=UTC)
_WEBKIT = datetime(1601, 1, 1, tzinfo=UTC)  # Chromium, Windows FILETIME
_COCOA = datetime(2001, 1, 1, tzinfo=UTC)  # Apple Core Data / Cocoa
# Plausibility window for evidence timestamps; anything outside is treated as corrupt.
_MIN = datetime(1980, 1, 1, tzinfo=UTC)
_MAX = datetime(2100, 1, 1, tzinfo=UTC)


def _number(value: Any) -> int | float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _from(epoch: datetime, value: Any, per_second: int) -> datetime | None:
    """`value` units of 1/`per_second` s after `epoch`. Integers are split exactly: as a float
    a WebKit or FILETIME value loses its last microsecond."""
    number = _number(value)
    if number is None:
        return None
    try:
        if isinstance(number, int):
            seconds, rest = divmod(number, per_second)
            delta = timedelta(seconds=seconds, microseconds=rest * 1_000_000 // per_second)
        else:
            delta = timedelta(seconds=number / per_second)
        result = epoch + delta
    except OverflowError:
        return None
    return result if _MIN <= result < _MAX else None


def from_unix_s(value: Any) -> datetime | None:
    return _from(_UNIX, value, 1)


def from_unix_ms(value: Any) -> datetime | None:
    return _from(_UNIX, value, 1_000)


def from_unix_us(value: Any) -> datetime | None:
    return _from(_UNIX, value, 1_000_000)


def from_unix_ns(value: Any) -> datetime | None:
    return _from(_UNIX, value, 1_000_000_000)


def from_webkit_us(value: Any) -> datetime | None:
    return _from(_WEBKIT, value, 1_000_000)


def from_filetime(value: Any) -> datetime | None:
    return _from(_WEBKIT, value, 10_000_000)


def from_cocoa_s(value: Any) -> datetime | None:
    return _from(_COCOA, value, 1)


def from_cocoa_ns(value: Any) -> datetime | None:
    return _from(_COCOA, value, 1_000_000_000)


def parse_iso(value: Any) -> datetime | None:
    """A stored time (`iso()` output, or any ISO-8601 text with an offset) as an aware
    datetime; None for anything else (no time, no offset, not a time)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a trailing Z, microseconds only when present."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat() is several times faster than strftime() and this runs 4× per indexed file.
    return value.replace(tzinfo=None).isoformat() + "Z"
