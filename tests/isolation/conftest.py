"""Summarise the isolation matrix at the end of the run: requests made and leaks found."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.isolation.test_isolation_contract import RESULTS

    if not RESULTS:
        return
    routes = {outcome.route for outcome in RESULTS}
    leaks = [outcome for outcome in RESULTS if outcome.leaked]
    failures = [outcome for outcome in RESULTS if not outcome.ok]
    terminalreporter.write_line(
        f"isolation matrix: {len(routes)} routes, {len(RESULTS)} requests "
        f"(7 account levels and 5 API-key principals x own/peer/other/missing, plus anonymous); "
        f"leaks: {len(leaks)}; unexpected answers: {len(failures)}"
    )
