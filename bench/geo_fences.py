"""Geofence test per position against many polygons: the indexed engine (``geo.engine``) against
a brute-force loop over the same polygons, side by side in one run.

``--polygons`` (default 1,000) small polygons (irregular hexagons, 200-800 m across) are laid
over a 60 x 40 km area around Ho Chi Minh City; ``--positions`` (default 20,000) fixes along
random vehicle tracks over the same area (about 10 % of them inside some polygon). Three ways
to decide, for each fix, which polygons contain it:

- ``indexed``: ``FenceIndex.observe`` over the whole batch (an STRtree over the polygons'
  outer edges, then the exact test of the few candidates), the engine's own path;
- ``indexed-1``: the same, one fix per call (a device sending one fix at a time);
- ``brute``: for each fix, ``polygon.contains(point)`` over every polygon (shapely, prepared).

It checks that all three agree, then prints microseconds per position and the ratios. Target
(issue P5): at most 0.5 ms per position with 1,000 polygons. No database is needed.

    .venv/bin/python bench/geo_fences.py
    .venv/bin/python bench/geo_fences.py --polygons 5000 --positions 50000

``main(argv) -> list[str]`` returns the printed lines, so bench/geo.py can call it.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely import Point, Polygon  # noqa: E402

from logitrack.tracking.geo.engine import INSIDE, FenceIndex, FenceSpec  # noqa: E402

CENTRE = (106.70, 10.78)
SPAN_DEG = (0.55, 0.36)  # about 60 x 40 km


def _polygons(count: int, rng: random.Random) -> list[list[list[float]]]:
    rings = []
    for _ in range(count):
        lon = CENTRE[0] + rng.uniform(-0.5, 0.5) * SPAN_DEG[0]
        lat = CENTRE[1] + rng.uniform(-0.5, 0.5) * SPAN_DEG[1]
        radius = rng.uniform(0.001, 0.004)
        ring = [
            [
                lon + radius * rng.uniform(0.7, 1.0) * math.cos(a),
                lat + radius * rng.uniform(0.7, 1.0) * math.sin(a),
            ]
            for a in np.linspace(0, 2 * math.pi, 6, endpoint=False).tolist()
        ]
        ring.append(ring[0])
        rings.append(ring)
    return rings


def _positions(
    count: int, rings: list[list[list[float]]], rng: random.Random
) -> tuple[np.ndarray, np.ndarray]:
    lon = np.empty(count)
    lat = np.empty(count)
    for i in range(count):
        if rng.random() < 0.1:  # a vehicle at one of the sites
            ring = rings[rng.randrange(len(rings))]
            lon[i] = sum(p[0] for p in ring[:-1]) / 6
            lat[i] = sum(p[1] for p in ring[:-1]) / 6
        else:
            lon[i] = CENTRE[0] + rng.uniform(-0.5, 0.5) * SPAN_DEG[0]
            lat[i] = CENTRE[1] + rng.uniform(-0.5, 0.5) * SPAN_DEG[1]
    return lon, lat


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polygons", type=int, default=1000)
    parser.add_argument("--positions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    args, _ = parser.parse_known_args(argv)
    rng = random.Random(args.seed)
    rings = _polygons(args.polygons, rng)
    lon, lat = _positions(args.positions, rings, rng)
    specs = [
        FenceSpec(i, "polygon", {"type": "Polygon", "coordinates": [r]}, None)
        for i, r in enumerate(rings)
    ]

    started = time.perf_counter()
    index = FenceIndex(specs, hysteresis_m=30)
    build_s = time.perf_counter() - started

    started = time.perf_counter()
    found = index.observe(lon, lat)
    indexed_s = time.perf_counter() - started
    indexed: set[tuple[int, int]] = set()
    for fence_id, (points, sides) in found.items():
        indexed.update(
            (int(p), fence_id) for p, s in zip(points, sides, strict=True) if s == INSIDE
        )

    single_n = min(args.positions, 5000)
    started = time.perf_counter()
    single: set[tuple[int, int]] = set()
    for i in range(single_n):
        for fence_id, (_, sides) in index.observe(lon[i : i + 1], lat[i : i + 1]).items():
            if sides[0] == INSIDE:
                single.add((i, fence_id))
    single_s = time.perf_counter() - started

    polygons = [Polygon(r) for r in rings]
    for polygon in polygons:
        shapely.prepare(polygon)
    started = time.perf_counter()
    brute: set[tuple[int, int]] = set()
    for i in range(args.positions):
        point = Point(lon[i], lat[i])
        for fence_id, polygon in enumerate(polygons):
            if polygon.intersects(point):
                brute.add((i, fence_id))
    brute_s = time.perf_counter() - started

    agree = indexed == brute and single == {pair for pair in brute if pair[0] < single_n}
    per = {
        "indexed": indexed_s / args.positions * 1e6,
        "indexed-1": single_s / single_n * 1e6,
        "brute": brute_s / args.positions * 1e6,
    }
    lines = [
        f"geofences: {args.polygons} polygons, {args.positions} positions "
        f"({len(brute)} position-in-polygon hits); index built in {build_s * 1000:.0f} ms",
        f"  indexed, batch          {per['indexed']:9.2f} µs/position",
        f"  indexed, one fix a call {per['indexed-1']:9.2f} µs/position",
        f"  brute-force loop        {per['brute']:9.2f} µs/position",
        f"  ratio brute/indexed: batch {per['brute'] / per['indexed']:.0f}x, "
        f"one fix per call {per['brute'] / per['indexed-1']:.1f}x",
        f"  target <= 500 µs/position: {'met' if per['indexed-1'] <= 500 else 'MISSED'}; "
        f"results agree: {'yes' if agree else 'NO'}",
    ]
    for line in lines:
        print(line)
    if not agree:
        raise SystemExit("the indexed engine and the brute-force loop disagree")
    return lines


if __name__ == "__main__":
    main(sys.argv[1:])
