"""Abu Yasin's iPhone of the workshop sample, as an unencrypted iTunes/Finder backup folder.

What the backup holds (domain, path; the apps' schemas are those of `ios_schemas.py`, the
folder layout that of `ios_manifest.py`):

    HomeDomain         Library/SMS/sms.db                         iMessage and SMS chats
    MediaDomain        Library/SMS/Attachments/xx/nn/<GUID>/<name>  received photos
    AppDomainGroup-group.net.whatsapp.WhatsApp.shared  ChatStorage.sqlite   WhatsApp chats
    HomeDomain         Library/AddressBook/AddressBook.sqlitedb   contacts
    HomeDomain         Library/CallHistoryDB/CallHistory.storedata   call log
    HomeDomain         Library/Safari/History.db                  Safari history
    CameraRollDomain   Media/DCIM/100APPLE/<name>                 photos taken on the phone

Each photo is stored once, where the phone got it: a photo received in a message lives with
that message (a second camera-roll copy would count its GPS point twice in the answer key).
Phone numbers in the address book are typed as people type them (national form for Libyan
numbers, `+` or `00` international forms), so the app must normalise them to link devices.

Times: every file keeps its device time in Manifest.db (a database: its last record; a photo:
when it was taken or received; born when the phone was set up, a month before the story);
the backup itself is made the morning after the last event, and every file in the folder has
that time. The same `Device` gives the same bytes on every run (see `ios_schemas`).
"""

from __future__ import annotations

import plistlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import PhoneNumberFormat

from .ios_manifest import BackupFile, write_backup
from .ios_schemas import (
    ADDRESS_BOOK,
    CALL_HISTORY,
    cocoa_seconds,
    safari_history,
    sqlite_bytes,
)
from .iphone_messages import (
    CAMERA,
    received_photos,
    region_of,
    sample_guid,
    sms_files,
    whatsapp_files,
)
from .photos import make_photo
from .scenario import Device, person

DEVICE_NAME = "{name}'s iPhone"
PRODUCT = {"Product Type": "iPhone13,2", "Product Name": "iPhone 12",
           "Product Version": "17.4.1", "Build Version": "21E236"}  # fmt: skip
WHATSAPP = "net.whatsapp.WhatsApp"
_MOBILE, _HOME = "_$!<Mobile>!$_", "_$!<Home>!$_"  # Apple's built-in labels, stored wrapped
_PHONE, _EMAIL = 3, 4  # ABMultiValue.property
_CALL_RECORD, _HANDLE_ENTITY = 2, 4  # Core Data entity numbers of CallHistory.storedata
_PROVIDERS = {"phone": ("com.apple.Telephony", 1), "whatsapp": (WHATSAPP, 0)}
_PERSON = (
    "INSERT INTO ABPerson (ROWID, First, Last, CreationDate, ModificationDate, StoreID, Kind)"
    " VALUES (?,?,?,?,?,0,0)"
)
_VALUE = (
    "INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, value)"
    " VALUES (?,?,?,?,?,?)"
)
_CALL = (
    "INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZADDRESS, ZNAME, ZDATE, ZDURATION, ZORIGINATED,"
    " ZANSWERED, ZCALLTYPE, ZSERVICE_PROVIDER, ZISO_COUNTRY_CODE, ZUNIQUE_ID)"
    f" VALUES (?,{_CALL_RECORD},1,?,?,?,?,?,?,?,?,?,?)"
)
_ITEM = (
    "INSERT INTO history_items (id, url, domain_expansion, visit_count, daily_visit_counts,"
    " should_recompute_derived_visit_counts, visit_count_score) VALUES (?,?,?,?,x'',0,100)"
)
_VISIT = (
    "INSERT INTO history_visits (id, history_item, visit_time, title, load_successful, origin)"
    " VALUES (?,?,?,?,1,0)"
)
_STYLES = ("national", "international", "00")


def typed_phone(e164: str, index: int, home_region: str) -> str:
    """`e164` as a person saves it: by turns national (for numbers of the phone's own
    country), `+` international and `00` international."""
    number = phonenumbers.parse(e164)
    style = _STYLES[index % len(_STYLES)]
    if style == "national" and phonenumbers.region_code_for_number(number) == home_region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return "00" + international[1:] if style == "00" else international


def _moments(device: Device) -> list[datetime]:
    return [
        *(m.when for chat in device.chats for m in chat.messages),
        *(c.when for c in device.calls),
        *(v.when for v in device.visits),
        *(p.when for p in device.photos),
    ]


def address_book(device: Device, setup: datetime) -> BackupFile:
    """AddressBook.sqlitedb: one card per contact (First/Last from the saved name), a mobile
    number as typed and the e-mail when known; cards saved one a day after setup."""
    home = region_of(person(device.owner).phone)
    persons: list[tuple[object, ...]] = []
    values: list[tuple[object, ...]] = []
    for row, key in enumerate(device.contacts, 1):
        who = person(key)
        first, _, last = who.name.partition(" ")
        saved = cocoa_seconds(setup + timedelta(days=row))
        persons.append((row, first, last or None, saved, saved))
        values.append((len(values) + 1, row, _PHONE, 0, 1, typed_phone(who.phone, row - 1, home)))
        if who.email:
            values.append((len(values) + 1, row, _EMAIL, 1, 2, who.email))
    database = sqlite_bytes(ADDRESS_BOOK, [
        ("INSERT INTO ABStore (ROWID, Name, Type) VALUES (0, 'Local', 0)", [()]),
        ("INSERT INTO ABMultiValueLabel (value) VALUES (?)", [(_MOBILE,), (_HOME,)]),
        (_PERSON, persons), (_VALUE, values),
    ])  # fmt: skip
    modified = setup + timedelta(days=len(device.contacts))
    return BackupFile("HomeDomain", "Library/AddressBook/AddressBook.sqlitedb", database,
                      modified, setup)  # fmt: skip


def call_history(device: Device, setup: datetime) -> BackupFile:
    """CallHistory.storedata: one ZCALLRECORD per call. Outgoing calls have ZORIGINATED 1
    (ZANSWERED 0 when nobody picked up), missed calls ZANSWERED 0; WhatsApp calls come
    through CallKit with the app's bundle id as provider (call type 0)."""
    rows = []
    for pk, call in enumerate(device.calls, 1):
        who = person(call.peer)
        provider, call_type = _PROVIDERS[call.app]
        originated = int(call.direction == "outgoing")
        answered = int(call.direction == "incoming" or (originated and call.seconds > 0))
        name = who.name if call.peer in device.contacts else None
        rows.append((pk, who.phone.encode(), name, float(cocoa_seconds(call.when)),
                     float(call.seconds), originated, answered, call_type, provider,
                     region_of(who.phone).lower(), sample_guid("call", str(pk))))  # fmt: skip
    keys = [(_CALL_RECORD, "CallRecord", len(rows)), (_HANDLE_ENTITY, "Handle", 0)]
    database = sqlite_bytes(CALL_HISTORY, [
        ("INSERT INTO Z_PRIMARYKEY VALUES (?,?,0,?)", keys), (_CALL, rows),
    ])  # fmt: skip
    latest = max((c.when for c in device.calls), default=setup)
    return BackupFile("HomeDomain", "Library/CallHistoryDB/CallHistory.storedata", database,
                      latest, setup)  # fmt: skip


def _domain_expansion(url: str) -> str:
    """What Safari stores as `domain_expansion`: the host without `www.` and its TLD."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host.rsplit(".", 1)[0]


def safari(device: Device, setup: datetime) -> BackupFile:
    """History.db: one history_items row per URL (with its visit count), one history_visits
    row per visit, visit_time in Cocoa seconds."""
    items: dict[str, int] = {}
    for visit in device.visits:
        items.setdefault(visit.url, len(items) + 1)
    counts = {url: sum(v.url == url for v in device.visits) for url in items}
    item_rows = [(i, url, _domain_expansion(url), counts[url]) for url, i in items.items()]
    visits = [
        (n, items[v.url], float(cocoa_seconds(v.when)), v.title)
        for n, v in enumerate(device.visits, 1)
    ]
    database = sqlite_bytes(
        safari_history(status_code=True), [(_ITEM, item_rows), (_VISIT, visits)]
    )
    latest = max((v.when for v in device.visits), default=setup)
    return BackupFile("HomeDomain", "Library/Safari/History.db", database, latest, setup)


def camera_roll(device: Device) -> list[BackupFile]:
    """The photos taken on the phone (not those received in a message), in DCIM/100APPLE."""
    received = received_photos(device)
    return [
        BackupFile(
            "CameraRollDomain",
            f"Media/DCIM/100APPLE/{p.name}",
            make_photo(p, **CAMERA),
            p.when,
            p.when,
        )
        for p in device.photos
        if p.name not in received
    ]


def _plists(device: Device, written: datetime, apps: Iterable[str]) -> dict[str, bytes]:
    """Info.plist (XML, as iTunes writes it), Manifest.plist and Status.plist (binary)."""
    owner = person(device.owner)
    name = DEVICE_NAME.format(name=owner.name)
    udid = "00008101-" + sample_guid("udid").replace("-", "")[:16]  # iPhone 12: chip T8101
    serial = "F" + sample_guid("serial").replace("-", "")[:11]
    when = written.replace(tzinfo=None)  # plistlib writes naive datetimes as UTC
    bundles = sorted(apps)
    info = {
        **PRODUCT, "Device Name": name, "Display Name": name, "Serial Number": serial,
        "Phone Number": owner.phone, "Last Backup Date": when, "Unique Identifier": udid,
        "Target Identifier": udid, "Target Type": "Device", "GUID": sample_guid("itunes"),
        "Installed Applications": bundles, "Applications": {b: {} for b in bundles},
    }  # fmt: skip
    lockdown = {"DeviceName": name, "ProductType": PRODUCT["Product Type"],
                "ProductVersion": PRODUCT["Product Version"],
                "BuildVersion": PRODUCT["Build Version"], "SerialNumber": serial,
                "UniqueDeviceID": udid}  # fmt: skip
    manifest = {
        "IsEncrypted": False, "Version": "10.0", "Date": when, "WasPasscodeSet": True,
        "SystemDomainsVersion": "24.0", "Lockdown": lockdown,
        "Applications": {b: {"CFBundleIdentifier": b, "ContainerContentClass": "Data/Application"}
                         for b in bundles},
    }  # fmt: skip
    status = {"BackupState": "new", "Date": when, "IsFullBackup": False, "Version": "3.3",
              "SnapshotState": "finished", "UUID": sample_guid("backup")}  # fmt: skip
    binary = plistlib.FMT_BINARY
    return {
        "Info.plist": plistlib.dumps(info),
        "Manifest.plist": plistlib.dumps(manifest, fmt=binary),
        "Status.plist": plistlib.dumps(status, fmt=binary),
    }


def build_iphone(device: Device, out: Path) -> Path:
    """Write `device` as an unencrypted iTunes/Finder backup folder `out` (created; it must
    not hold anything yet) and return `out`."""
    moments = _moments(device)
    first, last = min(moments), max(moments)
    setup = first.replace(hour=0, minute=0, second=0) - timedelta(days=30)
    written = last.replace(hour=10, minute=0, second=0) + timedelta(days=1)
    whatsapp = whatsapp_files(device, setup)
    files = [
        *sms_files(device, setup), *whatsapp, address_book(device, setup),
        call_history(device, setup), safari(device, setup), *camera_roll(device),
    ]  # fmt: skip
    apps = [WHATSAPP] if whatsapp else []
    return write_backup(out, files, _plists(device, written, apps), written)
