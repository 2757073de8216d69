"""Apps found on devices and the "installed but not parsed" coverage."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from pathlib import Path

from casehelpers import case_summary
from click.testing import CliRunner
from fixtures_android import make_android_extraction

from triage_app.cli import main
from triage_app.core.engine import scan


def _phone(root: Path) -> Path:
    make_android_extraction(root)  # SMS store: parsed by android_sms
    wa = root / "data" / "data" / "com.whatsapp" / "databases"
    wa.mkdir(parents=True)
    (wa / "unknown_format.bin").write_bytes(b"\x00" * 64)
    (root / "data" / "data" / "com.example.tool_x" / "files").mkdir(parents=True)
    return root


def _iphone(root: Path) -> Path:
    container = (
        root / "private/var/mobile/Containers/Data/Application/0A1B2C3D-0000-4000-8000-00000000ABCD"
    )
    (container / "Documents").mkdir(parents=True)
    with open(container / ".com.apple.mobile_container_manager.metadata.plist", "wb") as f:
        plistlib.dump({"MCMMetadataIdentifier": "ph.telegra.Telegraph"}, f, fmt=plistlib.FMT_BINARY)
    (
        root / "private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared"
    ).mkdir(parents=True)
    return root


def test_installed_apps_and_coverage(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    phone, iphone = _phone(tmp_path / "phone"), _iphone(tmp_path / "iphone")
    unchanged(phone, iphone)
    case = tmp_path / "case"
    assert scan(case, [phone, iphone]).status == "ok"
    apps = {(a["evidence_id"], a["app_id"]): a for a in case_summary(case)["apps"]}
    assert set(apps) == {
        (1, "com.android.providers.telephony"),
        (1, "com.whatsapp"),
        (1, "com.example.tool_x"),
        (2, "ph.telegra.Telegraph"),
        (2, "group.net.whatsapp.WhatsApp.shared"),
    }
    sms = apps[(1, "com.android.providers.telephony")]
    assert sms["parsed"] and sms["records"] == 3
    assert sms["container"] == "/data/data/com.android.providers.telephony"
    whatsapp = apps[(1, "com.whatsapp")]
    assert not whatsapp["parsed"] and whatsapp["name"] == "WhatsApp"
    telegram = apps[(2, "ph.telegra.Telegraph")]
    assert telegram["container"].endswith("/0A1B2C3D-0000-4000-8000-00000000ABCD")
    assert telegram["name"] == "Telegram" and not telegram["parsed"]
    assert apps[(1, "com.example.tool_x")]["name"] is None
    out = CliRunner().invoke(main, ["info", "--case", str(case)]).output
    assert "WhatsApp (com.whatsapp) — INSTALLED BUT NOT PARSED" in out
    assert "SMS/MMS store (com.android.providers.telephony) — parsed, 3 records" in out


def test_rescan_does_not_duplicate_apps(tmp_path: Path) -> None:
    phone = _phone(tmp_path / "phone")
    case = tmp_path / "case"
    scan(case, [phone])
    scan(case, [phone])
    assert len(case_summary(case)["apps"]) == 3
