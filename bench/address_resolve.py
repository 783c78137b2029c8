"""How fast and how right ``address_resolve`` is (ADR 0020).

Speed: N addresses as an import sees them (the corpus's unit texts with a different house number
on each row, legacy three-level, 2025 two-level and split columns mixed), resolved one by one,
against a plain dict lookup of the same unit texts (the fastest exact-match importer possible,
which knows no accents, prefixes or old names). The indexes are built once before timing; their
build time is printed separately.

Accuracy: every case of the corpus (logitrack/addresses/tests/corpus.py, expectations from the
2025 merger resolutions) judged as correct, unresolved with the right commune among the
candidates, unresolved without it, or wrong.

With ``VAU_PYTHON`` set to an interpreter that has ``vietnamadminunits`` installed, the same
corpus is also run through that package's ``convert_address`` / ``parse_address`` (its online
geocoder disabled, so no address leaves the machine), for comparison.

    .venv/bin/python bench/address_resolve.py [N]
    VAU_PYTHON=/path/to/python .venv/bin/python bench/address_resolve.py [N]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REPEAT = 3

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
sys.path.insert(0, str(ROOT))
import django  # noqa: E402

django.setup()

from logitrack.addresses import address_resolve  # noqa: E402
from logitrack.addresses.legacy import legacy_index  # noqa: E402
from logitrack.addresses.tests.corpus import (  # noqa: E402
    CASES,
    CORRECT,
    SAFE_CANDIDATES,
    SAFE_REFUSED,
    WRONG,
    Case,
    judge,
    ward_code,
)
from logitrack.addresses.units import communes_by_key  # noqa: E402

STREETS = ("Lê Lợi", "Nguyễn Trãi", "Trần Hưng Đạo", "Hai Bà Trưng", "Quang Trung")


def _rows() -> list[tuple[str, dict[str, str], str]]:
    """(text, columns, units text) for N rows built from the corpus cases that resolve."""
    usable = [case for case in CASES if case.expect == "resolved" and judge(case) == CORRECT]
    rows = []
    for i in range(N):
        case = usable[i % len(usable)]
        columns = dict(case.columns)
        street = f"{i % 997 + 1} {STREETS[i % len(STREETS)]}"
        if columns:
            rows.append((case.text, columns, " | ".join([case.text, *columns.values()])))
        else:
            rows.append((f"{street}, {case.text}", {}, case.text))
    return rows


def _time(label: str, run: object) -> float:
    assert callable(run)
    best = min(_once(run) for _ in range(REPEAT))
    print(f"{label}: {N / best:,.0f} rows/s ({best * 1e6 / N:.1f} us/row, best of {REPEAT})")
    return N / best


def _once(run: object) -> float:
    assert callable(run)
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def speed() -> None:
    started = time.perf_counter()
    legacy_index()
    communes_by_key()
    print(f"indexes built once per process in {time.perf_counter() - started:.2f} s")
    rows = _rows()
    table = {}
    for text, columns, units in rows:
        if units not in table:
            found = address_resolve(text, **columns)
            table[units] = (found.ward_code, found.province_code)

    def resolver() -> None:
        for text, columns, _units in rows:
            address_resolve(text, **columns)

    def plain_dict() -> None:
        for text, columns, _units in rows:
            key = " | ".join([text, *columns.values()]) if columns else text.partition(", ")[2]
            table[key]

    resolved = _time("address_resolve", resolver)
    baseline = _time("plain dict lookup of the same unit texts", plain_dict)
    print(f"ratio: address_resolve is {baseline / resolved:.1f}x slower than the dict lookup")


def accuracy() -> None:
    outcomes = Counter(judge(case) for case in CASES)
    print(f"corpus: {len(CASES)} addresses")
    for outcome in (CORRECT, SAFE_CANDIDATES, SAFE_REFUSED, WRONG):
        print(f"  {outcome}: {outcomes[outcome]}")
    for case in CASES:
        if judge(case) != CORRECT:
            print(f"  - {judge(case)}: {case.text!r} {dict(case.columns) or ''}".rstrip())


_VAU_SCRIPT = """
import json, sys
import vietnamadminunits.parser.utils as utils
utils.geolocator.geocode = lambda *args, **kwargs: None  # no address leaves the machine
from vietnamadminunits import convert_address, parse_address
out = []
for text, columns in json.load(sys.stdin):
    units = [columns[k] for k in ("commune", "district", "province") if k in columns]
    full = ", ".join([text] + units)
    full = full.strip(", ")
    try:
        unit = convert_address(full)
        if not unit.ward:
            raise ValueError("no commune")
        out.append([unit.ward, unit.province])
    except Exception:
        try:
            unit = parse_address(full)
            out.append([unit.ward, unit.province] if unit.ward else None)
        except Exception:
            out.append(None)
print(json.dumps(out, ensure_ascii=False))
"""


def _vau_judge(case: Case, answer: list[str] | None) -> str:
    if answer is None:
        return SAFE_REFUSED if case.expect == "resolved" else CORRECT
    codes = ward_code(" ".join(answer[0].split()), None)
    if case.expect != "resolved":
        return WRONG  # one answer where the merger leaves several communes, or none
    return CORRECT if codes & ward_code(case.wards[0], case.province) else WRONG


def compare_vietnamadminunits(python: str) -> None:
    payload = json.dumps([[case.text, dict(case.columns)] for case in CASES])
    done = subprocess.run(
        [python, "-c", _VAU_SCRIPT], input=payload, capture_output=True, text=True, check=True
    )
    answers = json.loads(done.stdout)
    judged = [
        (case, answer, _vau_judge(case, answer))
        for case, answer in zip(CASES, answers, strict=True)
    ]
    outcomes = Counter(outcome for _case, _answer, outcome in judged)
    print(f"vietnamadminunits on the same corpus ({python}):")
    for outcome in (CORRECT, SAFE_CANDIDATES, SAFE_REFUSED, WRONG):
        print(f"  {outcome}: {outcomes[outcome]}")
    for case, answer, outcome in judged:
        if outcome == WRONG:
            print(f"  - wrong: {case.text!r} -> {answer[0] if answer else None}")
    started = time.perf_counter()
    sample = [[case.text, dict(case.columns)] for case in CASES]
    subprocess.run(
        [python, "-c", _VAU_SCRIPT],
        input=json.dumps(sample * 10),
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    print(f"  speed: {len(sample) * 10 / elapsed:,.0f} rows/s (incl. start-up)")


if __name__ == "__main__":
    speed()
    accuracy()
    if os.environ.get("VAU_PYTHON"):
        compare_vietnamadminunits(os.environ["VAU_PYTHON"])
