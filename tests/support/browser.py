"""Headless Chromium for end-to-end tests: the distribution's own package (Debian `chromium`), driven by Playwright,
so no browser is downloaded. Tests are skipped, saying why, only where that package is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
)
