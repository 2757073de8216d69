"""Hash set readers and the NSRL lookup, on generated inputs of every format.

The RDS v3 fixtures use the CREATE statements NIST publishes: the minimal sets' `FILE` table
(schema.sql) and, for the full sets, the `METADATA` and `PACKAGE_OBJECT` tables with the
`FILE` view over them. Hashes are stored upper-case, as NIST ships them.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from triage_app.core.errors import QarinaError
from triage_app.search.hashsets import HashEntry, HashSetError, HashSetReader, read_hashset
from triage_app.search.nsrl import NsrlIndexMissing, NsrlLookup

RDS_MINIMAL_SCHEMA = """
CREATE TABLE FILE (
 sha256     VARCHAR NOT NULL,
 sha1       VARCHAR NOT NULL,
 md5        VARCHAR NOT NULL,
 crc32      VARCHAR NOT NULL,
 file_name  VARCHAR NOT NULL,
 file_size  INTEGER NOT NULL,
 package_id INTEGER NOT NULL,
 CONSTRAINT PK_FILE__FILE PRIMARY KEY (sha256, sha1, md5, crc32, file_name, file_size, package_id)
);
CREATE TABLE PKG (
 package_id          INTEGER NOT NULL,
 name                VARCHAR NOT NULL,
 version             VARCHAR NOT NULL,
 operating_system_id INTEGER NOT NULL,
 manufacturer_id     INTEGER NOT NULL,
 language            VARCHAR NOT NULL,
 application_type    VARCHAR NOT NULL,
 CONSTRAINT PK_PGK__PKG_ID PRIMARY KEY (package_id, operating_system_id, manufacturer_id,
   language, application_type)
);
CREATE TABLE VERSION (
 version      VARCHAR UNIQUE NOT NULL,
 build_set    VARCHAR NOT NULL,
 build_date   TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
 release_date TIMESTAMP NOT NULL,
 description  VARCHAR NOT NULL,
 CONSTRAINT PK_VERSION__VERSION PRIMARY KEY (version)
);
CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5, crc32 FROM FILE;
"""

RDS_FULL_SCHEMA = """
CREATE TABLE PACKAGE_OBJECT (
 package_object_id INTEGER UNIQUE NOT NULL,
 package_id        INTEGER NOT NULL,
 object_id         INTEGER UNIQUE NOT NULL,
 CONSTRAINT PK_PACKAGE_OBJECT__PACKAGE_OBJECT_ID PRIMARY KEY (package_object_id)
);
CREATE TABLE METADATA (
 metadata_id NUMERIC UNIQUE NOT NULL, object_id INTEGER, key_hash VARCHAR NOT NULL,
 image_hash VARCHAR, path VARCHAR NOT NULL, path_b64 VARCHAR, path_coding VARCHAR,
 file_name VARCHAR NOT NULL, file_name_b64 VARCHAR, file_name_coding VARCHAR,
 extension VARCHAR DEFAULT '' NOT NULL, extension_b64 VARCHAR, extension_coding VARCHAR,
 bytes INTEGER NOT NULL, mtime TIMESTAMP, used_in_rds TIMESTAMP,
 update_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, recursion_level INTEGER,
 extractee_id INTEGER DEFAULT 0, crc32 VARCHAR NOT NULL, md5 VARCHAR NOT NULL,
 sha1 VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
 CONSTRAINT PK_METADATA__METADATA_ID PRIMARY KEY (metadata_id),
 CONSTRAINT FK_METADATA__OBJECT_ID FOREIGN KEY (object_id) REFERENCES PACKAGE_OBJECT (object_id)
);
CREATE VIEW FILE AS
 SELECT UPPER(md.sha256) AS sha256, UPPER(md.sha1) AS sha1, UPPER(md.md5) AS md5,
  CASE md.extension WHEN '' THEN md.file_name ELSE md.file_name||'.'||md.extension END
   AS file_name,
  md.bytes AS file_size, po.package_id
 FROM METADATA AS md, PACKAGE_OBJECT AS po WHERE md.object_id = po.object_id;
"""


RDS_ORDER = ("sha256", "sha1", "md5")


def digest(algo: str, i: int) -> str:
    return hashlib.new(algo, f"file {i}".encode()).hexdigest()


def read_all(path: Path) -> tuple[HashSetReader, list[HashEntry]]:
    reader = read_hashset(path)
    return reader, list(reader)


def write_lines(path: Path, lines: Iterable[str], encoding: str = "utf-8") -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding=encoding)
    return path


def peak_bytes(consume: Callable[[], int]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        n = consume()
        return n, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- plain lists ------------------------------------------------------------------------


def test_plain_list_all_forms(tmp_path: Path) -> None:
    md5, sha1, sha256 = digest("md5", 1), digest("sha1", 2), digest("sha256", 3)
    lines = [
        "# known-bad set, partner agency export",
        "",
        md5.upper(),
        f"{sha1}  holiday photo.jpg",  # sha1sum text mode
        f"{sha256} *C:/Users/x/a b.png",  # sha256sum binary mode
        f"\\{md5}  dir\\\\new\\nline.txt",  # md5sum escaped name
        f"SHA256 (report.pdf) = {sha256.upper()}",  # BSD / --tag
        f"MD5 (x.doc) = {sha1}",  # BSD tag with a hash of the wrong length
        "not a hash at all",
        f"{'ab' * 64}  sha512.bin",  # SHA-512 is not read
    ]
    reader, entries = read_all(write_lines(tmp_path / "list", lines))
    assert reader.format == "text"
    assert entries == [
        HashEntry("md5", md5),
        HashEntry("sha1", sha1, None, "holiday photo.jpg"),
        HashEntry("sha256", sha256, None, "C:/Users/x/a b.png"),
        HashEntry("md5", md5, None, "dir\\new\nline.txt"),
        HashEntry("sha256", sha256, None, "report.pdf"),
    ]
    assert reader.bad == 3 and reader.count == 5
    assert reader.warnings[0].startswith("line 8:") and reader.warnings[2].startswith("line 10:")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_plain_list_windows_encodings(tmp_path: Path, encoding: str) -> None:
    path = write_lines(tmp_path / "hashes.txt", [digest("md5", 1), digest("md5", 2)], encoding)
    reader, entries = read_all(path)
    assert [e.value for e in entries] == [digest("md5", 1), digest("md5", 2)]
    assert reader.bad == 0


def test_hashdeep(tmp_path: Path) -> None:
    lines = [
        "%%%% HASHDEEP-1.0",
        "%%%% size,md5,sha256,filename",
        "## Invoked from: /cases/42",
        "## $ hashdeep -r seized",
        "##",
        f"10,{digest('md5', 1)},{digest('sha256', 1)},/seized/a,b,c.jpg",
        f"11,{digest('md5', 2)},nothex,/seized/d.jpg",
        f"12,{digest('md5', 3)}",
    ]
    reader, entries = read_all(write_lines(tmp_path / "known.txt", lines))
    assert reader.format == "hashdeep"
    assert entries == [
        HashEntry("md5", digest("md5", 1), None, "/seized/a,b,c.jpg"),
        HashEntry("sha256", digest("sha256", 1), None, "/seized/a,b,c.jpg"),
    ]
    assert reader.bad == 2


# --- CSV --------------------------------------------------------------------------------


def test_csv_comma_with_category(tmp_path: Path) -> None:
    lines = [
        "MD5,SHA-256,File Name,Category",
        f'{digest("md5", 1).upper()},{digest("sha256", 1)},"a, b.jpg",1',
        f"{digest('md5', 2)},,b.jpg,2",  # an empty hash cell is no error
        ",,c.jpg,3",  # a row with no hash is
        f"{digest('sha1', 4)},,d.jpg,1",  # a SHA-1 in the MD5 column
        "",
    ]
    reader, entries = read_all(write_lines(tmp_path / "set.dat", lines))
    assert reader.format == "csv"
    assert entries == [
        HashEntry("md5", digest("md5", 1), "1", "a, b.jpg"),
        HashEntry("sha256", digest("sha256", 1), "1", "a, b.jpg"),
        HashEntry("md5", digest("md5", 2), "2", "b.jpg"),
    ]
    assert reader.bad == 2
    assert reader.warnings == [
        "line 4: no valid hash in the hash columns",
        "line 5: no valid hash in the hash columns",
    ]


def test_csv_semicolon_and_tab(tmp_path: Path) -> None:
    semi = write_lines(tmp_path / "a", ["Name;sha256", f"x.png;{digest('sha256', 5)}"])
    tab = write_lines(tmp_path / "b", ["SHA1\tPath", f"{digest('sha1', 6)}\t/a\tb"])
    assert list(read_hashset(semi)) == [HashEntry("sha256", digest("sha256", 5), None, "x.png")]
    assert list(read_hashset(tab)) == [HashEntry("sha1", digest("sha1", 6), None, "/a")]


def test_csv_powershell_get_filehash(tmp_path: Path) -> None:
    # Windows PowerShell 5.1: `Get-FileHash ... | Export-Csv`, a generic "Hash" column
    lines = [
        "#TYPE Microsoft.PowerShell.Commands.FileHashInfo",
        '"Algorithm","Hash","Path"',
        f'"SHA256","{digest("sha256", 7).upper()}","C:\\x\\y.exe"',
        f'"MD5","{digest("md5", 8).upper()}","C:\\x\\z.dll"',
    ]
    reader, entries = read_all(write_lines(tmp_path / "hashes.csv", lines, "utf-16"))
    assert reader.format == "csv" and reader.bad == 0
    assert entries == [
        HashEntry("sha256", digest("sha256", 7), None, "C:\\x\\y.exe"),
        HashEntry("md5", digest("md5", 8), None, "C:\\x\\z.dll"),
    ]


def test_csv_runaway_quoted_field_is_counted(tmp_path: Path) -> None:
    body = ["md5,name", f'{digest("md5", 1)},"open quote'] + ["x" * 1000] * 200
    reader, entries = read_all(write_lines(tmp_path / "bad.csv", body))
    assert entries == [] and reader.bad >= 1


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"  \n\n\t\n",
        b"Dear colleague,\nplease find the hashes attached.\n",
        b"name,size\nx.jpg,10\n",  # CSV without a hash column
        b'["not", "vics"]',
        b'{"value": [{"MD5": "00"}]}',  # OData without its context first
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"{ this is not json",
        b"%%%% HASHDEEP-1.0\nno column line\n",
        b"%%%% HASHDEEP-1.0\n%%%% size,tiger,filename\n",  # no hash this module reads
        b'{"odata.metadata": "http://x/1.3.xml#Media", "Value": []}',  # no `value` list
    ],
)
def test_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "set.txt"
    path.write_bytes(content)
    with pytest.raises(HashSetError):
        read_hashset(path)


def test_refused_random_bytes_and_directory(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(random.Random(4).randbytes(100_000))
    with pytest.raises(HashSetError):
        read_hashset(path)
    with pytest.raises(QarinaError):
        read_hashset(tmp_path)


def test_refused_sqlite_that_is_not_rds(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE hashes (md5 TEXT)")
    with pytest.raises(HashSetError, match="not an NSRL RDS"):
        read_hashset(path)
    with pytest.raises(HashSetError):
        NsrlLookup(path)
    with pytest.raises(HashSetError, match="not a SQLite"):
        NsrlLookup(write_lines(tmp_path / "l", [digest("md5", 1)]))


# --- VICS -------------------------------------------------------------------------------


def media(i: int, category: int | None = 1, **extra: object) -> dict[str, object]:
    item: dict[str, object] = {
        "MediaID": i,
        "Category": category,
        "MD5": digest("md5", i).upper(),
        "SHA1": digest("sha1", i).upper(),
        "MediaSize": str(100 + i),
        "MediaFiles": [{"FileName": f"img{i}.jpg", "FilePath": "DCIM/100"}],
    }
    item.update(extra)
    return item


def vics_1(items: list[object]) -> dict[str, object]:
    context = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media"
    return {"odata.metadata": context, "value": items}


def vics_2_cases(items: list[object]) -> dict[str, object]:
    context = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases"
    case = {"CaseID": "{0F4A}", "CaseNumber": "LY-2024-7", "Media": items, "TotalMediaFiles": 9}
    return {"@odata.context": context, "value": [case]}


def test_vics_1x(tmp_path: Path) -> None:
    doc = vics_1([media(1), media(2, None, SHA1="xyz"), {"MediaID": 3}, 42])
    path = tmp_path / "vics.json"
    path.write_text(json.dumps(doc), encoding="utf-8-sig")
    reader, entries = read_all(path)
    assert reader.format == "vics"
    assert entries == [
        HashEntry("md5", digest("md5", 1), "1", "img1.jpg"),
        HashEntry("sha1", digest("sha1", 1), "1", "img1.jpg"),
        HashEntry("md5", digest("md5", 2), None, "img2.jpg"),
    ]
    assert reader.bad == 3  # a bad SHA1, a Media without hashes, a number in `value`


def test_vics_2_nested_media(tmp_path: Path) -> None:
    doc = vics_2_cases([media(1, 2), media(2, 0, MediaFiles=[]), "oops", media(3, 1, MD5="")])
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-16")
    reader, entries = read_all(path)
    assert [(e.algo, e.category, e.name) for e in entries] == [
        ("md5", "2", "img1.jpg"),
        ("sha1", "2", "img1.jpg"),
        ("md5", "0", None),
        ("sha1", "0", None),
        ("sha1", "1", "img3.jpg"),
    ]
    assert reader.bad == 1 and "2.0.xml" in getattr(reader, "context", "")


def test_vics_2_media_directly_under_value(tmp_path: Path) -> None:
    context = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
    path = tmp_path / "hub.json"
    path.write_text(json.dumps({"@odata.context": context, "value": [media(5, 3)]}))
    assert {e.value for e in read_hashset(path)} == {digest("md5", 5), digest("sha1", 5)}


def test_vics_truncated_keeps_what_was_read(tmp_path: Path) -> None:
    text = json.dumps(vics_1([media(1), media(2), media(3)]))
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"MediaID": 3')])
    reader, entries = read_all(path)
    assert {e.value for e in entries if e.algo == "md5"} == {digest("md5", 1), digest("md5", 2)}
    assert reader.bad == 1 and "malformed JSON" in reader.warnings[0]


def test_vics_empty_value(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text(json.dumps(vics_2_cases([])))
    reader, entries = read_all(path)
    assert entries == [] and reader.bad == 0


# --- bounded memory ---------------------------------------------------------------------


def test_many_lines_stream_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with open(path, "w") as f:
        for i in range(200_000):
            f.write(f"{i:064x}  file{i}.bin\n")
    reader = read_hashset(path)
    count, peak = peak_bytes(lambda: sum(1 for _ in reader))
    assert count == 200_000 and reader.bad == 0
    assert path.stat().st_size > 14_000_000 and peak < 2_000_000


def test_huge_line_is_skipped_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    with open(path, "w") as f:
        f.write(f"{digest('md5', 1)}\n" + "A" * 20_000_000 + f"\n{digest('md5', 2)}\n")
    reader = read_hashset(path)
    count, peak = peak_bytes(lambda: sum(1 for _ in reader))
    assert count == 2 and reader.bad == 1 and "longer than" in reader.warnings[0]
    assert peak < 2_000_000


@pytest.mark.slow
def test_large_vics_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with open(path, "w") as f:
        json.dump(vics_2_cases([media(i) for i in range(100_000)]), f)
    reader = read_hashset(path)
    count, peak = peak_bytes(lambda: sum(1 for _ in reader))
    assert count == 200_000 and reader.bad == 0
    assert path.stat().st_size > 20_000_000 and peak < 2_000_000


# --- NSRL RDS v3 ------------------------------------------------------------------------


def make_minimal_rds(path: Path, rows: int) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(RDS_MINIMAL_SCHEMA)
        conn.executemany(
            "INSERT INTO FILE VALUES (?,?,?,?,?,?,?)",
            [
                (*(digest(a, i).upper() for a in RDS_ORDER), f"{i:08X}", f"file{i}.dll", i, i % 7)
                for i in range(rows)
            ],
        )
    conn.close()
    return path


def make_full_rds(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(RDS_FULL_SCHEMA)
        conn.execute("INSERT INTO PACKAGE_OBJECT VALUES (1, 100, 10)")
        for i, (name, ext, obj) in enumerate([("a", "dll", 10), ("README", "", 10), ("b", "", 99)]):
            hashes = [digest(a, i) for a in ("md5", "sha1", "sha256")]
            conn.execute(
                "INSERT INTO METADATA (metadata_id, object_id, key_hash, path, file_name,"
                " extension, bytes, crc32, md5, sha1, sha256) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (i, obj, "k", "/", name, ext, 1, "0", *hashes),
            )
    conn.close()
    return path


def test_rds_minimal_read(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    path = make_minimal_rds(tmp_path / "RDS_2024.12.1_modern_minimal.db", 3)
    unchanged(tmp_path)  # no -wal/-shm/-journal appears, the file's bytes stay
    reader, entries = read_all(path)
    assert reader.format == "nsrl-rds3" and reader.bad == 0
    assert entries[:3] == [
        HashEntry("sha256", digest("sha256", 0), None, "file0.dll"),
        HashEntry("sha1", digest("sha1", 0), None, "file0.dll"),
        HashEntry("md5", digest("md5", 0), None, "file0.dll"),
    ]
    assert len(entries) == 9


def test_rds_full_reads_the_table_not_the_view(tmp_path: Path) -> None:
    path = make_full_rds(tmp_path / "RDS_modern.db")
    entries = [e for e in read_hashset(path) if e.algo == "md5"]
    # the FILE view would drop "b" (object 99 has no package); the table read keeps it
    assert [(e.value, e.name) for e in entries] == [
        (digest("md5", 0), "a.dll"),
        (digest("md5", 1), "README"),
        (digest("md5", 2), "b"),
    ]
    with NsrlLookup(path, allow_scan=True) as rds:
        assert rds.indexed_algos == frozenset()
        assert rds.contains("sha1", digest("sha1", 2).upper())


def test_lookup_uses_the_shipped_index(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    path = make_minimal_rds(tmp_path / "rds.db", 1200)
    unchanged(tmp_path)
    with NsrlLookup(path) as rds:
        assert rds.indexed_algos == frozenset({"sha256"})
        assert rds.contains("sha256", digest("sha256", 5))
        assert rds.contains("sha256", digest("sha256", 6).upper())
        assert not rds.contains("sha256", digest("sha256", 5000))
        # every statement must fit the 500-parameter batches
        rds._conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 500)
        present = [digest("sha256", i) for i in range(0, 1200, 2)]
        absent = [digest("sha256", i) for i in range(2000, 2700)]
        asked = present + absent + [v.upper() for v in present[:50]]
        assert rds.lookup_many("sha256", asked) == set(present)
        assert rds.lookup_many("sha256", []) == set()
        with pytest.raises(ValueError):
            rds.contains("sha256", digest("md5", 1))


def test_lookup_without_index(tmp_path: Path) -> None:
    path = make_minimal_rds(tmp_path / "rds.db", 300)
    with NsrlLookup(path) as rds, pytest.raises(NsrlIndexMissing, match=r"FILE\(md5\)"):
        rds.contains("md5", digest("md5", 1))
    with NsrlLookup(path, allow_scan=True) as rds:
        asked = [digest("md5", i) for i in range(250, 600)]
        assert rds.lookup_many("md5", asked) == {digest("md5", i) for i in range(250, 300)}
    with sqlite3.connect(path) as conn:  # what the examiner does on a copy
        conn.execute("CREATE INDEX file_md5 ON FILE(md5)")
        conn.execute("CREATE INDEX file_sha1 ON FILE(sha1)")
    conn.close()
    with NsrlLookup(path) as rds:
        assert rds.indexed_algos == frozenset({"md5", "sha1", "sha256"})
        assert rds.contains("md5", digest("md5", 299)) and rds.contains("sha1", digest("sha1", 0))


def test_rds_hostile_schema_code_never_runs(tmp_path: Path) -> None:
    path = make_minimal_rds(tmp_path / "rds.db", 2)
    with sqlite3.connect(path) as conn:
        # a trigger and a view are never used; a corrupt row is counted
        conn.execute("CREATE TRIGGER t AFTER INSERT ON PKG BEGIN DELETE FROM FILE; END")
        conn.execute("INSERT INTO FILE VALUES ('zz', 'zz', 'zz', '0', 'bad', 0, 0)")
    conn.close()
    reader, entries = read_all(path)
    assert len(entries) == 6 and reader.bad == 1
    with NsrlLookup(path) as rds, pytest.raises(sqlite3.DatabaseError, match="prohibited"):
        rds._conn.execute("SELECT * FROM DISTINCT_HASH")  # the connection refuses views
    wal = tmp_path / "rds.db-wal"  # rows left in a WAL would be lost to immutable=1
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    with pytest.raises(HashSetError, match="-wal"):
        NsrlLookup(path)
    wal.unlink()
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(path.read_bytes()[:100] + b"\xff" * 4000)
    with pytest.raises(HashSetError):
        NsrlLookup(corrupt)
