"""The policy's markdown text as safe HTML.

Rendered with markdown-it-py's CommonMark preset with raw HTML switched off: any ``<tag>`` in a
text is shown as text, never passed to the page, and links with a ``javascript:``, ``vbscript:``,
``file:`` or ``data:`` target are not made links (markdown-it's ``validateLink``). The result
is therefore safe to mark safe. Syntax: https://spec.commonmark.org/0.31.2/.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def policy_html(text: str) -> SafeString:
    """``text`` (markdown) -> HTML with every raw tag escaped."""
    html: str = _parser().render(text)
    return mark_safe(html)  # noqa: S308 (raw HTML is off: see the docstring)
