"""The hash chain as pure functions: no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest

from logitrack.security.chain import (
    GENESIS_HASH,
    GENESIS_HEAD,
    ChainHead,
    ChainProblem,
    ProblemKind,
    canonical_entry,
    compute_hash,
    format_time,
    verify_chain,
)
from logitrack.security.tests.helpers import build_rows


def test_canonical_entry_is_sorted_compact_ascii_json_with_utc_microseconds() -> None:
    # given an entry stamped in Vietnam's time zone, with non-ASCII details
    row = dataclasses.replace(
        build_rows(1)[0],
        created_at=dt.datetime(2026, 3, 1, 15, 30, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        details={"zone": "Hà Nội", "count": 2},
    )

    # when it is serialised
    text = canonical_entry(row)

    # then keys are sorted, separators compact, the time UTC with microseconds, ASCII only
    assert text == (
        b'{"action":"sys_monitor_enabled","actor_kind":"system","actor_pseudonym":"'
        + b"ab" * 32
        + b'","created_at":"2026-03-01T08:30:00.000005Z",'
        b'"details":{"count":2,"zone":"H\\u00e0 N\\u1ed9i"},"ip":"192.0.2.1","object_id":"1",'
        b'"object_type":"probe","request_id":"","sequence":1,"tenant_id":7,'
        b'"user_agent":"probe/1.0"}'
    )


def test_entry_hash_is_sha256_of_previous_hash_then_canonical_entry() -> None:
    row = build_rows(1)[0]

    digest = compute_hash(GENESIS_HASH, row)

    assert digest == hashlib.sha256(("0" * 64).encode() + canonical_entry(row)).hexdigest()
    assert row.entry_hash == digest


def test_format_time_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(dt.datetime(2026, 3, 1, 8, 30))  # noqa: DTZ001


def test_intact_chain_verifies_with_every_entry_checked() -> None:
    rows = build_rows(5)

    result = verify_chain(rows, head=ChainHead(sequence=5, entry_hash=rows[-1].entry_hash))

    assert result.ok
    assert result.checked == 5


def test_empty_chain_verifies_against_the_genesis_head() -> None:
    result = verify_chain([], head=GENESIS_HEAD)

    assert result.ok
    assert result.checked == 0


def test_altered_details_are_reported_as_hash_mismatch_at_that_entry() -> None:
    # given a chain whose third entry's details were changed after the fact
    rows = build_rows(5)
    rows[2] = dataclasses.replace(rows[2], details={"round": 99})

    # when it is verified
    result = verify_chain(rows)

    # then the third entry is named, with the hash it should have had
    assert result.checked == 2
    assert result.problem == ChainProblem(
        kind=ProblemKind.HASH_MISMATCH,
        sequence=3,
        entry_id=103,
        expected=compute_hash(rows[1].entry_hash, rows[2]),
        found=build_rows(5)[2].entry_hash,
    )


def test_altered_and_rehashed_entry_is_reported_as_broken_link_at_the_next_entry() -> None:
    # given an attacker who changed entry 3 and recomputed its hash, but not the later ones
    rows = build_rows(5)
    altered = dataclasses.replace(rows[2], actor_pseudonym="cd" * 32)
    rows[2] = dataclasses.replace(altered, entry_hash=compute_hash(altered.previous_hash, altered))

    result = verify_chain(rows)

    assert result.checked == 3
    assert result.problem is not None
    assert (result.problem.kind, result.problem.sequence, result.problem.entry_id) == (
        ProblemKind.BROKEN_LINK,
        4,
        104,
    )


def test_removed_entry_is_reported_as_sequence_gap() -> None:
    rows = build_rows(5)
    del rows[1]

    result = verify_chain(rows)

    assert result.checked == 1
    assert result.problem == ChainProblem(ProblemKind.SEQUENCE_GAP, 3, 103, "2", "3")


def test_removed_first_entry_is_reported_as_sequence_gap_at_the_new_first() -> None:
    rows = build_rows(3)[1:]

    result = verify_chain(rows)

    assert result.problem == ChainProblem(ProblemKind.SEQUENCE_GAP, 2, 102, "1", "2")


def test_entries_removed_from_the_end_are_reported_against_the_head() -> None:
    # given a head recording five entries, of which only four remain
    rows = build_rows(5)
    head = ChainHead(sequence=5, entry_hash=rows[-1].entry_hash)

    result = verify_chain(rows[:4], head=head)

    assert result.checked == 4
    assert result.problem == ChainProblem(
        kind=ProblemKind.HEAD_MISMATCH,
        sequence=5,
        entry_id=None,
        expected=f"5:{rows[4].entry_hash}",
        found=f"4:{rows[3].entry_hash}",
    )


def test_progress_is_reported_every_batch() -> None:
    seen: list[int] = []

    verify_chain(build_rows(5), on_progress=seen.append, progress_every=2)

    assert seen == [2, 4]
