"""Value helpers for parsers reading hostile app data.

A column declared TEXT may hold a BLOB, an INTEGER column text or an empty string: these turn
stored values into what a record holds without trusting the declared type, and shape a
record's fields the same way in every parser.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol

# The message contract: these keys stay in a message record even when null.
MESSAGE_KEYS = frozenset(
    {"app", "thread", "sender", "recipients", "direction", "body", "attachments"}
)
# The web_cookie / web_form / web_cache contracts (docs/RECORDS.md). A cookie's own path is
# `cookie_path`: `path` is every record's location in the evidence.
COOKIE_KEYS = frozenset(
    {"browser", "host", "name", "value", "cookie_path", "expires", "secure", "http_only"}
)
FORM_KEYS = frozenset({"browser", "field", "value", "url", "count"})
CACHE_KEYS = frozenset({"browser", "url", "mime", "size", "local_path"})
# Servers of WhatsApp JIDs whose user part is a phone number (`c.us` in very old databases).
_PHONE_SERVERS = frozenset({"s.whatsapp.net", "c.us"})


class Row(Protocol):
    """A query row: sqlite3.Row and the like (`keys()` names the selected columns)."""

    def keys(self) -> list[str]: ...

    def __getitem__(self, key: str, /) -> Any: ...


def text(value: Any) -> str | None:
    """A stored value as text; a BLOB is decoded as UTF-8 (invalid bytes replaced)."""
    if value is None or type(value) is str:
        return value  # the common case first: parsers call this for every column of every row
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def as_int(value: Any) -> int | None:
    """`int(value)`, None for a null or empty value (ValueError/TypeError when not a number,
    an infinite or NaN float included)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return int(value)


def strict_int(value: Any) -> int | None:
    """An integer, or a text holding one (blanks around it allowed); None for null. Anything
    else, the empty string included, is a ValueError naming the value."""
    if value is None:
        return None
    if isinstance(value, int):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"not an integer: {value!r}") from None


def compact(fields: Mapping[str, Any], keep: Collection[str]) -> dict[str, Any]:
    """The fields without null values, except the keys in `keep` (null or not)."""
    return {k: v for k, v in fields.items() if v is not None or k in keep}


def row_values(row: Row, columns: Iterable[str]) -> dict[str, Any]:
    """The row's value of each column; None for a column the query did not select."""
    keys = row.keys()
    return {c: row[c] if c in keys else None for c in columns}


def phone_from_jid(jid: str | None) -> str | None:
    """`+<digits>` for a WhatsApp phone JID (`556183125151@s.whatsapp.net`, with an optional
    `:device` or `.agent` suffix), None for groups, broadcasts and non-phone ids."""
    if not jid or "@" not in jid:
        return None
    user, _, server = jid.partition("@")
    if server not in _PHONE_SERVERS:
        return None
    user = user.split(":", 1)[0].split(".", 1)[0]
    if user.isascii() and user.isdigit() and len(user) <= 15:
        return "+" + user
    return None
