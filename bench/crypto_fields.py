"""What field encryption costs: N people saved and loaded with an encrypted phone and date of
birth, side by side with the same table holding them in plain columns.

Runs on a throw-away SQLite database (``config.settings.test``, a temporary DATA_DIR). Each person
owns a key (so erasing one shreds only theirs): saving a new person also writes and links a key,
loading a page of people unwraps one key per person, with one query when the page prefetches
them (``prefetch_data_keys``) and one per person when it does not. Prints the times and ratios.

    .venv/bin/python bench/crypto_fields.py [N]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
LOOKUPS = 200
REPEAT = 3


def _setup() -> None:
    data = Path(tempfile.mkdtemp(prefix="logitrack-bench-crypto-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["LOGITRACK_DATA_DIR"] = str(data)
    os.environ["DATABASE_URL"] = f"sqlite:///{data / 'bench.sqlite3'}"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


_setup()

from django.db import connection, models, transaction  # noqa: E402

from logitrack.accounts.models import User  # noqa: E402
from logitrack.core.crypto.api import prefetch_data_keys  # noqa: E402
from logitrack.core.crypto.fields import BlindIndexField, EncryptedField  # noqa: E402
from logitrack.core.crypto.store import forget_cached_keys  # noqa: E402


def _plain_twin() -> type[models.Model]:
    """The user table with plain ``phone`` (indexed) and ``date_of_birth`` columns."""
    attrs: dict[str, Any] = {"__module__": __name__}
    for field in User._meta.local_fields:
        if field.primary_key or isinstance(field, BlindIndexField):
            continue
        if field.name == "phone":
            attrs["phone"] = models.CharField(max_length=16, blank=True, db_index=True)
        elif field.name == "date_of_birth":
            attrs["date_of_birth"] = models.DateField(null=True, blank=True)
        else:
            assert not isinstance(field, EncryptedField)
            _name, _path, args, kwargs = field.deconstruct()
            attrs[field.name] = type(field)(*args, **kwargs)
    attrs["Meta"] = type("Meta", (), {"app_label": "core", "db_table": "bench_plain_user"})
    model: type[models.Model] = type("BenchPlainUser", (models.Model,), attrs)
    with connection.schema_editor() as editor:
        editor.create_model(model)
    return model


Plain = _plain_twin()


def _phone(n: int) -> str:
    return f"+849{n:08d}"


def _birth(n: int) -> dt.date:
    return dt.date(1960, 1, 1) + dt.timedelta(days=n * 7)


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _best(action: Callable[[], object], before: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(REPEAT):
        before()
        times.append(_timed(action))
    return min(times)


def _save_one(model: type[models.Model], n: int) -> None:
    model(
        email=f"p{n}@example.vn",
        full_name=f"Người {n}",
        password="!",  # noqa: S106 - an unusable password, as set_unusable_password sets
        phone=_phone(n),
        date_of_birth=_birth(n),
    ).save()


def save_people(model: type[models.Model]) -> None:
    with transaction.atomic():
        for n in range(N):
            _save_one(model, n)


def save_people_one_by_one(model: type[models.Model]) -> None:
    """As sign-ups arrive: each person in a transaction of its own (after the first N)."""
    for n in range(N, 2 * N):
        with transaction.atomic():
            _save_one(model, n)


def load_people(model: type[models.Model], *, prefetch: bool) -> None:
    people = list(model._default_manager.order_by("pk")[:N])
    if prefetch:
        prefetch_data_keys(people)
    for person in people:
        assert person.phone is not None  # type: ignore[attr-defined]
        assert person.date_of_birth is not None  # type: ignore[attr-defined]


def look_up(model: type[models.Model]) -> None:
    step = max(N // LOOKUPS, 1)
    for n in range(0, N, step):
        assert model._default_manager.filter(phone=_phone(n)).count() == 1


def main() -> None:
    forget_cached_keys()
    rows: list[tuple[str, float, float]] = []
    rows.append(
        (
            "save (insert, one transaction)",
            _timed(lambda: save_people(Plain)),
            _timed(lambda: save_people(User)),
        )
    )
    rows.append(
        (
            "save (insert, a transaction each)",
            _timed(lambda: save_people_one_by_one(Plain)),
            _timed(lambda: save_people_one_by_one(User)),
        )
    )
    plain_load = _best(lambda: load_people(Plain, prefetch=False))
    rows.append(
        (
            "load + read cold key cache, no prefetch",
            plain_load,
            _best(lambda: load_people(User, prefetch=False), forget_cached_keys),
        )
    )
    rows.append(
        (
            "load + read cold key cache, prefetch",
            plain_load,
            _best(lambda: load_people(User, prefetch=True), forget_cached_keys),
        )
    )
    rows.append(
        (
            "load + read warm key cache",
            plain_load,
            _best(lambda: load_people(User, prefetch=False)),
        )
    )
    rows.append(
        (
            f"{LOOKUPS} exact-match lookups by phone",
            _best(lambda: look_up(Plain)),
            _best(lambda: look_up(User)),
        )
    )

    print(f"Field encryption, N={N} people (phone + date of birth), SQLite; loads best of {REPEAT}")
    print(f"{'operation':<44} {'plain s':>9} {'encrypted s':>12} {'ratio':>7}")
    for label, plain, sealed in rows:
        print(f"{label:<44} {plain:>9.3f} {sealed:>12.3f} {sealed / plain:>6.2f}x")


if __name__ == "__main__":
    main()
