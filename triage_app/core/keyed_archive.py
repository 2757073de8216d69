"""NSKeyedArchiver binary plists (Foundation's object archives), read without running code.

Only plistlib's binary reader is used (an XML plist is refused, so no entity expansion); the
archive's `$objects` table is followed, every reference bounds-checked. Two readers, for two
ways parsers use an archive:

- `unarchive()` resolves the whole object graph into Python values (custom objects become
  dicts with `$class` and `$uid`, collections lists and dicts, NSDate a `CocoaDate`): cycles
  resolve to null, depth and total work are bounded. For archives read whole (Twitter's DM
  cache, Teams' member and card dictionaries).
- `KeyedArchive` is lazy: only the key paths a parser asks for are followed (a cyclic or deep
  graph costs nothing unless asked for), with a size cap on the archive and on every
  collection read. For one small archive per row (Instagram's messages).
"""

from __future__ import annotations

import plistlib
import struct
from dataclasses import dataclass
from typing import Any

_MAX_DEPTH = 100  # Twitter's archives nest about 15 levels
_MAX_WORK = 5_000_000  # object references followed per archive by unarchive()
# Instagram's archives are a few KiB (the corpus's largest is 20 KiB); anything far beyond is
# hostile.
MAX_ARCHIVE_BYTES = 8 << 20
MAX_ITEMS = 1000  # members of one collection KeyedArchive reads
# plistlib's binary reader raises these on malformed input (struct.error: short reads).
_PLIST_ERRORS = (ValueError, TypeError, LookupError, OverflowError, RecursionError, struct.error)


@dataclass(frozen=True)
class CocoaDate:
    """An archived NSDate: seconds since 2001-01-01 UTC, as stored."""

    seconds: float


class ArchiveError(ValueError):
    """The data is not a readable NSKeyedArchiver archive."""


class NotAnArchive(ArchiveError):
    """A readable property list that is not an NSKeyedArchiver archive."""


class _Resolver:
    """Turns the archive's object table into Python values: custom objects become dicts
    with `$class` and `$uid` (their index in `$objects`), collections lists/dicts."""

    def __init__(self, objects: list[Any]) -> None:
        self._objects = objects
        self._done: dict[int, Any] = {}
        self._active: set[int] = set()
        self._work = 0

    def value(self, item: Any, depth: int) -> Any:
        self._work += 1
        if self._work > _MAX_WORK or depth > _MAX_DEPTH:
            raise ArchiveError("archive nested too deeply or too large")
        if isinstance(item, plistlib.UID):
            return self._object(item.data, depth)
        if isinstance(item, list):
            return [self.value(x, depth + 1) for x in item]
        if isinstance(item, dict):
            return {str(k): self.value(v, depth + 1) for k, v in item.items()}
        return item

    def _object(self, uid: int, depth: int) -> Any:
        if uid in self._done:
            return self._done[uid]
        if uid in self._active or not 0 <= uid < len(self._objects):
            return None  # a reference cycle or a dangling reference
        raw = self._objects[uid]
        if raw == "$null":
            return None
        if not isinstance(raw, dict):
            return raw
        self._active.add(uid)
        try:
            result = self._decode(raw, uid, depth)
        finally:
            self._active.discard(uid)
        self._done[uid] = result
        return result

    def _decode(self, raw: dict[str, Any], uid: int, depth: int) -> Any:
        keys, objects = raw.get("NS.keys"), raw.get("NS.objects")
        if isinstance(keys, list) and isinstance(objects, list):
            return {
                _key(self.value(k, depth + 1)): self.value(v, depth + 1)
                for k, v in zip(keys, objects, strict=False)
            }
        if isinstance(objects, list):
            return [self.value(v, depth + 1) for v in objects]
        # NSMutableOrderedSet as the app archives it: one `NS.object.<n>` key per member.
        # Keys are whatever the file says: only ASCII-decimal `NS.object.<n>` keys count
        # ("NS.object.²" is str.isdigit() but not a number int() reads).
        members = sorted(
            (int(k[10:]), v)
            for k, v in raw.items()
            if isinstance(k, str) and k.startswith("NS.object.") and k[10:].isascii()
            and k[10:].isdecimal()
        )  # fmt: skip
        if members:
            return [self.value(v, depth + 1) for _, v in members]
        if "NS.time" in raw:
            time = raw["NS.time"]
            if isinstance(time, bool) or not isinstance(time, int | float):
                raise ArchiveError(f"NS.time is not a number: {type(time).__name__}")
            return CocoaDate(float(time))
        for key in ("NS.string", "NS.bytes", "NS.data"):
            if key in raw:
                return self.value(raw[key], depth + 1)
        result: dict[str, Any] = {"$class": self._classname(raw.get("$class")), "$uid": uid}
        for k, v in raw.items():
            if k != "$class":
                result[_key(k)] = self.value(v, depth + 1)
        return result

    def _classname(self, ref: Any) -> str | None:
        if isinstance(ref, plistlib.UID) and 0 <= ref.data < len(self._objects):
            entry = self._objects[ref.data]
            if isinstance(entry, dict) and isinstance(entry.get("$classname"), str):
                return str(entry["$classname"])
        return None


def _key(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def unarchive(data: bytes) -> Any:
    """The root object of an NSKeyedArchiver binary plist (ArchiveError when it is not one)."""
    try:
        archive = plistlib.loads(data, fmt=plistlib.FMT_BINARY)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, struct.error) as exc:
        raise ArchiveError(f"not a readable binary plist: {exc}") from exc
    except RecursionError as exc:
        raise ArchiveError("binary plist nested too deeply") from exc
    if not isinstance(archive, dict) or archive.get("$archiver") != "NSKeyedArchiver":
        raise NotAnArchive("not an NSKeyedArchiver archive")
    objects, top = archive.get("$objects"), archive.get("$top")
    if not isinstance(objects, list) or not isinstance(top, dict) or "root" not in top:
        raise ArchiveError("NSKeyedArchiver archive without $objects/$top root")
    try:
        return _Resolver(objects).value(top["root"], 0)
    except RecursionError as exc:
        raise ArchiveError("archive nested too deeply") from exc
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        # A value of an unexpected type somewhere in the object graph: the archive is bad.
        raise ArchiveError(f"malformed archive: {type(exc).__name__}: {exc}") from exc


class KeyedArchive:
    """Lazy reader of an NSKeyedArchiver plist: follows `$objects` references on demand."""

    def __init__(self, blob: Any) -> None:
        if not isinstance(blob, bytes) or not blob.startswith(b"bplist00"):
            raise ArchiveError("not a binary plist")
        if len(blob) > MAX_ARCHIVE_BYTES:
            raise ArchiveError(f"archive of {len(blob)} bytes exceeds the size limit")
        try:
            top = plistlib.loads(blob, fmt=plistlib.FMT_BINARY)
        except _PLIST_ERRORS as exc:
            raise ArchiveError(f"unreadable plist: {type(exc).__name__}: {exc}") from exc
        objects = top.get("$objects") if isinstance(top, dict) else None
        root = top.get("$top") if isinstance(top, dict) else None
        if not isinstance(objects, list) or not isinstance(root, dict) or "root" not in root:
            raise ArchiveError("not an NSKeyedArchiver archive")
        self._objects = objects
        self.root = self.deref(root["root"])
        if not isinstance(self.root, dict):
            raise ArchiveError("archive root is not an object")

    def deref(self, value: Any) -> Any:
        """The object a UID points to (None for `$null` or a dangling reference)."""
        for _ in range(4):  # a UID stored as an object is malformed; never loop on it
            if not isinstance(value, plistlib.UID):
                break
            index = value.data
            value = self._objects[index] if 0 <= index < len(self._objects) else None
        if isinstance(value, plistlib.UID) or value == "$null":
            return None
        return value

    def get(self, obj: Any, *path: str) -> Any:
        """Follow keys of archived objects or NSDictionaries; None when any step is absent."""
        for key in path:
            obj = self.deref(obj)
            if not isinstance(obj, dict):
                return None
            if key in obj and key not in ("NS.keys", "NS.objects"):
                obj = obj[key]
                continue
            obj = self._dict_value(obj, key)
        return self.deref(obj)

    def _dict_value(self, obj: dict[str, Any], key: str) -> Any:
        keys, values = obj.get("NS.keys"), obj.get("NS.objects")
        if not isinstance(keys, list) or not isinstance(values, list):
            return None
        for k, v in zip(keys[:MAX_ITEMS], values, strict=False):
            if self.text(k) == key:
                return v
        return None

    def items(self, value: Any) -> list[Any]:
        """Members of an archived NSArray/NSSet (capped)."""
        obj = self.deref(value)
        members = obj.get("NS.objects") if isinstance(obj, dict) else None
        if not isinstance(members, list):
            return []
        return [self.deref(m) for m in members[:MAX_ITEMS]]

    def keys(self, value: Any) -> list[str]:
        obj = self.deref(value)
        return [k for k in obj if isinstance(k, str)] if isinstance(obj, dict) else []

    def text(self, value: Any) -> str | None:
        obj = self.deref(value)
        if isinstance(obj, dict):
            obj = self.deref(obj.get("NS.string", obj.get("NS.bytes")))
        if isinstance(obj, bytes):
            return obj.decode("utf-8", errors="replace")
        if isinstance(obj, int) and not isinstance(obj, bool):
            return str(obj)  # pks are NSNumbers in some versions
        return obj if isinstance(obj, str) else None

    def date(self, value: Any) -> float | int | None:
        """An archived NSDate's `NS.time` (Cocoa seconds)."""
        obj = self.deref(value)
        number = self.deref(obj.get("NS.time")) if isinstance(obj, dict) else None
        is_number = isinstance(number, int | float) and not isinstance(number, bool)
        return number if is_number else None

    def url(self, value: Any) -> str | None:
        obj = self.deref(value)
        return self.text(obj.get("NS.relative")) if isinstance(obj, dict) else None
