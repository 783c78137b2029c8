"""The device summary kept with a session (browser and system, nothing finer) and the key hash
of a request whose session has no key yet."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory

from logitrack.accounts.sessions import current_key_hash, hash_session_key, summarise_user_agent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox / Linux",
        ),
        ("Firefox/128.0", "Firefox"),  # a browser, no system named
        ("Mozilla/5.0 (X11; Linux x86_64)", "Linux"),  # a system, no browser named
        ("curl/8.5.0", ""),  # neither
        ("", ""),
        (None, ""),
    ],
)
def test_a_session_is_summarised_by_what_is_known_of_browser_and_system(
    user_agent: str | None, summary: str
) -> None:
    assert summarise_user_agent(user_agent) == summary


def test_a_session_without_a_key_has_no_key_hash_and_a_saved_one_has_its_own() -> None:
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()

    assert current_key_hash(request) is None
    request.session.save()
    key = request.session.session_key
    assert key is not None
    assert current_key_hash(request) == hash_session_key(key)
