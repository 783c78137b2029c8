"""Fixtures for the policy-version tests."""

from __future__ import annotations

import pytest

from logitrack.accounts.models import User
from logitrack.privacy.policies.models import PolicyVersion
from logitrack.privacy.policies.tests.helpers import ensure_version_1, make_officer


@pytest.fixture
def version_1(db: None) -> PolicyVersion:
    return ensure_version_1()


@pytest.fixture
def officer(db: None) -> User:
    return make_officer()
