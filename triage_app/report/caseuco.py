"""CASE/UCO JSON-LD (CASE 1.5 / UCO 1.4, as bundled by `case-utils`) of the evidence, the tool
and the file, message, contact, call and media records, for import by other forensic tools.

Top-level `@graph` nodes (facets and contact entries nested in them):
- `case-investigation:Investigation` (case number, creation time) grouping the evidence, the
  examiner (`uco-identity:Person`), the tools (Qarina and each parser: `uco-tool:Tool` with
  version) and one `case-investigation:InvestigativeAction` (instrument: the tools; object:
  the evidence; performer: the examiner; no `result`: a million records on one node would need
  them all in memory, so each record is tied to its evidence by a relationship instead);
- evidence: `uco-observable:Image` (disk images), `Directory` (folders, iOS backups) or `File`,
  with the SHA-256/MD5 of what was added and the verification result; the hashes of the media
  inside an image on an `ObservableObject` `Contained_Within` it;
- `file`: `File` + `FileFacet` (name, path, size, MACB times) + `ContentDataFacet` (MIME type,
  SHA-256, MD5), hash-set matches as `core:tag`; `message`: `Message` + `MessageFacet`;
  `contact`: `Contact` + `ContactFacet` with `ContactPhone`/`ContactEmail`; `call`: `Call` +
  `CallFacet`; `media`: `File` + `ContentDataFacet`, its position a `uco-location:Location`;
- parties as `PhoneAccount`, `EmailAddress` or `DigitalAccount`, apps as `Application` (each
  written once while among the last `SEEN_LIMIT` written; a later repeat restates the triples);
- per record an `ObservableRelationship` `Contained_Within` its evidence item, with the path
  (`PathRelationFacet`); volume, parser, source SHA-256 and row in its description. Deleted
  records carry `core:tag` "deleted".
Other kinds (web, keyword hits, entities) are not mapped: counted in `skipped` when given.

Hostile values: what `xsd:string` cannot hold (C0 controls but TAB, LF, CR; lone surrogates;
U+FFFE, U+FFFF) is written as the visible escape `\\xNN` / `\\uNNNN`; the rest, RTL overrides
and markup included, is kept (JSON escapes what it must). Invalid `xsd:dateTime` values,
hashes not hexadecimal of the method's length, and non-integer sizes are left out.
Deterministic: IRIs are `kb:` + UUIDv5 of the evidence identity and hash or of the record id
(namespace from the records' digest); nodes in record order, keys sorted, no clock.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from .tables import atomic_writer

Node = dict[str, Any]
SEEN_LIMIT = 65536
KB = "urn:qarina:kb:"
CONTEXT: dict[str, str] = {
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "kb": KB,
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-location": "https://ontology.unifiedcyberontology.org/uco/location/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
_HEX = re.compile(r"[0-9a-fA-F]+")
_HASH_LENGTHS = {"SHA256": 64, "MD5": 32}
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{2,30}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}")
_FILE_TIMES = (("mtime", "modifiedTime"), ("atime", "accessedTime"),
               ("ctime", "metadataChangeTime"), ("crtime", "observableCreatedTime"))  # fmt: skip
_EVIDENCE_CLASS = {"disk_image": "Image", "directory": "Directory", "ios_backup": "Directory"}


def uuid5(namespace: uuid.UUID, name: str) -> str:
    """`str(uuid.uuid5(namespace, name))`, about three times faster (a large case names
    millions of nodes); a lone surrogate in `name` is hashed as its UTF-8-like bytes instead
    of raising."""
    digest = bytearray(
        hashlib.sha1(namespace.bytes + name.encode("utf-8", "surrogatepass")).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def xsd_string(value: Any) -> str:
    """`value` as text an `xsd:string` literal can hold (see the module doc)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return _NOT_XML_CHAR.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else xsd_string(value)


def _note(*parts: tuple[str, Any]) -> str | None:
    """ "label: value" parts joined by "; ", leaving out those without a value."""
    text = "; ".join(f"{label}: {value}" for label, value in parts if value not in (None, ""))
    return _text(text)


def _datetime(value: Any) -> Node | None:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        return None
    try:
        datetime.fromisoformat(value[:19])
    except ValueError:
        return None
    return {"@type": "xsd:dateTime", "@value": value}


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _decimal(value: Any, limit: float) -> Node | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or abs(value) > limit:
        return None
    return {"@type": "xsd:decimal", "@value": format(Decimal(repr(value)), "f")}


def _compact(node: Node) -> Node:
    return {k: v for k, v in node.items() if v is not None and v != []}


def _facet(iri: str, cls: str, **props: Any) -> Node:
    """A node of class `cls` ("uco-observable:FileFacet"); unprefixed property names are in
    the class's namespace."""
    ns = cls.split(":")[0]
    named = {k if ":" in k else f"{ns}:{k}": v for k, v in props.items()}
    return _compact({"@id": iri, "@type": cls, **named})


class _Graph:
    """The open JSON-LD document: writes nodes one at a time and remembers recent IRIs."""

    def __init__(self, handle: IO[str], info: Mapping[str, Any]) -> None:
        self.handle = handle
        self.nodes = 0
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, "qarina:" + str(info.get("records_sha256")))
        self.seen: OrderedDict[str, None] = OrderedDict()

    def iri(self, kind: str, key: str, ns: uuid.UUID | None = None) -> str:
        return f"kb:{kind}-{uuid5(ns or self.ns, key)}"

    def emit(self, node: Node) -> None:
        prefix = "\n" if self.nodes == 0 else ",\n"
        self.handle.write(prefix + json.dumps(node, ensure_ascii=False, sort_keys=True))
        self.nodes += 1

    def once(self, iri: str) -> bool:
        """True the first time `iri` is met (among the last SEEN_LIMIT)."""
        if iri in self.seen:
            self.seen.move_to_end(iri)
            return False
        self.seen[iri] = None
        if len(self.seen) > SEEN_LIMIT:
            self.seen.popitem(last=False)
        return True

    def ref(self, iri: str | None) -> Node | None:
        return {"@id": iri} if iri else None

    def hashes(self, owner: str, values: Mapping[str, Any]) -> list[Node]:
        out = []
        for method, value in sorted(values.items()):
            if (
                isinstance(value, str)
                and _HEX.fullmatch(value)
                and len(value) == _HASH_LENGTHS[method]
            ):
                hex_value = {"@type": "xsd:hexBinary", "@value": value.lower()}
                out.append(_facet(self.iri("hash", f"{owner}:{method}"), "uco-types:Hash",
                                  hashMethod=method, hashValue=hex_value))  # fmt: skip
        return out

    def content(self, owner: str, mime: Any, values: Mapping[str, Any]) -> Node | None:
        facet = _facet(self.iri("content-data-facet", owner), "uco-observable:ContentDataFacet",
                       mimeType=_text(mime), hash=self.hashes(owner, values))  # fmt: skip
        return facet if len(facet) > 2 else None

    def application(self, app: Any) -> str | None:
        name = _text(app)
        if name is None:
            return None
        iri = self.iri("application", name, uuid.NAMESPACE_URL)
        if self.once(iri):
            self.emit({"@id": iri, "@type": "uco-observable:Application", "uco-core:name": name})
        return iri

    def party(self, value: Any, app: Any) -> str | None:
        """A sender, recipient or number: an account node (written once), its IRI."""
        text = _text(value)
        if text is None:
            return None
        if _PHONE.fullmatch(text):
            kind, facet_type, prop, key = "PhoneAccount", "PhoneAccountFacet", "phoneNumber", text
        elif _EMAIL.fullmatch(text):
            kind, facet_type, prop, key = "EmailAddress", "EmailAddressFacet", "addressValue", text
        else:  # an account name means nothing without its application
            kind, facet_type, prop, key = "DigitalAccount", "AccountFacet", "accountIdentifier", \
                f"{_text(app)}:{text}"  # fmt: skip
        iri = self.iri(kind.lower(), key)
        if self.once(iri):
            facet = _facet(self.iri(facet_type.lower(), key), f"uco-observable:{facet_type}",
                           **{prop: text})  # fmt: skip
            self.emit({"@id": iri, "@type": f"uco-observable:{kind}", "uco-core:hasFacet": [facet]})
        return iri


def _evidence_nodes(graph: _Graph, item: Mapping[str, Any]) -> Iterator[Node]:
    key = f"{item.get('identity')}:{item.get('sha256')}"
    iri = graph.iri("evidence", "qarina:evidence:" + key, uuid.NAMESPACE_URL)
    kind = _EVIDENCE_CLASS.get(str(item.get("kind")), "File")
    facets = [graph.content(iri, None, {"SHA256": item.get("sha256"), "MD5": item.get("md5")})]
    if kind == "Image":
        facets.append(_facet(graph.iri("image-facet", iri), "uco-observable:ImageFacet",
                             imageType=_text(item.get("format"))))  # fmt: skip
    yield _compact({
        "@id": iri,
        "@type": f"uco-observable:{kind}",
        "uco-core:name": _text(item.get("identity")),
        "uco-core:description": _note(
            ("evidence", item.get("id")), ("kind", item.get("kind")),
            ("format", item.get("format")), ("verification", item.get("verification")),
        ),
        "uco-core:hasFacet": [f for f in facets if f],
    })  # fmt: skip
    media = {"SHA256": item.get("media_sha256"), "MD5": item.get("media_md5")}
    facet = graph.content(iri + ":media", None, media)
    if facet:
        media_iri = graph.iri("media", iri)
        yield {
            "@id": media_iri,
            "@type": "uco-observable:ObservableObject",
            "uco-core:name": xsd_string(f"media data of {item.get('identity')}"),
            "uco-core:hasFacet": [facet],
        }
        yield _relationship(graph, media_iri, media_iri, iri, None, None)


def _relationship(
    graph: _Graph, key: str, source: str, target: str, path: Any, note: str | None
) -> Node:  # fmt: skip
    facet = _facet(graph.iri("path-relation-facet", key), "uco-observable:PathRelationFacet",
                   path=_text(path))  # fmt: skip
    return _compact({
        "@id": graph.iri("relationship", key),
        "@type": "uco-observable:ObservableRelationship",
        "uco-core:source": [{"@id": source}],
        "uco-core:target": {"@id": target},
        "uco-core:kindOfRelationship": "Contained_Within",
        "uco-core:isDirectional": True,
        "uco-core:hasFacet": [facet] if len(facet) > 2 else None,
        "uco-core:description": _text(note),
    })  # fmt: skip


def _case_nodes(graph: _Graph, info: Mapping[str, Any], evidence: list[str]) -> Iterator[Node]:
    case = info.get("case") or {}
    tool = graph.iri("tool", "qarina", uuid.NAMESPACE_URL)
    tools = [{"@id": tool}]
    yield {
        "@id": tool,
        "@type": "uco-tool:Tool",
        "uco-core:name": xsd_string(info.get("tool") or "qarina"),
        "uco-tool:toolType": "digital forensic triage",
        "uco-tool:version": xsd_string(info.get("version") or ""),
    }
    for parser in sorted(info.get("parsers") or [], key=lambda p: json.dumps(p, sort_keys=True)):
        iri = graph.iri("tool", f"parser:{parser.get('parser')}:{parser.get('version')}")
        tools.append({"@id": iri})
        yield _compact({
            "@id": iri,
            "@type": "uco-tool:Tool",
            "uco-core:name": _text(f"qarina parser {parser.get('parser')}"),
            "uco-tool:toolType": "parser",
            "uco-tool:version": _text(parser.get("version")),
        })  # fmt: skip
    examiner = None
    if _text(case.get("examiner")):
        examiner = graph.iri("identity", "examiner:" + str(case.get("examiner")))
        yield _facet(examiner, "uco-identity:Person", **{"uco-core:name": _text(case["examiner"])})
    action = graph.iri("investigative-action", "report")
    objects = [{"@id": e} for e in evidence]
    yield _compact({
        "@id": action,
        "@type": "case-investigation:InvestigativeAction",
        "uco-core:name": "qarina scan and report",
        "uco-action:instrument": tools,
        "uco-action:object": objects,
        "uco-action:performer": graph.ref(examiner),
    })  # fmt: skip
    members = [*objects, *tools, {"@id": action}] + ([{"@id": examiner}] if examiner else [])
    yield _compact({
        "@id": graph.iri("investigation", "case"),
        "@type": "case-investigation:Investigation",
        "uco-core:name": _text(case.get("case_number")),
        "uco-core:description": _note(
            ("agency", case.get("agency")), ("examiner", case.get("examiner")),
            ("display time zone", case.get("timezone")),
            ("records SHA-256", info.get("records_sha256")),
        ),
        "case-investigation:investigationForm": "case",
        "uco-core:startTime": _datetime(case.get("created_at")),
        "uco-core:object": members,
    })  # fmt: skip


def write_case_uco(
    out_file: Path,
    info: Mapping[str, Any],
    records: Iterable[Mapping[str, Any]],
    skipped: Counter[str] | None = None,
) -> int:
    """Write `out_file` (JSON-LD, UTF-8) from `info` (see build._info) and already selected,
    redacted records; the number of top-level graph nodes written. Records of kinds that
    are not mapped are counted by kind in `skipped` when one is given."""
    from .caseuco_kinds import record_nodes  # (it builds on this module)

    out_file = Path(out_file)
    with atomic_writer(out_file) as handle:
        graph = _Graph(handle, info)
        handle.write('{"@context": ' + json.dumps(CONTEXT, sort_keys=True) + ', "@graph": [')
        evidence: dict[Any, str] = {}
        for item in info.get("evidence") or []:
            for node in _evidence_nodes(graph, item):
                if not evidence.get(item.get("id")):
                    evidence[item.get("id")] = node["@id"]
                graph.emit(node)
        for node in _case_nodes(graph, info, list(evidence.values())):
            graph.emit(node)
        for record in records:
            if not record_nodes(graph, record, evidence) and skipped is not None:
                skipped[str(record.get("kind"))] += 1
        handle.write("\n]}\n")
    return graph.nodes
