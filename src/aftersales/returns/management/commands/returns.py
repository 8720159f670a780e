"""``aftersales returns evaluate FILE.json``: decide a return case and print the decision as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from aftersales.core.errors import DomainError
from aftersales.returns import selectors


class Command(BaseCommand):
    help = "Returns and 三包: `evaluate FILE.json` prints the policy engine's decision as JSON."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="Decide the case in FILE.json ('-' reads standard input).")
        evaluate.add_argument("file")
        evaluate.add_argument("--lang", default="zh-hans", help="zh-hans (default) or en")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "evaluate":
            self.evaluate(opts["file"], opts["lang"])

    def evaluate(self, file: str, language: str) -> None:
        try:
            raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            data = json.loads(raw)
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not valid JSON: {error}") from error
        with translation.override(language):
            try:
                decision = selectors.decide_case(data)
            except DomainError as error:
                raise CommandError(f"{error.field or '-'}: {error.text()} [{error.code}]") from error
            self.stdout.write(json.dumps(decision.to_dict(language), ensure_ascii=False, indent=2))
