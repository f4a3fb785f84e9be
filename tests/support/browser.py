"""Headless Chromium for end-to-end tests: the distribution's own package (Debian `chromium`), driven by Playwright,
so no browser is downloaded. Tests are skipped, saying why, only where that package is not installed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
# The README's screenshots are refreshed on purpose (CONTACT_LOOKUP_SCREENSHOTS=docs/screenshots), not by every run.
SCREENSHOTS = ROOT / os.environ.get("CONTACT_LOOKUP_SCREENSHOTS", "test-artifacts/screenshots")
SCREENSHOTS.mkdir(parents=True, exist_ok=True)

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
)
