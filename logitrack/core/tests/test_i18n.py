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


def test_a_string_has_one_translation_across_every_catalogue() -> None:
    """Django merges every app's catalogue into one: a msgid translated two ways in two apps
    shows the first installed app's wording everywhere ("Register" once became "Thêm" on the
    device form)."""
    from babel.messages.pofile import read_po

    seen: dict[tuple[str, str | None], dict[str, str]] = {}
    for app in i18n.apps():
        path = i18n.catalogue_path(app, "vi")
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="vi")
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                key = (str(message.id), message.context)
                seen.setdefault(key, {})[str(message.string)] = app.name

    conflicts = {key[0]: wordings for key, wordings in seen.items() if len(wordings) > 1}
    assert conflicts == {}
