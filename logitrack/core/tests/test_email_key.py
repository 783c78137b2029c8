"""A counter's key and the form agree on every input: what signs in as an account is counted
as that account (core.identity.email_key, core.forms.EmailTextField)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from logitrack.core.forms import EmailTextField
from logitrack.core.identity import email_key

_EDGES = st.text(
    alphabet=st.sampled_from(
        [" ", "\t", "\n", "\u00a0", "\u1680", "\u2000", "\u2028", "\u2029", "\u3000", "\u200b"]
    ),
    max_size=4,
)
_ADDRESSES = st.sampled_from(
    ["lan@example.vn", "LAN@EXAMPLE.VN", "lan@côngty.vn", "lan@xn--cngty-6ta.vn", "la\u017fn@x.vn"]
)


@settings(max_examples=200, deadline=None)
@given(before=_EDGES, address=_ADDRESSES, after=_EDGES)
def test_whatever_the_form_accepts_is_keyed_as_the_address_it_cleans_to(
    before: str, address: str, after: str
) -> None:
    typed = before + address + after
    try:
        cleaned = EmailTextField().clean(typed)
    except ValidationError:
        return  # refused by the form: it signs in as nobody
    assert email_key(typed) == cleaned


@pytest.mark.parametrize("edge", ["\u2028", "\u2029", "\u1680", "\u3000", "\u00a0"])
def test_a_unicode_space_at_either_end_is_the_same_address(edge: str) -> None:
    assert email_key(edge + "Lan@Example.vn" + edge) == "lan@example.vn"
