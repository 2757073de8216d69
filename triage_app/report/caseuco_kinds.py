"""CASE/UCO nodes of each record kind (file, message, contact, call, media) and the
relationship tying a record to its evidence item; see `caseuco` for the document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .caseuco import (
    _FILE_TIMES,
    Node,
    _compact,
    _datetime,
    _decimal,
    _facet,
    _Graph,
    _integer,
    _note,
    _relationship,
    _text,
    xsd_string,
)


def _file_node(graph: _Graph, iri: str, record: Mapping[str, Any]) -> Node:
    facet = _facet(
        graph.iri("file-facet", iri), "uco-observable:FileFacet",
        fileName=_text(record.get("name")), filePath=_text(record.get("path")),
        sizeInBytes=_integer(record.get("size")), isDirectory=record.get("entry_type") == "dir",
        **{prop: _datetime(record.get(field)) for field, prop in _FILE_TIMES},
    )  # fmt: skip
    hashes = {"SHA256": record.get("sha256"), "MD5": record.get("md5")}
    content = graph.content(iri, record.get("mime"), hashes)
    return {
        "@type": "uco-observable:File",
        "uco-core:hasFacet": [facet, *([content] if content else [])],
        "uco-core:tag": [xsd_string("hashset:" + str(h)) for h in record.get("hashsets") or []],
        "uco-core:description": _text(record.get("error") or record.get("note")),
    }


def _message_node(graph: _Graph, iri: str, record: Mapping[str, Any]) -> Node:
    app = record.get("app")
    recipients = record.get("recipients")
    to = [graph.party(r, app) for r in recipients] if isinstance(recipients, list) else []
    attachments = record.get("attachments")
    notes = [("thread", record.get("thread")), ("direction", record.get("direction"))]
    if isinstance(attachments, list):
        notes += [("attachment", a) for a in attachments]
    facet = _facet(
        graph.iri("message-facet", iri), "uco-observable:MessageFacet",
        messageText=_text(record.get("body")), sentTime=_datetime(record.get("ts")),
        application=graph.ref(graph.application(app)), to=[{"@id": t} for t in to if t],
        **{"from": graph.ref(graph.party(record.get("sender"), app))},
    )  # fmt: skip
    return {
        "@type": "uco-observable:Message",
        "uco-core:hasFacet": [facet],
        "uco-core:description": _note(*notes),
    }


def _contact_node(graph: _Graph, iri: str, record: Mapping[str, Any]) -> Node:
    app = record.get("app")
    entries: dict[str, list[Node]] = {"Phone": [], "Email": []}
    for kind, field, prop in (("Phone", "phones", "contactPhoneNumber"),
                              ("Email", "emails", "emailAddress")):  # fmt: skip
        values = record.get(field)
        for i, value in enumerate(values if isinstance(values, list) else []):
            party = graph.party(value, app)
            if party:
                entry_iri = graph.iri(f"contact-{kind.lower()}", f"{iri}:{i}")
                entries[kind].append(_facet(entry_iri, f"uco-observable:Contact{kind}",
                                            **{prop: {"@id": party}}))  # fmt: skip
    facet = _facet(
        graph.iri("contact-facet", iri), "uco-observable:ContactFacet",
        displayName=_text(record.get("name")), contactPhone=entries["Phone"],
        contactEmail=entries["Email"], sourceApplication=graph.ref(graph.application(app)),
    )  # fmt: skip
    return {"@type": "uco-observable:Contact", "uco-core:hasFacet": [facet]}


def _call_node(graph: _Graph, iri: str, record: Mapping[str, Any]) -> Node:
    direction = record.get("direction")
    party = graph.ref(graph.party(record.get("number") or record.get("name"), record.get("app")))
    facet = _facet(
        graph.iri("call-facet", iri), "uco-observable:CallFacet",
        startTime=_datetime(record.get("ts")), duration=_integer(record.get("duration_s")),
        callType=_text(direction), application=graph.ref(graph.application(record.get("app"))),
        to=[party] if party and direction == "outgoing" else None,
        participant=[party] if party else None,
        **{"from": party if direction in ("incoming", "missed") else None},
    )  # fmt: skip
    return {
        "@type": "uco-observable:Call",
        "uco-core:hasFacet": [facet],
        "uco-core:name": _text(record.get("name")),
    }


def _media_node(graph: _Graph, iri: str, record: Mapping[str, Any]) -> Node:
    lat, lon = _decimal(record.get("lat"), 90), _decimal(record.get("lon"), 180)
    if lat and lon:
        location = graph.iri("location", iri)
        graph.emit({
            "@id": location,
            "@type": "uco-location:Location",
            "uco-core:hasFacet": [_facet(
                graph.iri("lat-long-facet", iri), "uco-location:LatLongCoordinatesFacet",
                latitude=lat, longitude=lon, altitude=_decimal(record.get("alt"), 1e6),
            )],
        })  # fmt: skip
        graph.emit({
            "@id": graph.iri("relationship", "located:" + iri),
            "@type": "uco-core:Relationship",
            "uco-core:source": [{"@id": iri}],
            "uco-core:target": {"@id": location},
            "uco-core:kindOfRelationship": "Located_At",
            "uco-core:isDirectional": True,
        })  # fmt: skip
    camera = " ".join(str(record.get(k) or "") for k in ("make", "model")).strip()
    content = graph.content(iri, record.get("mime"), {})
    return {
        "@type": "uco-observable:File",
        "uco-core:hasFacet": [content] if content else [],
        "uco-core:description": _note(
            ("camera", camera),
            ("taken (local)", record.get("taken_local")),
            ("taken (UTC)", record.get("ts")),
        ),
    }


_MAPPERS = {"file": _file_node, "message": _message_node, "contact": _contact_node,
            "call": _call_node, "media": _media_node}  # fmt: skip


def record_nodes(graph: _Graph, record: Mapping[str, Any], evidence: Mapping[Any, str]) -> bool:
    mapper = _MAPPERS.get(str(record.get("kind")))
    if mapper is None:
        return False
    iri = graph.iri(str(record.get("kind")), str(record.get("id")))
    node = mapper(graph, iri, record)
    if record.get("deleted"):
        node["uco-core:tag"] = [*node.get("uco-core:tag", []), "deleted"]
    graph.emit(_compact({"@id": iri, **node}))
    container = evidence.get(record.get("evidence"))
    if container:
        note = _note(
            ("record", record.get("id")),
            ("volume", record.get("volume")),
            ("parser", record.get("parser")),
            ("source SHA-256", record.get("source_sha256")),
            ("source table", record.get("source_table")),
            ("source row", record.get("source_rowid")),
        )
        graph.emit(_relationship(graph, iri, iri, container, record.get("path"), note))
    return True
