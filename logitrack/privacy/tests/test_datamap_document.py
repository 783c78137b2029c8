"""docs/datamap.md is the map the inventory generates: a model or field added without
regenerating the document fails here, so the published data map cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from logitrack.privacy.datamap import datamap_rows, markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "datamap.md"
HEADING = "## The map\n\n"
# Installed only when REDIS_URL is set (config/settings/base.py); the document describes the
# default configuration.
REDIS_ONLY_APPS = frozenset({"django_rq", "django_tasks_rq"})


def generated_map() -> str:
    """What ``logitrack privacy datamap --format markdown`` prints, in English, without the
    Redis-only tables."""
    with translation.override("en"):
        return markdown(r for r in datamap_rows() if r.app not in REDIS_ONLY_APPS)


def test_the_committed_data_map_is_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(HEADING) == 1
    committed = text.split(HEADING, 1)[1]

    assert committed == generated_map(), (
        "docs/datamap.md is out of date: replace everything under '## The map' with the output "
        "of `logitrack privacy datamap --format markdown` (without REDIS_URL)"
    )


def test_the_check_sees_a_column_missing_from_the_document() -> None:
    committed = DOC.read_text(encoding="utf-8").split(HEADING, 1)[1]
    row = next(line for line in committed.splitlines() if line.startswith("| `thumbnail_state`"))

    assert committed.replace(row + "\n", "", 1) != generated_map()
