"""A server process's settled heap is out of the collector's full collections (docs/adr/0050):
the main site's WSGI entry loads what the first request would import, then freezes; the frozen
objects are no longer in any generation a collection traverses."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from logitrack.core.heap import freeze_heap

ROOT = Path(__file__).resolve().parents[3]

# What a granian worker does (``config.wsgi:application``), then what is still collectable.
PROBE = """
import gc, json
import config.wsgi
from django.urls import get_resolver
patterns = get_resolver().url_patterns
collectable = {id(o) for o in gc.get_objects()}
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "urlconf_frozen": id(patterns) not in collectable,
    "settings": __import__("os").environ["DJANGO_SETTINGS_MODULE"],
}))
"""


def test_each_process_of_the_main_site_freezes_its_heap_with_the_urlconf(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOGITRACK_"))}
    env.pop("DATABASE_URL", None)
    env["LOGITRACK_DATA_DIR"] = str(tmp_path)

    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["settings"] == "config.settings.local"  # the WSGI module's own default
    assert seen["frozen"] > 50_000  # Django, the apps, the URLconf: about 145,000 objects
    assert seen["urlconf_frozen"]  # loaded before the freeze, not on the first request


def test_freeze_heap_takes_what_is_alive_out_of_the_collections() -> None:
    kept = [{"settled": n} for n in range(1000)]
    try:
        frozen = freeze_heap()
        collectable = {id(o) for o in gc.get_objects()}
        assert frozen == gc.get_freeze_count() >= 1000
        assert not any(id(item) in collectable for item in kept)
    finally:
        gc.unfreeze()
