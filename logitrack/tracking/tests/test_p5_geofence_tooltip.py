"""Attack probe: a geofence named ``<a href="https://evil.example">…</a>`` or ``<img …>`` is
accepted by the text layer (it is not a hazard), and geofences.js gave the name to Leaflet's
``bindTooltip`` as a string, which Leaflet inserts with ``innerHTML``: stored HTML injection on
the geofence pages (script runs are stopped by the CSP nonce, links and markup are not). The
name must reach the tooltip as text."""

from __future__ import annotations

import re
from pathlib import Path

import logitrack.tracking

SCRIPT = Path(logitrack.tracking.__file__).parent / "static" / "tracking" / "geofences.js"


def test_the_geofence_tooltip_is_given_text_not_markup() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    calls = re.findall(r"bindTooltip\(([^;]*)\);", source)
    assert calls, "no tooltip found: update this probe"
    for argument in calls:
        assert argument.startswith("document.createTextNode("), argument
