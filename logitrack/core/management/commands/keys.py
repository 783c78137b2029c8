"""``logitrack keys <action>``: the field-encryption key lifecycle (docs/adr/0005).

    logitrack keys status
    logitrack keys rotate (--tenant ID | --user ID | --all) [--batch-size N]
    logitrack keys rewrap [--batch-size N]
    logitrack keys destroy (--tenant ID | --user ID) [--yes]
    logitrack keys new-master-key

``rotate`` gives data keys a new version (wrapped under the newest master key) and re-encrypts the
owner's values in batches, with a progress bar on standard error; ``--all`` also re-wraps every
other key under the newest master key. ``rewrap`` only re-wraps, for replacing a master key.
``destroy`` crypto-shreds a terminated tenant's or a deactivated person's data and asks for the
id again unless ``--yes``. ``new-master-key`` prints a keyring entry to add to the configuration.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils.translation import gettext as _

from logitrack.core.crypto import services
from logitrack.core.crypto.errors import CryptoError
from logitrack.core.crypto.keyring import new_entry
from logitrack.core.crypto.models import KeyState, OwnerKind
from logitrack.core.crypto.store import KeyOwner
from logitrack.security.actors import Actor

BAR_WIDTH = 30


class ProgressBar:
    """A one-line progress bar, redrawn only when the shown percentage changes."""

    def __init__(self, stream: OutputWrapper, label: str, total: int) -> None:
        self.stream = stream
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self._shown = -1
        self._draw()

    def advance(self, count: int) -> None:
        self.done = min(self.done + count, self.total) if self.total else self.done + count
        self._draw()

    def _draw(self) -> None:
        percent = 100 if self.total == 0 else self.done * 100 // self.total
        if percent == self._shown:
            return
        self._shown = percent
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {percent:3d}% {self.done}/{self.total}", ending=""
        )
        self.stream.flush()

    def close(self) -> None:
        self.done = self.total
        self._draw()
        self.stream.write("", ending="\n")
        self.stream.flush()


def _owner_arguments(parser: ArgumentParser, *, allow_all: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--tenant", type=int, metavar="ID", help=_("The tenant's id."))
    group.add_argument("--user", type=int, metavar="ID", help=_("The person's (user's) id."))
    if allow_all:
        group.add_argument(
            "--all", action="store_true", help=_("Every tenant and every person with a key.")
        )


class Command(BaseCommand):
    actor = Actor.system("keys")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = _("Field encryption keys: status, rotation and destruction.")
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("status", help=_("Count keys by owner, state and master key."))
        rotate = actions.add_parser(
            "rotate", help=_("Give data keys a new version and re-encrypt their values.")
        )
        _owner_arguments(rotate, allow_all=True)
        rotate.add_argument("--batch-size", type=int, default=services.DEFAULT_BATCH)
        rewrap = actions.add_parser(
            "rewrap", help=_("Re-wrap every data key under the newest master key.")
        )
        rewrap.add_argument("--batch-size", type=int, default=services.DEFAULT_BATCH)
        destroy = actions.add_parser(
            "destroy", help=_("Destroy a key: its values can never be read again.")
        )
        _owner_arguments(destroy, allow_all=False)
        destroy.add_argument("--yes", action="store_true", help=_("Do not ask for confirmation."))
        actions.add_parser(
            "new-master-key", help=_("Print a new master keyring entry (id:base64).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "status":
                self.status()
            elif action == "rotate":
                self.rotate(options)
            elif action == "rewrap":
                self.rewrap(options["batch_size"])
            elif action == "destroy":
                self.destroy(options)
            elif action == "new-master-key":
                self.stdout.write(new_entry())
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc

    @staticmethod
    def _owner(options: dict[str, Any]) -> KeyOwner:
        if options.get("tenant") is not None:
            return KeyOwner(OwnerKind.TENANT, str(options["tenant"]))
        return KeyOwner(OwnerKind.USER, str(options["user"]))

    def status(self) -> None:
        status = services.key_status()
        self.stdout.write(
            _("Master keys (oldest first): %(ids)s; current: %(current)s")
            % {"ids": ", ".join(status.master_key_ids), "current": status.current_master_key_id}
        )
        for (kind, state), count in sorted(status.by_kind_and_state.items()):
            self.stdout.write(
                _("%(kind)s keys, %(state)s: %(count)d")
                % {
                    "kind": OwnerKind(kind).label,
                    "state": str(KeyState(state).label).lower(),
                    "count": count,
                }
            )
        for master_id, count in sorted(status.by_master_key.items()):
            self.stdout.write(
                _("Wrapped under master key %(id)s: %(count)d") % {"id": master_id, "count": count}
            )
        stale = sum(n for m, n in status.by_master_key.items() if m != status.current_master_key_id)
        if stale:
            self.stdout.write(
                _("%(count)d keys are wrapped under an older master key: run 'keys rewrap'.")
                % {"count": stale}
            )
        if status.pending:
            self.stdout.write(
                _("%(count)d key rings were never linked to their row (an interrupted save).")
                % {"count": status.pending}
            )

    def rotate(self, options: dict[str, Any]) -> None:
        batch_size: int = options["batch_size"]
        everyone = bool(options["all"])
        owners = list(services.active_owners()) if everyone else [self._owner(options)]
        total = sum(services.count_values(owner) for owner in owners)
        bar = ProgressBar(self.stderr, _("Re-encrypting"), total)
        resealed = unreadable = 0
        try:
            for owner in owners:
                result = services.data_keys_rotate(
                    actor=self.actor, owner=owner, batch_size=batch_size, progress=bar.advance
                )
                resealed += result.resealed
                unreadable += result.unreadable
        finally:
            bar.close()
        self.stdout.write(
            _("Rotated %(keys)d keys; re-encrypted %(rows)d rows.")
            % {"keys": len(owners), "rows": resealed}
        )
        if unreadable:
            self.stderr.write(
                _("%(count)d values could not be read and were left as they are.")
                % {"count": unreadable}
            )
        if everyone:
            self.rewrap(batch_size)

    def rewrap(self, batch_size: int) -> None:
        bar = ProgressBar(self.stderr, _("Re-wrapping"), _stale_count())
        try:
            count = services.data_keys_rewrap(
                actor=self.actor, batch_size=batch_size, progress=bar.advance
            )
        finally:
            bar.close()
        self.stdout.write(
            _("Re-wrapped %(count)d keys under the newest master key.") % {"count": count}
        )

    def destroy(self, options: dict[str, Any]) -> None:
        owner = self._owner(options)
        assert owner.id is not None
        if not options["yes"]:
            answer = input(
                _(
                    "Destroying the key of %(owner)s makes its encrypted data unreadable for "
                    "good. Type the id (%(id)s) to confirm: "
                )
                % {"owner": owner, "id": owner.id}
            )
            if answer.strip() != owner.id:
                raise CommandError(_("Not confirmed; nothing was destroyed."))
        if owner.kind == OwnerKind.TENANT:
            count = services.tenant_keys_destroy(actor=self.actor, tenant_id=int(owner.id))
        else:
            count = services.user_keys_destroy(actor=self.actor, user_id=int(owner.id))
        self.stdout.write(
            _("Destroyed %(count)d key versions of %(owner)s.") % {"count": count, "owner": owner}
        )


def _stale_count() -> int:
    from logitrack.core.crypto.keyring import master_keyring
    from logitrack.core.crypto.models import DataKey

    return DataKey.objects.exclude(master_key_id__in=["", master_keyring().current.id]).count()
