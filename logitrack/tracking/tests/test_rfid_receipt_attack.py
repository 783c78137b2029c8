"""RFID batch receipts under attack: concurrent copies of one body, and a resend whose reads
were refused as future the first time."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection

from logitrack.tracking.models import ReadBatch, TagObservation
from logitrack.tracking.rfid.ingest import accept_zebra
from logitrack.tracking.services.devices import CreatedDevice
from logitrack.tracking.tests.test_rfid_ingest import SGTIN, SSCC, event, fresh_gate, reader  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel writers need PostgreSQL's row locks; SQLite admits one writer, and resends "
    "one after the other are covered on both databases in test_rfid_ingest",
)
def test_concurrent_copies_of_one_body_are_applied_once(reader: CreatedDevice) -> None:  # noqa: F811
    body = json.dumps([event(0, reads=3), event(500, epc=SSCC)]).encode()
    answers: list[tuple[int, dict[str, Any]]] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        try:
            barrier.wait()
            answers.append(accept_zebra(reader.token, body, "127.0.0.1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(a["duplicate"] for _s, a in answers) == [False] + [True] * 7, answers
    assert {s for s, _a in answers} == {200}
    counts = sorted(TagObservation.dangerously_unscoped.values_list("epc_hex", "read_count"))
    assert counts == sorted([(SGTIN, 3), (SSCC, 1)])
    assert ReadBatch.dangerously_unscoped.count() == 1


def test_a_resend_of_a_body_whose_read_was_refused_as_future_is_not_answered_stored(
    reader: CreatedDevice,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The receipt is the body's digest, but what was applied depends on ``now`` (reads more
    than LOGITRACK_INGEST_MAX_FUTURE_S ahead are refused): the same bytes sent 15 minutes later
    are answered "duplicate" although one of their reads was never stored, and the answer's
    accepted/refused are not "as the first time" (module docstring of rfid.ingest)."""
    import datetime as dt

    from django.utils import timezone

    from logitrack.tracking.tests.test_rfid_ingest import BASE

    clock = [BASE + dt.timedelta(seconds=1)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    body = json.dumps([event(0), event(11 * 60 * 1000, epc=SSCC)]).encode()

    first = accept_zebra(reader.token, body, "127.0.0.1")
    clock[0] = BASE + dt.timedelta(minutes=15)  # the reader's clock was ahead; it resends
    again = accept_zebra(reader.token, body, "127.0.0.1")

    assert (first[1]["accepted"], first[1]["refused"]) == (1, 1)
    stored = sorted(TagObservation.dangerously_unscoped.values_list("epc_hex", flat=True))
    # Either the resend is applied (SSCC stored) or it is answered exactly as the first time.
    assert stored == sorted([SGTIN, SSCC]) or again[1] == {
        **first[1],
        "observations_new": 0,
        "duplicate": True,
    }, (again, stored)
