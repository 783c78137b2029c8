"""Test helpers shared by every app's tests."""

from __future__ import annotations

from typing import Any

from django.test import Client


class HttpsClient(Client):
    """Django's test client, speaking HTTPS on every request as real Logitrack clients do."""

    def generic(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)
