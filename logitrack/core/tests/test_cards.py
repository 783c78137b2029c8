"""Payment card numbers are found however they are written, and nothing else is (ADR 0027)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django import forms

from logitrack.core.cards import contains_payment_card_number, fold_digits, mask_payment_cards
from logitrack.core.forms import CodeField, HumanTextField
from logitrack.core.logging import RedactingFilter, redact_text, redact_value
from logitrack.core.schemas import TextRule
from logitrack.core.tests import text_layer
from logitrack.core.tests.test_text import fullwidth
from logitrack.core.text import PAYMENT_CARD, TextRefused, code, human_text
from logitrack.logistics.numbers import build_sscc, new_waybill

VISA = "4111111111111111"
ARABIC_INDIC = "".join(chr(0x0660 + int(d)) for d in VISA)
EXTENDED_ARABIC_INDIC = "".join(chr(0x06F0 + int(d)) for d in VISA)
DEVANAGARI = "".join(chr(0x0966 + int(d)) for d in VISA)


def _grouped(separator: str, number: str = VISA) -> str:
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


# Every spelling the security review of the import (issue 7) got past the old check, and more.
BYPASSES = {
    "plain": VISA,
    "fullwidth": fullwidth(VISA),
    "fullwidth grouped": fullwidth(_grouped(" ")),
    "arabic-indic": ARABIC_INDIC,
    "extended arabic-indic": EXTENDED_ARABIC_INDIC,
    "devanagari": DEVANAGARI,
    "dots": _grouped("."),
    "slashes": _grouped("/"),
    "underscores": _grouped("_"),
    "dashes": _grouped("-"),
    "en dashes": _grouped("\u2013"),
    "glued to letters": "card" + VISA,
    "glued on both sides": "the" + VISA + "x",
    "double spaces": _grouped("  "),
    "nbsp": _grouped("\u00a0"),
    "narrow nbsp": _grouped("\u202f"),
    "ideographic space": _grouped("\u3000"),
    "zero-width space": _grouped("\u200b"),
    "word joiner": _grouped("\u2060"),
    "soft hyphen": _grouped("\u00ad"),
    "bom": _grouped("\ufeff"),
    "tab": _grouped("\t"),
    "line break": _grouped("\n"),
    "in a sentence": "Khách trả bằng thẻ 4111 1111 1111 1111, giao giờ hành chính",
    "after a number": "Đơn 12 4111 1111 1111 1111",
    "mastercard": "5500 0000 0000 0004",
    "mastercard 2-series": "2221 0000 0000 0009",
    "amex": "3782 822463 10005",
    "discover": "6011 1111 1111 1117",
    "jcb": "3530 1113 3330 0000",
    "diners": "3056 9309 0259 04",
    "unionpay": "6200 0000 0000 0005",
    "maestro": "6759 6498 2643 8453",
    "napas 16": "9704 0000 0000 0018",
    "visa 19": "4111 1111 1111 1111 113",
    "maestro 19": "6759 6498 2643 8453 003",
}

NOT_CARDS = {
    "vietnamese mobile": "0912 345 678",
    "e.164 vietnamese": "+84912345678",
    "e.164 at 15 digits": "+84 9123 4567 8901",
    "e.164 fullwidth": fullwidth("+849123456789012"),
    "tax code of a branch": "4001234567-001",
    "tax code": "0101234567",
    "money": "1.500.000 VND",
    "money with commas": "COD 12,500,000,000,000,000",
    "luhn-valid, no network prefix": "1234 5678 9012 3452",
    "luhn-invalid visa": "4111 1111 1111 1112",
    "too long a run": "41111111111111111111111",
    "a date and a time": "2026-11-30 01:23:45",
    "order list": "Đơn 12, 13, 14; SL 3; 1500 g; 0912345678",
    "gtin-13 that is luhn-valid": "4006381333931",
    "13 digits, luhn-valid, visa prefix": "4222222222222",
    "13-digit tax code, luhn-valid": "4001234567000",
    "blank": "",
}


@pytest.mark.parametrize("text", BYPASSES.values(), ids=BYPASSES.keys())
def test_a_card_number_is_found_however_it_is_written(text: str) -> None:
    assert contains_payment_card_number(text) is True


@pytest.mark.parametrize("text", NOT_CARDS.values(), ids=NOT_CARDS.keys())
def test_phones_tax_codes_money_and_barcodes_are_not_card_numbers(text: str) -> None:
    assert contains_payment_card_number(text) is False


def test_no_sscc_is_a_card_number_even_when_it_is_luhn_valid() -> None:
    # Every extension digit and a range of serials: some of these pass Luhn and start with a
    # network's prefix; the GS1 check digit exempts them all.
    ssccs = [
        build_sscc(extension_digit=ext, company_prefix="8930000", serial=serial)
        for ext in range(10)
        for serial in range(200)
    ]

    assert [s for s in ssccs if contains_payment_card_number(s)] == []


def test_no_waybill_is_a_card_number() -> None:
    waybills = [new_waybill("KHX") for _ in range(2000)]

    assert [w for w in waybills if contains_payment_card_number(w)] == []


def test_the_text_layer_refuses_a_card_number_without_echoing_it() -> None:
    with pytest.raises(TextRefused) as refused:
        human_text(f"thẻ {fullwidth(_grouped(' '))}")

    assert refused.value.code == PAYMENT_CARD == "text_payment_card"
    assert not any(ch.isdigit() for ch in refused.value.message)
    with pytest.raises(TextRefused):
        human_text(_grouped("\u200b"), multiline=True)


def test_a_code_refuses_a_card_number_and_keeps_tax_codes_and_ssccs() -> None:
    with pytest.raises(TextRefused) as refused:
        code(_grouped(" "))

    assert refused.value.code == PAYMENT_CARD
    assert code("4001234567-001") == "4001234567-001"
    sscc = build_sscc(extension_digit=4, company_prefix="8930000", serial=1)
    assert code(f"(00) {sscc}") == f"(00){sscc}"


def test_every_human_text_field_of_every_form_refuses_a_card_number() -> None:
    checked = []
    for form_class in text_layer.form_classes():
        for name, field in form_class.base_fields.items():
            if not isinstance(field, HumanTextField | CodeField):
                continue
            with pytest.raises(forms.ValidationError) as refused:
                field.clean(f"thẻ {_grouped(chr(0xA0))}")
            assert [e.code for e in refused.value.error_list] == [PAYMENT_CARD]
            assert "1111" not in str(refused.value.messages)
            checked.append(f"{form_class.__name__}.{name}")

    assert {"SignupForm.full_name", "ProfileForm.full_name"} <= set(checked)


def _children(schema: dict[str, Any], where: str) -> list[tuple[object, str]]:
    children: list[tuple[object, str]] = []
    for key, value in schema.items():
        if key in {"metadata", "serialization", "ref"}:
            continue
        if key == "fields" and isinstance(value, dict):
            children += [(field, f"{where}.{name}") for name, field in value.items()]
        else:
            children.append((value, where))
    return children


def _text_rules(model: Any) -> list[tuple[str, TextRule]]:
    """(path, rule) of every text field of an input model, nested models included."""
    found: list[tuple[str, TextRule]] = []
    definitions: dict[str, Any] = {}
    pending: list[tuple[object, str]] = [(model.__pydantic_core_schema__, model.__name__)]
    while pending:
        schema, where = pending.pop()
        if isinstance(schema, list):
            pending += [(item, where) for item in schema]
            continue
        if not isinstance(schema, dict):
            continue
        kind = schema.get("type")
        if kind == "definitions":
            definitions.update({d["ref"]: d for d in schema.get("definitions", [])})
        elif kind == "definition-ref":
            pending.append((definitions.pop(schema["schema_ref"], None), where))
            continue
        elif kind == "function-before":
            rule = getattr(schema["function"].get("function"), "__self__", None)
            if isinstance(rule, TextRule):
                found.append((where, rule))
        pending += _children(schema, where)
    return found


def test_every_human_text_field_of_every_api_schema_refuses_a_card_number() -> None:
    from pydantic_core import PydanticCustomError

    checked = []
    for op in text_layer.api_operations():
        for model in op.input_models:
            for where, rule in _text_rules(model):
                # Subclasses answer differently by design: public tracking reads refused text as
                # an unknown waybill (docs/adr/0024) and stores nothing.
                if type(rule) is not TextRule or rule.kind not in {"human", "multiline", "code"}:
                    continue
                with pytest.raises(PydanticCustomError) as refused:
                    rule.apply(f"ghi chú {_grouped('.')}")
                assert refused.value.type == PAYMENT_CARD
                assert "1111" not in refused.value.message()
                checked.append(f"{op.method} {op.path} {where}")

    assert any(c.startswith("POST /api/v1/orders ") and c.endswith(".notes") for c in checked)


@pytest.mark.parametrize("text", BYPASSES.values(), ids=BYPASSES.keys())
def test_the_log_filter_masks_every_card_number(text: str) -> None:
    masked = redact_text(f"order note: {text} (row 7)")

    assert contains_payment_card_number(masked) is False
    assert "[card]" in masked


def test_a_logged_card_number_leaves_no_digit_in_message_arguments_or_extra_fields() -> None:
    record = logging.makeLogRecord(
        {
            "msg": "import cell %s refused",
            "args": (_grouped("\u00a0"),),
            "note": f"khách đọc số {fullwidth(VISA)}",
            "number": int(VISA),
            "nested": {"cells": ["a", _grouped("/")]},
        }
    )

    RedactingFilter().filter(record)

    logged = repr((record.getMessage(), vars(record)))
    assert "1111" not in logged
    assert "\uff11\uff11\uff11\uff11" not in logged
    assert record.getMessage() == "import cell [card] refused"
    assert redact_value(int(VISA)) == "[card]"


def test_the_log_filter_keeps_text_without_card_numbers() -> None:
    text = "order 12 for +84912345678, SSCC 389300000000000010, 1.500.000 VND"

    assert mask_payment_cards(text) == text


def _fold_slowly(value: str) -> str:
    """fold_digits without its ASCII shortcut: NFKC, then every Nd digit to ASCII."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", value)
    return "".join(
        str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in folded
    )


def test_the_ascii_shortcut_of_digit_folding_folds_as_the_full_mapping() -> None:
    from logitrack.core.cards import fold_digits

    every_ascii = "".join(chr(n) for n in range(128))
    samples = [every_ascii, "4111 1111 1111 1111", "route tracking:track 200", ""]
    for sample in samples:
        assert fold_digits(sample) == _fold_slowly(sample)
    # Text that is not ASCII still goes through the full mapping.
    assert fold_digits("\uff14\uff11\uff11\uff11\u0664") == "41114"


def _fold_digits_char_by_char(value: str) -> str:
    """The folding as ADR 0027 states it, one character at a time (the reference)."""
    import unicodedata

    out = []
    for char in unicodedata.normalize("NFKC", value):
        if unicodedata.category(char) == "Nd":
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    return "".join(out)


def test_digit_folding_matches_the_reference_for_every_code_point() -> None:
    import sys

    # Surrogates cannot stand alone in text a person sends; every other code point is tried,
    # in chunks as text would hold them, then each alone (NFKC composes across neighbours).
    points = [p for p in range(sys.maxunicode + 1) if not 0xD800 <= p <= 0xDFFF]
    for start in range(0, len(points), 4096):
        chunk = "".join(chr(p) for p in points[start : start + 4096])
        assert fold_digits(chunk) == _fold_digits_char_by_char(chunk)
    for point in points:
        char = chr(point)
        assert fold_digits(char) == _fold_digits_char_by_char(char), hex(point)


@pytest.mark.parametrize(
    "text",
    [
        "\uff14\uff11\uff11\uff11 " + " ".join(["\uff11" * 4] * 3),  # fullwidth digits
        "٤١١١١١١١١١١١١١١١",  # Arabic-Indic
        "Số thẻ 4111-1111-1111-1111 nhé",
        "the4111111111111111",
    ],
)
def test_folded_digits_of_any_script_are_still_found(text: str) -> None:
    assert contains_payment_card_number(text)
