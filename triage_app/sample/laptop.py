"""Tarek's laptop: an E01 image of a GPT disk with a Windows (FAT32) and a Linux (ext4)
partition, written byte by byte by the sample's own writers (no mkfs, no ewfacquire).

FAT32 "WINDOWS": the payments ledger (CSV, UTF-8 with BOM as Excel saves it), a trip report
in Arabic saved as UTF-16 (Notepad's "Unicode"), Chrome history of classified ads for boats,
engines and life jackets; two deleted files whose content FAT keeps (a receipt photo with
GPS, an older ledger). ext4 "DATA": notes in French and Arabizi, a file with a hostile HTML
name and one with a right-to-left override in its name, and a deleted note whose content
ext4 does not keep (the kernel frees its extents).
"""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path

from . import scenario
from .chromium import history_db
from .ewf import AcquisitionInfo, write_e01
from .ext4 import build_ext4
from .fat32 import build_fat32
from .fsmodel import FsFile, FsTree
from .gpt import LINUX_FILESYSTEM_DATA, MICROSOFT_BASIC_DATA, GptPartition, write_gpt_disk
from .photos import make_photo

MIB = 1024 * 1024
FAT_SIZE, EXT4_SIZE = 40 * MIB, 12 * MIB
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://qarina.example/" + scenario.SEED)
WHEN = scenario.t(5, 7, 30)  # the laptop was seized on 5 May 2024, 09:30 in Libya
HOME = "/Users/Tarek"
CHROME = HOME + "/AppData/Local/Google/Chrome/User Data/Default/History"

# Deleted files as the scan lists them, and whether their content can be read back.
DELETED = (
    [HOME + "/Documents/payments_april_OLD.csv", True],
    [HOME + "/Pictures/receipt_2024-05-02.jpg", True],
    ["/home/tarek/notes/old_ledger.txt", False],
)


def _ledger() -> bytes:
    lines = ["date;name;phone;amount;currency;note"]
    lines += [";".join(row) for row in scenario.LEDGER_ROWS]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _old_ledger() -> bytes:
    rows = ("2024-04-12;Karim Sabratha;091 000 1001;41000;LYD;cash 17 ras",
            "2024-04-13;Abu Yasin;092-000-2002;15000;USDT;" + scenario.WALLET)  # fmt: skip
    return ("\ufeffdate;name;phone;amount;currency;note\r\n" + "\r\n".join(rows)).encode()


def _windows_files() -> tuple[FsFile, ...]:
    receipt = scenario.LAPTOP.photos[0]
    return (
        FsFile(HOME + "/Documents/ledger.csv", _ledger(), scenario.t(4, 9, 0)),
        FsFile(HOME + "/Documents/تقرير الرحلات.txt",
               scenario.REPORT_AR.replace("\n", "\r\n").encode("utf-16"), scenario.t(4, 10, 0)),
        FsFile(HOME + "/Documents/payments_april_OLD.csv", _old_ledger(), scenario.t(1, 8, 0),
               deleted=True),
        FsFile(HOME + "/Pictures/" + receipt.name,
               make_photo(receipt, make="HUAWEI", model="P30 lite"), receipt.when, deleted=True),
        FsFile(HOME + "/Desktop/desktop.ini",
               "[.ShellClassInfo]\r\nLocalizedResourceName=@%SystemRoot%\\system32\\shell32.dll,"
               "-21769\r\n".encode("utf-16"), scenario.t(1, 6, 0)),
        FsFile(CHROME, history_db(scenario.LAPTOP.visits), scenario.t(2, 9, 20)),
    )  # fmt: skip


def _linux_files() -> tuple[FsFile, ...]:
    notes = "/home/tarek/notes/"
    return (
        FsFile(notes + "numeros.txt",
               (b"Abu Yasin  +218 92 000 2002\nKarim      091-000-1001\n"
                b"Mansour    +218-94-000-3003\nSarraf     @sarraf_usdt\n"),
               scenario.t(1, 12, 0)),
        FsFile(notes + "a_faire.txt",
               (b"- acheter 50 gilets de sauvetage (souq-libya)\n- moteur 40 CV pour Mansour\n"
                b"- payer le passeur de Zouara avant vendredi\n- khalles el 7sab m3a Karim\n"
                ), scenario.t(2, 9, 30)),
        FsFile("/home/tarek/Downloads/" + scenario.HOSTILE_NAME + ".txt",
               b"a file whose name is HTML\n", scenario.t(2, 10, 0)),
        FsFile("/home/tarek/Downloads/scan_\u202egpj.exe", b"MZ not a real program\n",
               scenario.t(2, 10, 5)),
        FsFile(notes + "old_ledger.txt", _old_ledger(), scenario.t(1, 8, 5), deleted=True),
    )  # fmt: skip


@cache
def laptop_files() -> tuple[FsFile, ...]:
    """Every file written on the laptop's two partitions (the answer key reads them)."""
    return _windows_files() + _linux_files()


def build_laptop(device: scenario.Device, out: Path, work: Path) -> Path:
    """Write the laptop's E01 (`out`, ending in .E01); `work` holds the raw disk meanwhile."""
    assert device is scenario.LAPTOP, "the laptop's files are those of scenario.LAPTOP"
    work.mkdir(parents=True, exist_ok=True)
    fat = build_fat32(
        FsTree(_windows_files(), dirs=(HOME + "/Downloads",)),
        size_bytes=FAT_SIZE,
        label="WINDOWS",
        volume_id=0x5A4B3C2D,
        when=WHEN,
    )
    ext4 = build_ext4(FsTree(_linux_files()), size_bytes=EXT4_SIZE, label="DATA",
                      uuid=uuid.uuid5(NAMESPACE, "ext4"), when=WHEN)  # fmt: skip
    raw = work / "laptop.raw"
    write_gpt_disk(raw, [
        GptPartition("Basic data partition", MICROSOFT_BASIC_DATA,
                     uuid.uuid5(NAMESPACE, "fat32"), fat),
        GptPartition("Linux data", LINUX_FILESYSTEM_DATA, uuid.uuid5(NAMESPACE, "ext4-part"), ext4),
    ], disk_guid=uuid.uuid5(NAMESPACE, "disk"))  # fmt: skip
    info = AcquisitionInfo(
        case_number="SAMPLE-2024-05", evidence_number="LAPTOP-1",
        examiner="Workshop examiner", description=device.label,
        notes="Fictional training image made by `qarina sample`.", acquired=WHEN,
    )  # fmt: skip
    write_e01(raw, out, info)
    raw.unlink()
    return out
