from __future__ import annotations

from collections import Counter

from logitrack.addresses.tests.corpus import CASES, CORRECT, SAFE_CANDIDATES, WRONG, judge


def test_corpus_has_at_least_sixty_real_world_addresses() -> None:
    assert len(CASES) >= 60
    assert len({(case.text, case.columns) for case in CASES}) == len(CASES)


def test_no_corpus_address_is_resolved_to_a_wrong_commune() -> None:
    wrong = [case.text for case in CASES if judge(case) == WRONG]

    assert wrong == []


def test_corpus_accuracy_is_as_measured_for_adr_0020() -> None:
    outcomes = Counter(judge(case) for case in CASES)

    assert outcomes == Counter({CORRECT: 99, SAFE_CANDIDATES: 2})
