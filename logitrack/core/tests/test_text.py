"""The normalisation layer for human text (logitrack.core.text, ADR 0017)."""

from __future__ import annotations

import pytest

from logitrack.core.text import TextRefused, code, human_text, opaque_text


def fullwidth(ascii_text: str) -> str:
    """``ascii_text`` with its digits, ``+`` and ``-`` in their fullwidth forms (U+FF0B ...)."""
    return "".join(chr(ord(c) + 0xFEE0) if c in "0123456789+-" else c for c in ascii_text)


def test_a_decomposed_vietnamese_name_is_stored_composed() -> None:
    typed = "Nguye\u0302\u0303n Va\u0306n A\u0300nh"

    assert human_text(typed) == "Nguy\u1ec5n V\u0103n \u00c0nh"
    assert human_text("Nguyê\u0303n") == "Nguyễn"


def test_runs_of_whitespace_collapse_and_the_ends_are_stripped() -> None:
    assert human_text("  Công   ty  ") == "Công ty"
    assert human_text("Công\u00a0\u3000ty\u2003TNHH") == "Công ty TNHH"


def test_a_line_break_in_single_line_text_becomes_a_space() -> None:
    assert human_text("Công ty\r\nAn\tPhú\n") == "Công ty An Phú"


@pytest.mark.parametrize(
    "value",
    ["\u200b", "\ufeff", "\u200c\u200d", "\u2060", "\u00ad", " \u200b \u3164 \u2800 ", ""],
)
def test_a_value_made_only_of_invisible_characters_is_blank(value: str) -> None:
    assert human_text(value) == ""


def test_invisible_characters_without_meaning_are_removed_inside_a_value() -> None:
    assert human_text("Công\u200bty\u00ad An\ufeff Phú") == "Côngty An Phú"


def test_joiners_inside_a_value_are_kept_for_emoji_and_scripts() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"

    assert human_text(f"Gia đình {family}") == f"Gia đình {family}"


@pytest.mark.parametrize(
    ("value", "expected_code"),
    [
        ("Công ty\x00", "text_control_character"),
        ("\x1b[31mCông ty", "text_control_character"),
        ("Công\x7fty", "text_control_character"),
        ("Công\x85ty", "text_control_character"),
        ("Công\x9bty", "text_control_character"),
        ("Công\x1fty", "text_control_character"),
        ("invoice\u202etxt.exe", "text_bidi_control"),
        ("a\u202ab", "text_bidi_control"),
        ("a\u2066b\u2069", "text_bidi_control"),
        ("a\u200eb", "text_bidi_control"),
        ("a\u200fb", "text_bidi_control"),
        ("a\u061cb", "text_bidi_control"),
        ("a\ud800b", "text_invalid_character"),
    ],
)
def test_control_bidi_and_surrogate_characters_are_refused_with_a_stable_code(
    value: str, expected_code: str
) -> None:
    with pytest.raises(TextRefused) as exc:
        human_text(value)

    assert exc.value.code == expected_code
    assert exc.value.message


def test_multi_line_text_keeps_line_breaks_and_cleans_each_line() -> None:
    typed = "  Tầng 3\r\n\r\nSố 12   Lê Lợi \rQuận 1\n\n"

    assert human_text(typed, multiline=True) == "Tầng 3\n\nSố 12 Lê Lợi\nQuận 1"


def test_multi_line_text_refuses_control_characters_too() -> None:
    with pytest.raises(TextRefused) as exc:
        human_text("a\n\x00", multiline=True)

    assert exc.value.code == "text_control_character"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (fullwidth("0100109106"), "0100109106"),
        ("٠١٠٠١٠٩١٠٦", "0100109106"),  # Arabic-Indic
        ("۰۱۰۰۱۰۹۱۰۶", "0100109106"),  # extended Arabic-Indic
        ("०१००१०९१०६", "0100109106"),  # Devanagari
        (fullwidth("0100109106-001"), "0100109106-001"),
        ("0100109106\u2010001", "0100109106-001"),  # hyphen
        (" 0912 345 678 ", "0912345678"),
        ("+84\u00a0912\u200b345678", "+84912345678"),
    ],
)
def test_codes_are_stored_in_ascii_digits(typed: str, stored: str) -> None:
    assert code(typed) == stored
    assert code(typed).isascii()


def test_a_code_refuses_control_characters() -> None:
    with pytest.raises(TextRefused) as exc:
        code("0100109106\x00")

    assert exc.value.code == "text_control_character"


def test_opaque_text_is_unchanged_but_for_surrounding_spaces() -> None:
    assert opaque_text(" Ab-c_d\u0065\u0301 ") == "Ab-c_d\u0065\u0301"
    with pytest.raises(TextRefused):
        opaque_text("token\u202e")
