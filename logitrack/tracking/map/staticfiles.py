"""Leaflet.markercluster's files from the xstatic-leaflet-markercluster wheel, served under
``static/leaflet.markercluster/`` (docs/adr/0056).

A finder rather than a ``STATICFILES_DIRS`` entry because the wheel's minified script names a
source map the wheel does not ship, which the manifest storage refuses at collectstatic; the
map loads the unminified build (``leaflet.markercluster-src.js``, whose map is there, and which
whitenoise serves compressed), so the minified one is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder, FileSystemFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "leaflet.markercluster"
LEFT_OUT = ["leaflet.markercluster.js"]


class MarkerClusterFinder(FileSystemFinder):
    def __init__(self, app_names: Any = None, *args: Any, **kwargs: Any) -> None:
        BaseFinder.__init__(self)
        root = str(import_module("xstatic.pkg.leaflet_markercluster").BASE_DIR)
        self.locations = [(PREFIX, root)]
        storage = FileSystemStorage(location=root)
        storage.prefix = PREFIX  # type: ignore[attr-defined]
        self.storages = {root: storage}

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, Any]]:
        yield from super().list([*(ignore_patterns or []), *LEFT_OUT])
