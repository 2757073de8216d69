"""Whether a window can be shown (Qt-free, so the CLI can ask before importing Qt)."""

from __future__ import annotations

import os
import sys


def no_display() -> bool:
    """On Linux, no X11 or Wayland display to open a window on (a server, CI, SSH)."""
    has = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    return sys.platform.startswith("linux") and not has
