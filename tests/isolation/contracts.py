"""The isolation contract of every non-public route. Add one entry per route (and method)."""

from __future__ import annotations

import logitrack.accounts.tests.contracts
import logitrack.addresses.tests.contracts
import logitrack.documents.tests.contracts
import logitrack.imports.tests.contracts
import logitrack.logistics.labels.tests.contracts
import logitrack.logistics.tests.contracts
import logitrack.logistics.tests.contracts_pages
import logitrack.notifications.tests.contracts
import logitrack.privacy.breaches.tests.contracts
import logitrack.privacy.consent.tests.contracts
import logitrack.privacy.erasure.tests.contracts
import logitrack.privacy.policies.tests.contracts
import logitrack.tenancy.tests.contracts
import logitrack.tracking.tests.contracts  # noqa: F401
