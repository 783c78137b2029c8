"""text_memo(): inside the block human_text and code answer exactly as outside it, refusals
are never remembered, and the memory is the block's own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logitrack.core import text
from logitrack.core.text import TextRefused, code, human_text, text_memo

CARD = "4111 1111 1111 1111"
TEXTS = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(
            ["\u0303", "\u200b", "\u00a0", "\n", "\r\n", " ", "0", "٣", "\u202e", CARD]
        ),
    ),
    max_size=30,
).map("".join)


def _answer(work: object, value: str, **kwargs: object) -> tuple[str, str]:
    try:
        return ("ok", work(value, **kwargs))  # type: ignore[operator]
    except TextRefused as exc:
        return ("refused", exc.code)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(TEXTS, min_size=1, max_size=6))
def test_remembered_answers_are_the_worked_out_answers(values: list[str]) -> None:
    outside = [
        (_answer(human_text, v), _answer(human_text, v, multiline=True), _answer(code, v))
        for v in values
    ]
    with text_memo():
        # Twice each: the second round is answered from memory.
        for _ in range(2):
            inside = [
                (_answer(human_text, v), _answer(human_text, v, multiline=True), _answer(code, v))
                for v in values
            ]
            assert inside == outside


def test_the_rules_are_remembered_apart_and_refusals_not_at_all() -> None:
    with text_memo():
        assert human_text("a\nb") == "a b"
        assert human_text("a\nb", multiline=True) == "a\nb"
        assert code("0912 345") == "0912345"
        for _ in range(2):
            with pytest.raises(TextRefused):
                human_text(f"card {CARD}")
        memo = text._TEXT_MEMO.get()
        assert memo is not None
        assert memo == {
            ("human", "a\nb"): "a b",
            ("multiline", "a\nb"): "a\nb",
            ("code", "0912 345"): "0912345",
            # The texts searched for card numbers and found to hold none.
            ("no_card", "a b"): "",
            ("no_card", "a\nb"): "",
            ("no_card", "0912345"): "",
        }
        for _ in range(2):
            assert not text.holds_no_card(CARD)
        assert ("no_card", CARD) not in memo


@settings(max_examples=300, deadline=None)
@given(values=st.lists(TEXTS, min_size=1, max_size=6))
def test_remembered_card_answers_are_the_detectors_answers(values: list[str]) -> None:
    from logitrack.core.cards import contains_payment_card_number

    outside = [text.holds_no_card(v) for v in values]
    assert outside == [not contains_payment_card_number(v) for v in values]
    with text_memo():
        for _ in range(2):
            assert [text.holds_no_card(v) for v in values] == outside


def test_the_memory_is_the_blocks_own() -> None:
    assert text._TEXT_MEMO.get() is None
    human_text("Nguyễn Văn An")
    assert text._TEXT_MEMO.get() is None  # nothing remembered outside a block
    with text_memo():
        human_text("Nguyễn Văn An")
        outer = text._TEXT_MEMO.get()
        with text_memo():
            assert text._TEXT_MEMO.get() == {}
        assert text._TEXT_MEMO.get() is outer
    assert text._TEXT_MEMO.get() is None


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "TEXT_MEMO_MAX", 2)
    with text_memo():
        for value in ("a", "b", "c", "d"):
            assert human_text(f" {value} ") == value
        assert len(text._TEXT_MEMO.get() or {}) == 2


def test_codes_ascii_shortcut_is_the_character_walk() -> None:
    # Every ASCII character alone and between digits (hazards are refused before either).
    for point in range(128):
        for value in (chr(point), f"09{chr(point)}12-3 4"):
            if text._HAZARD.search(value):
                with pytest.raises(TextRefused):
                    code(value)
                continue
            assert code(value) == text._code_walk(value), repr(value)


@settings(max_examples=300, deadline=None)
@given(value=st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_codes_ascii_shortcut_matches_on_any_ascii_text(value: str) -> None:
    if text._HAZARD.search(value):
        return
    assert text._code("x" + value) == text._code_walk("x" + value)
