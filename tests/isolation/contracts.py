"""The isolation contract of every non-public route. Add one entry per route (and method)."""

from __future__ import annotations

import logitrack.accounts.tests.contracts
import logitrack.tenancy.tests.contracts
import logitrack.tracking.tests.contracts  # noqa: F401
