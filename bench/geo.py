"""Issue P5's three benchmarks in one run, each section printing its own side-by-side ratios:

- ``bench/geo_fences.py``: the geofence test per position against 1,000 polygons, the indexed
  engine against a brute-force loop over the same polygons (target: 0.5 ms per position or
  less);
- ``bench/geo_trips.py``: trips and stops of one device-month (250,000 positions) against a
  raw SELECT of the same rows, on PostgreSQL and SQLite (target: 2 s or less on PostgreSQL),
  and the daily report from summaries against recomputing it from positions;
- ``bench/geo_map.py``: the live map's update payload for 5,000 devices against a raw SELECT of
  the same rows, on SQLite and PostgreSQL (target: 200 ms or less of server time).

PostgreSQL is ``DATABASE_URL``'s server (default ``postgres://postgres@127.0.0.1:5432/postgres``);
each section creates and drops a database of its own there. Run on a quiet machine:

    .venv/bin/python bench/geo.py
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
SECTIONS = ("geo_fences", "geo_trips", "geo_map")


def _section(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    sys.path.insert(0, str(HERE.parent))
    for name in SECTIONS:
        started = time.perf_counter()
        print(f"--- bench/{name}.py", flush=True)
        for line in _section(name).main([]):
            print(line, flush=True)
        print(f"({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
