"""``logitrack audit verify``: recompute the audit chain and name the first broken entry.

Exit status 0 when every entry is intact, 1 otherwise. Entries are streamed in batches, so a long
chain needs no more memory than a short one; a progress bar goes to stderr when the chain is
longer than one batch. Subcommands leave room for ``audit export``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Generator, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from logitrack.security.chain import (
    GENESIS_HEAD,
    ChainHead,
    ChainProblem,
    EntryRow,
    ProblemKind,
    verify_chain,
)
from logitrack.security.models import CHAIN_HEAD_PK, AuditChainHead, AuditEntry

DEFAULT_BATCH_SIZE = 2000
BAR_WIDTH = 30
ROW_FIELDS = (
    "id",
    "sequence",
    "created_at",
    "actor_kind",
    "actor_pseudonym",
    "tenant_id",
    "action",
    "object_type",
    "object_id",
    "ip",
    "user_agent",
    "request_id",
    "details",
    "previous_hash",
    "entry_hash",
)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Work with the audit chain. 'verify' recomputes every hash and link."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        verify = subcommands.add_parser(
            "verify", help="Recompute the chain; exit 1 and name the first broken entry."
        )
        verify.add_argument(
            "--batch-size",
            type=_positive,
            default=DEFAULT_BATCH_SIZE,
            help="Entries read from the database at a time.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(batch_size=options["batch_size"])

    def verify(self, *, batch_size: int) -> None:
        # The head is read first and only entries up to it are checked: entries appended while
        # the check runs are not mistaken for a mismatch.
        head_row = (
            AuditChainHead.objects.filter(pk=CHAIN_HEAD_PK)
            .values_list("sequence", "entry_hash")
            .first()
        )
        entries = AuditEntry.objects.order_by("sequence")
        if head_row is None:
            head = GENESIS_HEAD  # any entry without a head is then reported
        else:
            head = ChainHead(sequence=head_row[0], entry_hash=head_row[1])
            entries = entries.filter(sequence__lte=head.sequence)
        total = entries.count()
        show_progress = total > batch_size
        rows = _stream(entries.values_list(*ROW_FIELDS).iterator(chunk_size=batch_size))
        try:
            result = verify_chain(
                rows,
                head=head,
                on_progress=(lambda done: self._progress(done, total)) if show_progress else None,
                progress_every=batch_size,
            )
        finally:
            # Verification stops at the first break; close the database cursor now, inside
            # this transaction, not whenever the garbage collector gets to it.
            rows.close()
        if show_progress:
            self._progress(result.checked, total)
            self.stderr.write("")
        if result.problem is None:
            self.stdout.write(
                _("Audit chain intact. Entries checked: %(count)d.") % {"count": result.checked}
            )
            return
        self.stdout.write(
            _("Entries checked before the first break: %(count)d.") % {"count": result.checked}
        )
        raise CommandError(describe_problem(result.problem), returncode=1)

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total}", style_func=lambda text: text, ending="")
        self.stderr.flush()


def _stream(rows: Iterator[tuple[Any, ...]]) -> Generator[EntryRow, None, None]:
    try:
        for values in rows:
            yield EntryRow(**dict(zip(ROW_FIELDS, values, strict=True)))
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def describe_problem(problem: ChainProblem) -> str:
    """The operator's one-line account of the first break in the chain."""
    where = {"sequence": problem.sequence, "id": problem.entry_id}
    if problem.kind == ProblemKind.HASH_MISMATCH:
        return (
            _(
                "Audit chain broken at entry %(sequence)d (id %(id)s): its hash no longer "
                "matches its contents."
            )
            % where
        )
    if problem.kind == ProblemKind.BROKEN_LINK:
        return (
            _(
                "Audit chain broken at entry %(sequence)d (id %(id)s): its previous-hash link "
                "does not match the entry before it."
            )
            % where
        )
    if problem.kind == ProblemKind.SEQUENCE_GAP:
        return _(
            "Audit chain broken at entry %(sequence)d (id %(id)s): sequence gap, expected "
            "entry %(expected)s first."
        ) % {**where, "expected": problem.expected}
    return _(
        "Audit chain broken at its end: the chain head records entry %(sequence)d, but the last "
        "entry found is %(found)s; entries were removed from the end or the head was altered."
    ) % {"sequence": problem.sequence, "found": problem.found.partition(":")[0]}
