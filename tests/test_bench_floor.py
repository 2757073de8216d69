"""benchmarks/floor.py, the floor a scan is compared with: it must do the whole least work
(every regular file hashed, the image's custody hashes, the search minus photos/videos),
or its time would be a floor that is too low."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import floor
from diskimages import ewf

pytestmark = pytest.mark.skipif(
    shutil.which("mke2fs") is None or shutil.which("ewfacquire") is None,
    reason="needs mke2fs (e2fsprogs) and ewfacquire (ewf-tools)",
)


@pytest.mark.parametrize("container", ["raw", "e01"])
def test_floor_hashes_every_file_and_searches_all_but_photos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], container: str
) -> None:
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    texts = {"note.txt": b"le passeur attend\n" * 300, "a/b/log.json": b'{"k": "passeur"}'}
    photo = b"\xff\xd8\xff\xe0" + b"passeur" * 100  # a JPEG: not searched by the floor
    for name, data in {**texts, "a/photo.jpg": photo}.items():
        (src / name).write_bytes(data)
    (src / "empty").write_bytes(b"")
    image = tmp_path / "fs.img"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", src, image, "4M"], check=True)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "t.yar").write_text('rule t { strings: $a = "passeur" condition: $a }\n')

    target = image if container == "raw" else ewf(image, tmp_path / "ewf")[0]
    assert floor.main([str(target), "--workers", "2", "--rules", str(rules)]) == 0
    first, counts_line = capsys.readouterr().out.splitlines()
    assert first.split()[0] == hashlib.sha256(image.read_bytes()).hexdigest()
    counts = json.loads(counts_line)
    assert counts["md5"] == hashlib.md5(image.read_bytes()).hexdigest()
    assert counts["files"] == 3  # the empty file has no content to hash
    assert counts["bytes"] == sum(map(len, texts.values())) + len(photo)
    assert counts["searched_bytes"] == sum(map(len, texts.values()))
    assert counts["matches"] == 2
