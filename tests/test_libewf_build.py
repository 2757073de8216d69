"""The installed libewf-python must use zlib (docs/LIBEWF.md): the PyPI wheel falls back to a
slow built-in inflate and reads E01 images about five times slower."""

from __future__ import annotations

import os
import shutil
import subprocess

import pyewf
import pytest


def test_pyewf_links_zlib() -> None:
    if os.environ.get("CI") != "true" and os.environ.get("QARINA_REQUIRE_ZLIB_EWF") != "1":
        pytest.skip("checked in CI, where .ci/run installs the zlib build of libewf-python")
    ldd = shutil.which("ldd")
    assert ldd, "ldd is needed to inspect the pyewf extension"
    out = subprocess.run([ldd, pyewf.__file__], capture_output=True, text=True, check=True).stdout
    assert "libz.so" in out, f"pyewf is not linked against zlib:\n{out}"
