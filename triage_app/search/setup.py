"""What a scan searches with: the packs chosen, compiled once, recorded in the case.

Every pack used (bundled or the user's `--rules`/`--keywords`) is written to the case's
`rule_packs` table and the audit log with its version and the SHA-256 of each file, so a
report can name exactly which terms and rules were applied; a pack that does not compile is
recorded with its error and left out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from ..core.case import Case
from ..core.casedb import dumps
from .content import ContentSpec
from .packs import Pack, bundled_root, load_packs, user_pack
from .scanner import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, RuleSet, build_rules

log = logging.getLogger(__name__)
DEFAULT_REGIONS = ("LY", "TN", "EG", "MA")


def chosen_packs(
    rules: Sequence[Path], keywords: Sequence[Path], bundled: bool,
    disabled: Sequence[str] = (),
) -> tuple[list[Pack], frozenset[str]]:  # fmt: skip
    """The bundled packs (but those switched off) and the user's rule and keyword files; the
    ids of the bundled ones."""
    packs = [p for p in load_packs(bundled_root()) if p.id not in disabled] if bundled else []
    names = frozenset(p.id for p in packs)
    packs += [user_pack(Path(p), "yara") for p in rules]
    packs += [user_pack(Path(p), "keywords") for p in keywords]
    return packs, names


def prepare(
    case: Case,
    scan_id: int,
    packs: Sequence[Pack],
    bundled: frozenset[str],
    regions: Sequence[str] = DEFAULT_REGIONS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> tuple[RuleSet | None, ContentSpec]:
    rules, used = build_rules(packs, case.workdir, bundled)
    if rules is not None:
        rules.max_bytes, rules.timeout_s = max_bytes, timeout_s
    with case.db.transaction() as conn:
        for pack in used:
            source = pack.source if pack.error is None else f"{pack.source}:error"
            conn.execute(
                "INSERT INTO rule_packs (scan_id, pack, version, kind, manifest_sha256, files,"
                " source) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    scan_id, pack.pack, pack.version, pack.kind, pack.manifest_sha256,
                    dumps(pack.files), source,
                ),
            )  # fmt: skip
    text_rules_only = all(
        u.source == "bundled" or u.kind == "keywords" for u in used if u.error is None
    )
    case.audit.append(
        "rule_packs",
        packs=[asdict(pack) for pack in used],
        # docs/EXAMINER.md, "What is searched": photos and videos outside their picture data
        photo_video_data_searched=not text_rules_only,
    )
    for pack in used:
        if pack.error:
            log.warning("rule pack %s not used: %s", pack.pack, pack.error)
    spec = ContentSpec(
        str(rules.path) if rules is not None else None,
        max_bytes,
        timeout_s,
        tuple(regions),
        text_rules_only,
    )
    return rules, spec
