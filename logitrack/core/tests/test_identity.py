"""canonical_email: one spelling per address (NFKC, UTS #46 domain, case-folded local part)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from logitrack.core.forms import EmailTextField
from logitrack.core.identity import (
    canonical_email,
    canonical_email_or_none,
    validate_canonical_email,
)

FULLWIDTH = "\uff4c\uff41\uff4e\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff56\uff4e"
LONG_S = "\u017f"
DOTLESS_I = "\u0131"


def _code(value: str) -> str | None:
    with pytest.raises(ValidationError) as refused:
        canonical_email(value)
    return refused.value.code


@pytest.mark.parametrize(
    "spelling",
    [
        "lan@example.vn",
        "Lan@Example.VN",
        "  LAN@EXAMPLE.VN\n",
        FULLWIDTH,
        "lan@example\u3002vn",  # ideographic full stop
        "lan@example\uff61vn",  # halfwidth ideographic full stop
        "lan@example\uff0evn",  # fullwidth full stop
        "lan\uff20example.vn",  # fullwidth commercial at
    ],
)
def test_every_spelling_of_one_address_has_one_canonical_form(spelling: str) -> None:
    assert canonical_email(spelling) == "lan@example.vn"


def test_an_idn_domain_is_stored_in_u_labels_whatever_its_spelling() -> None:
    forms = {
        canonical_email("lan@côngty.vn"),
        canonical_email("LAN@CÔNGTY.VN"),
        canonical_email("lan@xn--cngty-6ta.vn"),
        canonical_email("lan@XN--CNGTY-6TA.VN"),
        canonical_email("lan@co\u0302ngty.vn"),  # decomposed ô
    }

    assert forms == {"lan@côngty.vn"}


def test_long_s_folds_to_s_so_it_names_the_same_address() -> None:
    assert canonical_email(f"minh.{LONG_S}ang@logi{LONG_S}tics.vn") == "minh.sang@logistics.vn"


def test_dotless_i_in_the_local_part_is_not_an_address() -> None:
    assert _code(f"m{DOTLESS_I}nh.sang@logistics.vn") == "email_invalid"


def test_dotless_i_in_the_domain_names_a_different_domain_not_the_i_one() -> None:
    assert (
        canonical_email(f"minh.sang@log{DOTLESS_I}stics.vn") == f"minh.sang@log{DOTLESS_I}stics.vn"
    )
    assert canonical_email(f"minh.sang@log{DOTLESS_I}stics.vn") != "minh.sang@logistics.vn"
    assert canonical_email(f"MINH.SANG@LOG{DOTLESS_I.upper()}STICS.VN") == "minh.sang@logistics.vn"


def test_dotted_capital_i_is_not_folded_to_plain_i() -> None:
    # U+0130 case-folds to "i" + U+0307 COMBINING DOT ABOVE, which is not ASCII.
    assert _code("M\u0130NH@logistics.vn") == "email_invalid"


@pytest.mark.parametrize(
    "value",
    [
        "lan\x00@example.vn",
        "lan@exam\x1bple.vn",
        "\u202elan@example.vn",
        "lan@example.vn\u2066",
        "la\u200bn@example.vn",
        "\ufefflan@example.vn",
        "lan\u200e@example.vn",
        "lan@exam\u2028ple.vn",
        "lan\ue000@example.vn",
    ],
)
def test_control_bidi_and_invisible_characters_are_refused(value: str) -> None:
    assert _code(value) == "email_forbidden_character"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "lan",
        "lan@@example.vn",
        "lan@ex@ample.vn",
        "@example.vn",
        '"lan nguyen"@example.vn',
        "lan nguyen@example.vn",
        ".lan@example.vn",
        "lan.@example.vn",
        "lan..nguyen@example.vn",
        "nguyễn@example.vn",
        "lan(comment)@example.vn",
    ],
)
def test_what_is_not_an_address_is_refused_as_invalid(value: str) -> None:
    assert _code(value) == "email_invalid"


@pytest.mark.parametrize(
    "value",
    [
        "lan@",
        "lan@localhost",
        "lan@192.168.1.1",
        "lan@[192.168.1.1]",
        "lan@example.vn.",
        "lan@exam_ple.vn",
        "lan@-example.vn",
        "lan@xn--abc.vn",
        "lan@example..vn",
    ],
)
def test_a_domain_that_is_not_a_mail_host_name_is_refused(value: str) -> None:
    assert _code(value) == "email_domain_invalid"


def test_the_rfc_5321_and_1035_lengths_are_the_limits() -> None:
    local = "a" * 64
    domain_189 = f"{'b' * 63}.{'c' * 63}.{'d' * 58}.vn"
    domain_254 = f"{'b' * 63}.{'c' * 63}.{'d' * 63}.{'e' * 61}.vn"

    assert canonical_email(f"{local}@example.vn") == f"{local}@example.vn"
    assert canonical_email(f"{local}@{domain_189}") == f"{local}@{domain_189}"  # 254 octets
    assert _code(f"{'a' * 65}@example.vn") == "email_too_long"
    assert _code(f"{local}@{domain_189}x") == "email_too_long"  # 255 octets
    assert _code(f"lan@{'b' * 64}.vn") == "email_domain_invalid"
    assert _code(f"lan@{domain_254}") == "email_domain_invalid"


def test_a_non_string_is_refused() -> None:
    assert _code(None) == "email_invalid"  # type: ignore[arg-type]
    assert canonical_email_or_none(42) is None
    assert canonical_email_or_none("LAN@EXAMPLE.VN") == "lan@example.vn"


def test_the_model_validator_accepts_only_the_canonical_form() -> None:
    validate_canonical_email("lan@côngty.vn")
    with pytest.raises(ValidationError):
        validate_canonical_email("lan@xn--cngty-6ta.vn")
    with pytest.raises(ValidationError):
        validate_canonical_email("Lan@example.vn")


def test_the_form_field_cleans_to_the_canonical_form_or_a_field_error() -> None:
    field = EmailTextField()

    assert field.clean(FULLWIDTH) == "lan@example.vn"
    with pytest.raises(ValidationError) as refused:
        field.clean("lan@exam\x00ple.vn")
    assert refused.value.code == "text_control_character"
    with pytest.raises(ValidationError) as invalid:
        field.clean("b\u0131ch@songhan.vn")
    assert invalid.value.code == "email_invalid"
    assert EmailTextField(required=False).clean("") == ""


_ATEXT = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-")
)


@given(st.text(max_size=80))
def test_any_text_is_either_refused_with_a_code_or_canonical_and_stable(text: str) -> None:
    first = canonical_email_or_none(text)
    if first is None:
        assert _code(text) in {
            "email_invalid",
            "email_forbidden_character",
            "email_domain_invalid",
            "email_too_long",
        }
        return
    local, domain = first.split("@")
    assert canonical_email(first) == first
    assert local.isascii()
    assert domain == domain.lower()


@given(
    st.lists(_ATEXT, min_size=1, max_size=20).map("".join),
    st.sampled_from(["example.vn", "côngty.vn", "xn--cngty-6ta.vn", "EXAMPLE\u3002VN"]),
)
def test_any_dot_atom_address_is_canonical_after_one_pass(local: str, domain: str) -> None:
    first = canonical_email(f"{local}@{domain}")

    assert canonical_email(first) == first
    assert canonical_email(f"{local.upper()}@{domain.upper()}") == first
    assert first.split("@")[0] == local.casefold()
