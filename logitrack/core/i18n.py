"""Message catalogues without system gettext: extraction, compilation and the completeness check.

Each Logitrack app keeps its Vietnamese catalogue in ``logitrack/<app>/locale/vi/LC_MESSAGES``.
Strings are extracted from the app's Python files and templates (templates pass through Django's
own ``templatize`` first, as ``makemessages`` does), so the check sees exactly what Django will
look up at run time. English is the source language and needs no catalogue.

    python -m logitrack.core.i18n extract        # add new strings to every app's .po
    python -m logitrack.core.i18n compile PO...  # write the .mo beside each .po
    python -m logitrack.core.i18n check          # exit 1 when a string lacks a translation
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "logitrack"
TARGET_LANGUAGES = ("vi",)
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# Files outside any app whose strings belong to the core catalogue.
EXTRA_SOURCES = {"core": [ROOT / "config"]}


@dataclass(frozen=True)
class Message:
    msgid: str | tuple[str, str]
    context: str | None
    location: str


def apps() -> list[Path]:
    """Every app directory, nested apps included (``logitrack/privacy/breaches``): each keeps
    its own catalogue, and its strings are not extracted into its parent's."""
    return sorted(
        p.parent
        for p in PACKAGE.rglob("apps.py")
        if "tests" not in p.parts and "migrations" not in p.parts
    )


def _sources(app: Path) -> Iterator[Path]:
    roots = [app, *EXTRA_SOURCES.get(app.name, [])]
    nested = [other for other in apps() if app in other.parents]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            if any(other in path.parents for other in nested):
                continue
            if path.suffix in {".py", ".html", ".txt"} and path.is_file():
                if path.suffix == ".txt" and "templates" not in path.parts:
                    continue
                yield path


def _python_text(path: Path) -> bytes:
    if path.suffix == ".py":
        return path.read_bytes()
    from django.utils.translation.template import templatize

    return templatize(path.read_text(encoding="utf-8"), origin=str(path)).encode("utf-8")


def extract_app(app: Path) -> list[Message]:
    messages: list[Message] = []
    for path in _sources(app):
        text = _python_text(path)
        for lineno, _func, msgid, _comments in extract_python(
            io.BytesIO(text), KEYWORDS, [], {"encoding": "utf-8"}
        ):
            location = f"{path.relative_to(ROOT)}:{lineno}"
            parsed = _normalise(msgid, str(_func))
            if parsed is not None:
                messages.append(Message(parsed[0], parsed[1], location))
    return messages


def _normalise(raw: object, func: str) -> tuple[str | tuple[str, str], str | None] | None:
    """Turn babel's raw call arguments into (msgid or (singular, plural), context).

    Only the message arguments must be literals; a plural's count is usually a variable.
    """
    args = raw if isinstance(raw, tuple) else (raw,)
    needed = 3 if func.startswith("npgettext") else 2 if func[:2] in {"ng", "pg"} else 1
    message_args = args[:needed]
    if len(message_args) < needed or any(arg is None for arg in message_args):
        return None  # a call with a non-literal message: nothing to translate statically
    strings = [str(arg) for arg in message_args]
    if func.startswith("npgettext"):
        return (strings[1], strings[2]), strings[0]
    if func.startswith("pgettext"):
        return strings[1], strings[0]
    if func.startswith("ngettext"):
        return (strings[0], strings[1]), None
    return strings[0], None


def catalogue_path(app: Path, language: str) -> Path:
    return app / "locale" / language / "LC_MESSAGES" / "django.po"


def _template(app: Path) -> Catalog:
    template = Catalog(project="Logitrack", fuzzy=False)
    for message in extract_app(app):
        filename, _, line = message.location.rpartition(":")
        template.add(message.msgid, locations=[(filename, int(line))], context=message.context)
    return template


def extract() -> None:
    for app in apps():
        template = _template(app)
        if not len(template):
            continue
        for language in TARGET_LANGUAGES:
            path = catalogue_path(app, language)
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=language)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                catalog = Catalog(locale=language, project="Logitrack", fuzzy=False)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, sort_output=True, omit_header=False)
            print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")  # noqa: T201


def compile_catalogues(paths: list[Path]) -> None:
    for po_path in paths:
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def missing_translations() -> list[str]:
    """Every extracted string without a usable Vietnamese translation, as ``location: msgid``."""
    problems: list[str] = []
    for app in apps():
        template = _template(app)
        for language in TARGET_LANGUAGES:
            path = catalogue_path(app, language)
            catalog = Catalog(locale=language)
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=language)
            for message in template:
                if not message.id:
                    continue
                found = catalog.get(message.id, context=message.context)
                strings = found.string if found is not None else ""
                values = strings if isinstance(strings, tuple) else (strings,)
                if found is None or found.fuzzy or not all(values):
                    where = message.locations[0] if message.locations else ("?", 0)
                    problems.append(f"{language} {where[0]}:{where[1]}: {message.id!r}")
            for message, errors in catalog.check():
                for error in errors:
                    problems.append(f"{language} {path}: {message.id!r}: {error}")
    return problems


def main(argv: list[str]) -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    if not argv:
        print(__doc__)  # noqa: T201
        return 2
    command, rest = argv[0], argv[1:]
    if command == "extract":
        extract()
        return 0
    if command == "compile":
        compile_catalogues([Path(p) for p in rest] or [catalogue_path(a, "vi") for a in apps()])
        return 0
    if command == "check":
        problems = missing_translations()
        for problem in problems:
            print(problem)  # noqa: T201
        return 1 if problems else 0
    print(__doc__)  # noqa: T201
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
