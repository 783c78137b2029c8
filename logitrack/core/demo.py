"""The demo data loaded by the first ``make run``, and the file that hands out its credentials.

Each app that has demo data names a loader in ``DEMO_LOADERS`` (settings); a loader receives the
``DemoFile`` and adds its objects and credentials to it. Passwords are random on every machine
and written only to ``demo.json`` (mode 0600) in the data directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

DemoLoader = Callable[["DemoFile"], None]


class DemoRefused(Exception):
    """The demo may not be loaded here (production settings)."""


@dataclass
class DemoFile:
    path: Path
    tenants: list[dict[str, Any]] = field(default_factory=list)
    # Logitrack's own staff (privacy officers), who belong to no tenant.
    staff: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"tenants": self.tenants, "staff": self.staff}

    def write(self) -> None:
        """Write atomically with mode 0600: the file holds passwords."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = self.path.with_suffix(".json.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.as_json(), handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        os.replace(partial, self.path)


def demo_path() -> Path:
    return Path(settings.DATA_DIR) / "demo.json"


def demo_allowed() -> bool:
    return bool(getattr(settings, "LOGITRACK_DEMO_ALLOWED", False))


def load_demo(path: Path | None = None) -> DemoFile:
    """Run every demo loader and write the credentials file. Refused in production."""
    if not demo_allowed():
        raise DemoRefused("the demo is never loaded with the production settings")
    demo = DemoFile(path=path or demo_path())
    for dotted in settings.DEMO_LOADERS:
        loader: DemoLoader = import_string(dotted)
        loader(demo)
    demo.write()
    return demo
