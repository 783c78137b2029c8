"""pytest plugin for ``make mutation``: build the test database once, let every mutant inherit it.

mutmut runs the tests of each mutant in a child forked from its main process, and each child
starts a fresh pytest session. Without this plugin every session creates the in-memory SQLite
test database again and migrates every app (about 0.7 s of CPU, more than most mutants' tests
take). With it, the first session of the main process (mutmut's stats run) creates the database
and no session tears it down, so each forked child starts with its own copy-on-write copy of
that migrated database, isolated from its siblings. The tests' own isolation is unchanged:
pytest-django still wraps each test in a transaction that is rolled back, and flushes after
``transaction=True`` tests.

Loaded only by mutmut (``pytest_add_cli_args`` in ``[tool.mutmut]``); a test run of the suite
never sees it.
"""

from __future__ import annotations

from typing import Any

import django.test.utils

_setup_databases = django.test.utils.setup_databases
_created: list[Any] = []


def _setup_databases_once(*args: Any, **kwargs: Any) -> Any:
    """``setup_databases`` on the first call in this process; the same configuration after."""
    if not _created:
        _created.append(_setup_databases(*args, **kwargs))
    return _created[0]


def _keep_databases(*args: Any, **kwargs: Any) -> None:
    """The databases outlive each session: forked children inherit them."""


# pytest-django's django_db_setup imports both names from django.test.utils when it runs.
django.test.utils.setup_databases = _setup_databases_once
django.test.utils.teardown_databases = _keep_databases
