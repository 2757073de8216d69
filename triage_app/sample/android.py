"""Karim's Android phone of the workshop sample, as a file-system extraction zip.

The zip holds the phone's file system the way full-file-system extraction tools export it
(paths from the root, without a leading "/"):

    data/data/com.whatsapp/databases/msgstore.db, wa.db          WhatsApp (android_whatsapp)
    data/media/0/Android/media/com.whatsapp/WhatsApp/Media/...   images received in WhatsApp
    data/data/com.android.providers.telephony/databases/mmssms.db   SMS (android_phone)
    data/data/com.android.providers.contacts/databases/contacts2.db, calllog.db
    data/data/org.telegram.messenger/files/cache4.db             Telegram (android_telegram)
    data/data/org.telegram.messenger/shared_prefs/userconfing.xml   the Telegram account
    data/data/com.android.chrome/app_chrome/Default/History      Chrome (chromium)
    data/data/com.binance.dev/shared_prefs/...                   an app Qarina does not parse
    data/media/0/DCIM/Camera/<name>                              camera photos, with GPS
    data/system/packages.list, system/build.prop                 installed apps, the model

The phone is a Samsung SM-A515F on Android 13, as the photos' EXIF says; its build strings and
app uids are made up. Binance has a data folder and settings only: the case's coverage table
lists it as installed but not parsed, which trainers use to show that silence is not absence.

Zip layout (APPNOTE.TXT 6.3.10, Info-ZIP "extra field" appendix): members in sorted path
order, deflated at level 9, "made by" Unix with mode 0660 regular file; each member carries its
modification time twice, as the DOS date/time (2-second steps, no zone) and as an Info-ZIP
extended timestamp (0x5455: UTC, whole seconds), which is what Qarina reads. Times are the
file's last change in the story: a database its last record, a photo when it was taken or
received, system files the fixed 2009-01-01 stamp of Android system images. The same `Device`
gives the same bytes on every run (Pillow and zlib versions aside).
"""

from __future__ import annotations

import stat
import struct
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from .android_phone import calllog_db, contacts_db, mmssms_db
from .android_telegram import telegram_files
from .android_whatsapp import whatsapp_files
from .chromium import history_db
from .fsmodel import FsFile
from .photos import make_photo
from .scenario import Device

CAMERA = {"make": "samsung", "model": "SM-A515F"}
CAMERA_DIR = "/data/media/0/DCIM/Camera"
CONTACTS_DIR = "/data/data/com.android.providers.contacts/databases"
SMS_DB = "/data/data/com.android.providers.telephony/databases/mmssms.db"
CHROME_HISTORY = "/data/data/com.android.chrome/app_chrome/Default/History"
UNPARSED_APP = "com.binance.dev"
_UNPARSED_PREFS = f"/data/data/{UNPARSED_APP}/shared_prefs/{UNPARSED_APP}_preferences.xml"
SYSTEM_IMAGE_TIME = datetime(2009, 1, 1, tzinfo=UTC)  # AOSP's fixed file time in images
_MODE = (stat.S_IFREG | 0o660) << 16
_UNIX = 3  # "version made by" host system (APPNOTE 4.4.2)
_EXTENDED_TIMESTAMP = 0x5455
_BUILD_PROP = """# begin common build properties
ro.system.build.date.utc=1709528531
ro.system.build.fingerprint=samsung/a51nsxx/a51:13/TP1A.220624.014/A515FXXS8HXB1:user/release-keys
ro.system.build.id=TP1A.220624.014
ro.system.build.type=user
ro.system.build.version.incremental=A515FXXS8HXB1
ro.system.build.version.release=13
ro.system.build.version.sdk=33
ro.product.system.brand=samsung
ro.product.system.manufacturer=samsung
ro.product.system.model=SM-A515F
ro.product.system.name=a51nsxx
# end common build properties
ro.build.version.security_patch=2024-02-01
"""
_APP_PREFS = """<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<map>
    <string name="app_language">ar</string>
    <boolean name="biometric_login" value="true" />
</map>
"""
# (package, platform app): the data folders the extraction holds.
_PACKAGES = (
    ("com.android.chrome", False),
    ("com.android.providers.contacts", True),
    ("com.android.providers.telephony", True),
    (UNPARSED_APP, False),
    ("com.whatsapp", False),
    ("org.telegram.messenger", False),
)


def _packages_list() -> bytes:
    """data/system/packages.list, Android 10+ fields: name, uid, debuggable, data folder,
    SELinux info, supplementary gids, profileable, version code."""
    lines = []
    for n, (package, platform) in enumerate(sorted(_PACKAGES)):
        seinfo = "platform:privapp" if platform else "default"
        lines.append(
            f"{package} {10101 + n} 0 /data/user/0/{package} {seinfo}:targetSdkVersion=33"
            f" 3003 0 {330_000 + n}"
        )
    return ("\n".join(lines) + "\n").encode("ascii")


def _events(device: Device) -> list[datetime]:
    events = [m.when for c in device.chats for m in c.messages]
    return events + [c.when for c in device.calls] + [v.when for v in device.visits]


def _phone_files(device: Device) -> list[FsFile]:
    first = min(_events(device))
    last_sms = max(m.when for c in device.chats if c.app == "sms" for m in c.messages)
    last_call = max(c.when for c in device.calls if c.app == "phone")
    return [
        FsFile(SMS_DB, mmssms_db(device), last_sms),
        FsFile(f"{CONTACTS_DIR}/contacts2.db", contacts_db(device), first),
        FsFile(f"{CONTACTS_DIR}/calllog.db", calllog_db(device), last_call),
        FsFile(CHROME_HISTORY, history_db(device.visits), max(v.when for v in device.visits)),
        FsFile(_UNPARSED_PREFS, _APP_PREFS.encode("utf-8"), first),
        FsFile("/data/system/packages.list", _packages_list(), first),
        FsFile("/system/build.prop", _BUILD_PROP.encode("ascii"), SYSTEM_IMAGE_TIME),
    ]


def android_files(device: Device) -> list[FsFile]:
    """Every file of the extraction, sorted by path."""
    camera = {p.name: make_photo(p, **CAMERA) for p in device.photos}
    files = [FsFile(f"{CAMERA_DIR}/{p.name}", camera[p.name], p.when) for p in device.photos]
    files += whatsapp_files(device, camera)
    files += telegram_files(device)
    files += _phone_files(device)
    return sorted(files, key=lambda f: f.path)


def _member(file: FsFile) -> zipfile.ZipInfo:
    moment = file.mtime.astimezone(UTC)
    info = zipfile.ZipInfo(file.path.lstrip("/"), date_time=moment.timetuple()[:6])
    info.create_system = _UNIX  # ZipInfo's default depends on the platform that runs this
    info.external_attr = _MODE
    info.compress_type = zipfile.ZIP_DEFLATED
    # Info-ZIP extended timestamp, flags bit 0: modification time follows (Unix, UTC).
    info.extra = struct.pack("<HHBI", _EXTENDED_TIMESTAMP, 5, 1, int(moment.timestamp()))
    return info


def write_zip(files: Iterable[FsFile], out: Path) -> Path:
    """The files as a zip at `out`, written under a temporary name and renamed when whole."""
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for file in sorted(files, key=lambda f: f.path):
            archive.writestr(_member(file), file.data, compresslevel=9)
    partial.replace(out)
    return out


def build_android(device: Device, out: Path) -> Path:
    """Write `device` (the story's Android phone) as a file-system extraction zip at `out`."""
    return write_zip(android_files(device), Path(out))
