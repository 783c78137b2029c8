"""``logitrack privacy <action>``: the privacy officer's command line.

    logitrack privacy datamap --format json|csv|yaml|markdown [--language vi] [--output FILE]

The data map lists every stored column with its classification from the data inventory; the
YAML is a Fides manifest. Like every command, it runs the system checks first and refuses to print
a map while a field is unclassified (privacy.E001); ``logitrack privacy --skip-checks datamap``
prints the partial map, leaving out what is unclassified.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from logitrack.privacy.datamap import FORMATS, datamap_rows, render


class Command(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = _("Privacy tooling: print the data map from the data inventory.")
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        datamap = actions.add_parser(
            "datamap", help=_("Print every stored column and its classification.")
        )
        datamap.add_argument(
            "--format",
            choices=FORMATS,
            default="json",
            help=_("Output format; yaml is a Fides manifest. Default: json."),
        )
        datamap.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help=_("Language of the descriptions and legend. Default: en."),
        )
        datamap.add_argument(
            "--output",
            type=Path,
            help=_("Write to this file instead of standard output."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "datamap":
            self.datamap(fmt=options["format"], language=options["language"], out=options["output"])

    def datamap(self, *, fmt: str, language: str, out: Path | None) -> None:
        with translation.override(language):
            text = render(datamap_rows(), fmt)
        if out is None:
            self.stdout.write(text, ending="")
        else:
            out.write_text(text, encoding="utf-8")
