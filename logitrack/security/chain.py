"""The hash chain itself, as pure functions: canonical form, entry hash and verification.

Nothing here touches the database, so the rules can be tested on plain rows and the verifier can
be fed from any source (the live table, a backup, an export).

Each entry's hash is ``SHA-256(previous_hash || canonical_entry)`` where ``previous_hash`` is the
64 hex digits of the previous entry's hash (``GENESIS_HASH`` for the first) and
``canonical_entry`` is the entry's fields as JSON with sorted keys, no whitespace, ASCII only and
times as ISO-8601 UTC with microseconds. Changing any field, removing an entry or reordering
entries therefore changes every later hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class EntryRow:
    """One audit entry as stored: the hashed fields, its two hashes and its row id."""

    sequence: int
    created_at: dt.datetime
    actor_kind: str
    actor_pseudonym: str
    tenant_id: int | None
    action: str
    object_type: str
    object_id: str
    ip: str
    user_agent: str
    request_id: str
    details: Mapping[str, object]
    previous_hash: str = GENESIS_HASH
    entry_hash: str = ""
    id: int | None = None


@dataclass(frozen=True)
class ChainHead:
    """The last link as the chain-head row records it."""

    sequence: int
    entry_hash: str


GENESIS_HEAD = ChainHead(sequence=0, entry_hash=GENESIS_HASH)


class ProblemKind(StrEnum):
    SEQUENCE_GAP = "sequence_gap"  # an entry is missing before this one
    BROKEN_LINK = "broken_link"  # previous_hash is not the hash of the entry before
    HASH_MISMATCH = "hash_mismatch"  # the entry's fields no longer give its stored hash
    HEAD_MISMATCH = "head_mismatch"  # entries after the last one found were removed


@dataclass(frozen=True)
class ChainProblem:
    kind: ProblemKind
    sequence: int
    entry_id: int | None
    expected: str
    found: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def format_time(value: dt.datetime) -> str:
    """ISO-8601 in UTC with microseconds, e.g. ``2026-01-02T03:04:05.000006Z``."""
    if value.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_entry(row: EntryRow) -> bytes:
    """The deterministic serialisation that is hashed: every recorded field, no hashes, no id."""
    document = {
        "action": row.action,
        "actor_kind": row.actor_kind,
        "actor_pseudonym": row.actor_pseudonym,
        "created_at": format_time(row.created_at),
        "details": row.details,
        "ip": row.ip,
        "object_id": row.object_id,
        "object_type": row.object_type,
        "request_id": row.request_id,
        "sequence": row.sequence,
        "tenant_id": row.tenant_id,
        "user_agent": row.user_agent,
    }
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


def compute_hash(previous_hash: str, row: EntryRow) -> str:
    return hashlib.sha256(previous_hash.encode("ascii") + canonical_entry(row)).hexdigest()


def verify_chain(
    rows: Iterable[EntryRow],
    *,
    head: ChainHead | None = None,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> VerifyResult:
    """Walk ``rows`` (in sequence order) and report the first broken link, if any.

    Checks per entry, in this order: its sequence follows the previous one without a gap (the
    first is 1), its ``previous_hash`` equals the previous entry's stored hash, and recomputing
    its hash from its fields gives the stored one. With ``head``, the last entry must also be the
    one the head records, which catches entries removed from the end. Reads ``rows`` once, so a
    streaming iterator keeps memory flat.
    """
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for row in rows:
        problem = _check_row(row, expected_sequence, previous_hash)
        if problem is not None:
            return VerifyResult(checked=checked, problem=problem)
        checked += 1
        expected_sequence = row.sequence + 1
        previous_hash = row.entry_hash
        if on_progress is not None and checked % progress_every == 0:
            on_progress(checked)
    last_sequence = expected_sequence - 1
    if head is not None and (head.sequence, head.entry_hash) != (last_sequence, previous_hash):
        problem = ChainProblem(
            kind=ProblemKind.HEAD_MISMATCH,
            sequence=head.sequence,
            entry_id=None,
            expected=f"{head.sequence}:{head.entry_hash}",
            found=f"{last_sequence}:{previous_hash}",
        )
        return VerifyResult(checked=checked, problem=problem)
    return VerifyResult(checked=checked, problem=None)


def _check_row(row: EntryRow, expected_sequence: int, previous_hash: str) -> ChainProblem | None:
    if row.sequence != expected_sequence:
        return ChainProblem(
            ProblemKind.SEQUENCE_GAP,
            row.sequence,
            row.id,
            str(expected_sequence),
            str(row.sequence),
        )
    if row.previous_hash != previous_hash:
        return ChainProblem(
            ProblemKind.BROKEN_LINK, row.sequence, row.id, previous_hash, row.previous_hash
        )
    recomputed = compute_hash(row.previous_hash, row)
    if recomputed != row.entry_hash:
        return ChainProblem(
            ProblemKind.HASH_MISMATCH, row.sequence, row.id, recomputed, row.entry_hash
        )
    return None
