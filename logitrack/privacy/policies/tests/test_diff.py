"""The readable difference: paragraphs paired, words marked, unchanged runs folded."""

from __future__ import annotations

from logitrack.privacy.policies.diff import Row, Segment, text_diff


def test_the_same_lines_give_no_rows() -> None:
    assert text_diff("## A\n\nOne.\n", "## A\n\n\nOne.") == []


def test_a_changed_word_is_marked_inside_its_paragraph() -> None:
    rows = text_diff("We answer within 7 days.", "We answer within 5 days.")

    assert rows == [
        Row(
            "replace",
            segments=(
                Segment("equal", "We answer within "),
                Segment("delete", "7"),
                Segment("insert", "5"),
                Segment("equal", " days."),
            ),
        )
    ]


def test_added_and_removed_paragraphs_are_whole_rows() -> None:
    rows = text_diff("A.\nB.\nC.", "A.\nC.\nD.")

    assert [(row.kind, row.text) for row in rows] == [
        ("equal", "A."),
        ("delete", "B."),
        ("equal", "C."),
        ("insert", "D."),
    ]


def test_long_unchanged_runs_are_folded_to_their_count() -> None:
    old = "\n".join(f"Line {n}." for n in range(10))
    new = old.replace("Line 9.", "Line nine.")

    rows = text_diff(old, new)

    assert rows[0] == Row("folded", count=8)
    assert rows[1] == Row("equal", text="Line 8.")
    assert rows[2].kind == "replace"
    assert len(rows) == 3
