"""Every user-facing string has a Vietnamese translation, and the catalogues compile."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from logitrack.core import i18n


def test_every_extracted_string_has_a_vietnamese_translation() -> None:
    assert i18n.missing_translations() == []


def test_extraction_finds_strings_in_python_and_templates() -> None:
    web = next(app for app in i18n.apps() if app.name == "web")

    messages = {message.msgid for message in i18n.extract_app(web)}

    assert "Page not found" in messages  # views.py
    assert "Skip to content" in messages  # templates/web/base.html


def test_compiled_catalogue_is_used_at_run_time(tmp_path: Path) -> None:
    with translation.override("vi"):
        assert translation.gettext("Page not found") == "Không tìm thấy trang"
    with translation.override("en"):
        assert translation.gettext("Page not found") == "Page not found"


def test_plural_messages_with_a_variable_count_are_extracted() -> None:
    from logitrack.core.i18n import _normalise

    assert _normalise(("%(n)d entry", "%(n)d entries", None), "ngettext") == (
        ("%(n)d entry", "%(n)d entries"),
        None,
    )
    assert _normalise(("menu", "Open"), "pgettext_lazy") == ("Open", "menu")
    assert _normalise((None,), "gettext") is None
