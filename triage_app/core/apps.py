"""Apps installed on a seized device, and whether Qarina read their data.

An officer must know when a phone holds an app whose data no parser read ("installed but not
parsed"): a smuggling network may run on an app Qarina does not parse yet, and silence would
read as "no messages". Apps are found from the indexed paths:

- Android: app data folders `/data/data/<package>/`, `/data/user/<n>/<package>/` (also under
  an extraction's own top folder, e.g. `/Dump/data/data/...`).
- iOS: app containers are folders named by UUID; the bundle id is the `MCMMetadataIdentifier`
  of the container's `.com.apple.mobile_container_manager.metadata.plist`. Backups mapped by
  `ios_backup.py` use the bundle id as the folder name directly.

`coverage()` then says, per app, how many parser runs read files inside its folder.
"""

from __future__ import annotations

import logging
import plistlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .case import Case
from .evidence.base import EvidenceSource
from .models import Locator

log = logging.getLogger(__name__)

MCM_PLIST = ".com.apple.mobile_container_manager.metadata.plist"
_MAX_PLIST = 1024 * 1024
_ANDROID_DIR = re.compile(
    r"^(?P<root>.*?/data/(?:data|user/\d+|user_de/\d+))/(?P<pkg>[A-Za-z][\w-]*(?:\.[\w-]+)+)$"
)
_IOS_BUNDLE_DIR = re.compile(
    r"^(?P<root>.*/Containers/(?:Data/Application|Shared/AppGroup|Bundle/Application))/"
    r"(?P<id>[A-Za-z][\w-]*(?:\.[\w-]+)+)$"
)

# Apps that matter in smuggling and trafficking cases: messaging, social, browsers, money.
KNOWN_APPS: dict[str, tuple[str, str]] = {
    "com.whatsapp": ("WhatsApp", "messaging"),
    "com.whatsapp.w4b": ("WhatsApp Business", "messaging"),
    "net.whatsapp.WhatsApp": ("WhatsApp", "messaging"),
    "net.whatsapp.WhatsAppSMB": ("WhatsApp Business", "messaging"),
    "group.net.whatsapp.WhatsApp.shared": ("WhatsApp (shared data)", "messaging"),
    "org.telegram.messenger": ("Telegram", "messaging"),
    "org.telegram.messenger.web": ("Telegram", "messaging"),
    "org.thunderdog.challegram": ("Telegram X", "messaging"),
    "ph.telegra.Telegraph": ("Telegram", "messaging"),
    "com.facebook.orca": ("Messenger", "messaging"),
    "com.facebook.mlite": ("Messenger Lite", "messaging"),
    "com.facebook.Messenger": ("Messenger", "messaging"),
    "com.facebook.katana": ("Facebook", "social"),
    "com.facebook.lite": ("Facebook Lite", "social"),
    "com.facebook.Facebook": ("Facebook", "social"),
    "com.instagram.android": ("Instagram", "social"),
    "com.burbn.instagram": ("Instagram", "social"),
    "com.viber.voip": ("Viber", "messaging"),
    "com.viber": ("Viber", "messaging"),
    "com.imo.android.imoim": ("imo", "messaging"),
    "com.imo.imoim": ("imo", "messaging"),
    "kik.android": ("Kik", "messaging"),
    "com.kik.chat": ("Kik", "messaging"),
    "com.skype.raider": ("Skype", "messaging"),
    "com.skype.skype": ("Skype", "messaging"),
    "com.sgiggle.production": ("Tango", "messaging"),
    "org.thoughtcrime.securesms": ("Signal", "messaging"),
    "org.whispersystems.signal": ("Signal", "messaging"),
    "com.snapchat.android": ("Snapchat", "social"),
    "com.toyopagroup.picaboo": ("Snapchat", "social"),
    "com.zhiliaoapp.musically": ("TikTok", "social"),
    "com.google.android.apps.messaging": ("Google Messages", "messaging"),
    "com.android.providers.telephony": ("SMS/MMS store", "messaging"),
    "com.android.providers.contacts": ("Contacts and call log", "contacts"),
    "com.apple.MobileSMS": ("Messages", "messaging"),
    "com.android.chrome": ("Chrome", "browser"),
    "com.sec.android.app.sbrowser": ("Samsung Internet", "browser"),
    "org.mozilla.firefox": ("Firefox", "browser"),
    "com.opera.browser": ("Opera", "browser"),
    "com.microsoft.emmx": ("Edge", "browser"),
    "com.brave.browser": ("Brave", "browser"),
    "com.apple.mobilesafari": ("Safari", "browser"),
    "com.google.chrome.ios": ("Chrome", "browser"),
    "com.binance.dev": ("Binance", "money"),
    "com.wallet.crypto.trustapp": ("Trust Wallet", "money"),
    "io.metamask": ("MetaMask", "money"),
    "com.paypal.android.p2pmobile": ("PayPal", "money"),
}


@dataclass(frozen=True)
class InstalledApp:
    platform: str  # android | ios
    app_id: str
    container: str  # folder path inside the evidence
    volume: str | None
    found_by: str  # data_folder | container_metadata


def _android_apps(conn: sqlite3.Connection, evidence_id: int) -> Iterator[InstalledApp]:
    rows = conn.execute(
        "SELECT path, volume FROM files WHERE evidence_id=? AND kind='dir'"
        " AND (path LIKE '%/data/data/%' OR path LIKE '%/data/user%/%')",
        (evidence_id,),
    )
    for path, volume in rows:
        if m := _ANDROID_DIR.match(path):
            yield InstalledApp("android", m["pkg"], path, volume, "data_folder")


def _ios_bundle_dirs(conn: sqlite3.Connection, evidence_id: int) -> Iterator[InstalledApp]:
    rows = conn.execute(
        "SELECT path, volume FROM files WHERE evidence_id=? AND kind='dir'"
        " AND path LIKE '%/Containers/%'",
        (evidence_id,),
    )
    for path, volume in rows:
        if m := _IOS_BUNDLE_DIR.match(path):
            yield InstalledApp("ios", m["id"], path, volume, "data_folder")


def _ios_containers(
    conn: sqlite3.Connection, evidence_id: int, source: EvidenceSource
) -> Iterator[InstalledApp]:
    rows = conn.execute(
        "SELECT path, volume, locator, size FROM files WHERE evidence_id=? AND name=?",
        (evidence_id, MCM_PLIST),
    )
    for path, volume, locator, size in rows:
        if size > _MAX_PLIST:
            continue
        try:
            with source.open(Locator.parse(locator)) as f:
                data: Any = plistlib.loads(f.read(_MAX_PLIST))
        except (OSError, ValueError, plistlib.InvalidFileException) as exc:
            log.info("container metadata %s unreadable: %s", path, exc)
            continue
        bundle = data.get("MCMMetadataIdentifier") if isinstance(data, dict) else None
        if isinstance(bundle, str) and bundle:
            yield InstalledApp("ios", bundle, path.rsplit("/", 1)[0], volume, "container_metadata")


def record_installed_apps(case: Case, evidence_id: int, source: EvidenceSource) -> int:
    """Find the apps of one evidence item and store them in the `apps` table."""
    conn = case.db.conn
    found = {
        (a.app_id, a.container): a
        for finder in (_android_apps(conn, evidence_id), _ios_bundle_dirs(conn, evidence_id))
        for a in finder
    }
    for a in _ios_containers(conn, evidence_id, source):
        found[(a.app_id, a.container)] = a
    with case.db.transaction():
        case.db.execute("DELETE FROM apps WHERE evidence_id=?", (evidence_id,))
        case.db.insert_many(
            "apps",
            (
                "evidence_id",
                "platform",
                "app_id",
                "name",
                "category",
                "container",
                "volume",
                "found_by",
            ),
            (
                (
                    evidence_id,
                    a.platform,
                    a.app_id,
                    *KNOWN_APPS.get(a.app_id, (None, None)),
                    a.container,
                    a.volume,
                    a.found_by,
                )
                for a in found.values()
            ),
        )
    return len(found)


def coverage(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per app: parser runs on files inside its folder, by outcome. `parsed` is False when
    no parser produced records there ("installed but not parsed")."""
    rows = conn.execute(
        """
        SELECT a.evidence_id, a.platform, a.app_id, a.name, a.category, a.container,
               COUNT(r.parser) AS runs,
               COALESCE(SUM(r.status = 'ok'), 0) AS ok_runs,
               COALESCE(SUM(r.records), 0) AS records
        FROM apps a
        LEFT JOIN files f ON f.evidence_id = a.evidence_id AND f.volume IS a.volume
              -- every path below the folder: '/' < '0' in byte order, and the range uses
              -- the (evidence_id, path) index where LIKE would scan and mistreat '_'
              AND f.path > a.container || '/' AND f.path < a.container || '0'
        LEFT JOIN parser_runs r ON r.file_id = f.id
        GROUP BY a.id ORDER BY a.evidence_id, a.category IS NULL, a.category, a.app_id
        """
    )
    out = []
    for row in rows:
        item = dict(row)
        item["parsed"] = item["ok_runs"] > 0
        out.append(item)
    return out
